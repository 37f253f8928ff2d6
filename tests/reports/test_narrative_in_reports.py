"""People's words in the annual review and the quarterly pack: where their section sits,
apart from the generated text, attributed; an empty section says so; not applicable is left out."""

from __future__ import annotations

import io
import shutil
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from docx import Document as read_docx

from cscmonitor.records import contracts, narrative
from cscmonitor.records.audit import Actor
from cscmonitor.records.db import database_url, make_engine, transaction
from cscmonitor.records.narrative import ReportPeriod
from cscmonitor.records.narrative_sections import ANNUAL, ReportKind, exception_sections
from cscmonitor.reports.context.annual import build_annual_context
from cscmonitor.reports.context.corporate_parenting import build_corporate_parenting_context
from cscmonitor.reports.context.quarterly import build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Document, Heading, Paragraph, Run
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.layout.corporate_parenting import corporate_parenting_document
from cscmonitor.reports.layout.quarterly import quarterly_document
from cscmonitor.reports.publish import Report
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings

COUNCIL = Actor("Jo Miller", "council")
TRUST = Actor("Paul Moffat", "trust")
JUDGEMENT = (
    "We can confidently state that *services for children and young people in Doncaster are "
    "improving*.\n\n- **thirteen** inspections\n- see [Ofsted](https://reports.ofsted.gov.uk)"
)


@pytest.fixture(scope="module")
def settings(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the demo's data, so the words written here stay out of the other tests."""
    data = tmp_path_factory.mktemp("narrative") / "data"
    shutil.copytree(demo_settings.data_dir, data)
    copy = Settings(data_dir=data, pseudonym_key=demo_settings.pseudonym_key)
    engine = make_engine(database_url(copy))
    year = ReportPeriod.of("annual", 1)
    with transaction(engine, COUNCIL) as session:
        contract = contracts.get_contract(session)
        narrative.write(session, contract, year, "judgement", JUDGEMENT, COUNCIL)
        narrative.write(session, contract, year, "letter", "The first Trust of its kind.", COUNCIL)
        narrative.write(session, contract, year, "changes", "", COUNCIL, not_applicable=True)
    with transaction(engine, TRUST) as session:
        contract = contracts.get_contract(session)
        narrative.write(session, contract, year, "youth_justice", "The YJB is satisfied.", TRUST)
    engine.dispose()
    return copy


@pytest.fixture(scope="module")
def annual(settings: Settings) -> Document:
    with open_sources(settings, 1) as sources:
        return annual_document(build_annual_context(sources, 1, Mode.INTERNAL))


def _index(document: Document, text: str) -> int:
    return next(
        i
        for i, b in enumerate(document.blocks)
        if isinstance(b, Heading | Paragraph) and b.text == text
    )


def test_words_sit_in_their_section_under_a_heading_that_says_whose(annual: Document) -> None:
    heading = _index(annual, "The Council's view: Overall judgement")
    # At the head of the abridged report, before the generated performance summary.
    assert _index(annual, "Abridged report") == heading - 1
    assert _index(annual, "The Council's view: Overall judgement") < _index(
        annual,
        "Summary of the Trust's performance against Performance Indicators in the preceding "
        "Contract Year",
    )
    words = annual.blocks[heading + 1]
    assert isinstance(words, Paragraph)
    assert words.text == (
        "We can confidently state that services for children and young people in Doncaster "
        "are improving."
    )
    signed = annual.blocks[heading + 3]
    assert isinstance(signed, Paragraph) and signed.style == "note"
    assert signed.text.startswith("The Council's words, written by Jo Miller, ")
    assert signed.text.endswith("(version 1).")
    assert isinstance(
        annual.blocks[_index(annual, "The Trust's view: Youth justice") + 1], Paragraph
    )


def test_the_letters_words_come_after_the_greeting_then_the_computed_paragraphs(
    annual: Document,
) -> None:
    greeting = _index(annual, "Dear Secretary of State,")
    assert annual.blocks[greeting + 1] == Paragraph(
        "The first Trust of its kind.", runs=(Run("The first Trust of its kind."),)
    )
    signed = annual.blocks[greeting + 2]
    assert isinstance(signed, Paragraph) and signed.text.startswith("The Council's words")
    computed = annual.blocks[greeting + 3]
    assert isinstance(computed, Paragraph) and computed.text.startswith("This is the annual report")


def test_empty_sections_say_so_and_not_applicable_ones_are_left_out(annual: Document) -> None:
    text = annual.text()
    written = {"judgement", "letter", "youth_justice", "changes"}
    for section in ANNUAL:
        if section.key in written:
            continue
        title = section.title[0].lower() + section.title[1:]
        assert f"No text yet for {title}: {section.writer} writes it" in text, section.key
    assert "Notifiable changes and directions" not in text
    # Headings never skip a level going down, with the words' headings among them.
    levels = [b.level for b in annual.blocks if isinstance(b, Heading)]
    assert all(b <= a + 1 for a, b in pairwise(levels))


def test_html_shows_the_words_with_their_looks(annual: Document) -> None:
    html = render(annual, "html").decode()
    assert "<h3>The Council&#39;s view: Overall judgement</h3>" in html
    assert "<em>services for children and young people in Doncaster are improving</em>" in html
    assert "<li><strong>thirteen</strong> inspections</li>" in html
    assert '<a class="words-link" href="https://reports.ofsted.gov.uk">Ofsted</a>' in html


def test_docx_shows_the_words_under_their_heading(annual: Document) -> None:
    word = read_docx(io.BytesIO(render(annual, "docx")))
    paragraphs = word.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text.endswith("view: Overall judgement"))
    assert paragraphs[at].style.name == "Heading 3"
    emphasis = [r.text for r in paragraphs[at + 1].runs if r.italic]
    assert emphasis == ["services for children and young people in Doncaster are improving"]
    assert paragraphs[at + 2].style.name == "List Bullet"
    assert paragraphs[at + 4].text.startswith("The Council's words, written by Jo Miller")


def test_the_quarterly_pack_has_each_exceptions_commentary_and_response(
    settings: Settings, tmp_path: Path
) -> None:
    # The demo contract with a CPP_REPEAT target no figure meets, so it is an exception (as in
    # test_quarterly); the records' contract of the same name holds the words.
    packaged = resources.files("cscmonitor").joinpath("contracts", "doncaster-2014.yaml")
    data = yaml.safe_load(packaged.read_text(encoding="utf-8"))
    for entry in data["basket"]:
        if entry["indicator"] == "CPP_REPEAT":
            entry["target"], entry["tolerance"] = 1, 0.5
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump(data), encoding="utf-8")
    trust, _council = exception_sections("CPP_REPEAT")
    engine = make_engine(database_url(settings))
    with transaction(engine, TRUST) as session:
        narrative.write(
            session,
            contracts.get_contract(session),
            ReportPeriod.of("quarterly", 2, 2),
            trust.key,
            "The front door was restructured in *March*.",
            TRUST,
        )
    engine.dispose()
    with open_sources(settings, 2, str(strict)) as sources:
        context = build_quarterly_context(sources, 2, 2, Mode.INTERNAL)
    document = quarterly_document(context)
    assert context.exceptions[0].code == "CPP_REPEAT"
    page = _index(document, f"1. {context.exceptions[0].title}")
    commentary = _index(document, "The Trust's commentary")
    assert commentary > page
    assert document.blocks[commentary + 1] == Paragraph(
        "The front door was restructured in March.",
        runs=(Run("The front door was restructured in "), Run("March", emphasis=True), Run(".")),
    )
    response = _index(document, "The Council's response")
    assert response == commentary + 3  # the words, their sign-off, then the response
    assert document.blocks[response + 1] == Paragraph(
        f"No text yet for {_council.title[0].lower()}{_council.title[1:]}: the Council writes "
        "it on the Narrative page.",
        style="note",
    )
    # Only exceptions get the two sections.
    assert document.text().count("The Trust's commentary") == len(context.exceptions)


def test_a_report_without_records_has_no_sections(small_settings: Settings, small_contract: str):
    with open_sources(small_settings, 1, small_contract) as sources:
        context = build_annual_context(sources, 1, Mode.INTERNAL)
    assert context.narrative.sections == ()
    assert "No text yet" not in annual_document(context).text()


def test_the_copy_is_not_the_demo(settings: Settings, demo_settings: Settings) -> None:
    assert Path(settings.data_dir) != Path(demo_settings.data_dir)


def test_the_records_report_kinds_are_the_reports() -> None:
    # records cannot import reports (the layers), so the two lists are kept equal here.
    assert {k.value for k in ReportKind} == {r.value for r in Report}


def test_the_corporate_parenting_pack_has_a_foreword_and_conclusions(settings: Settings) -> None:
    with open_sources(settings, 1) as sources:
        document = corporate_parenting_document(
            build_corporate_parenting_context(sources, 1, Mode.INTERNAL)
        )
    foreword, summary = (
        _index(document, "The Council's view: Foreword"),
        _index(document, "Summary"),
    )
    assert foreword < summary
    assert _index(document, "The Trust's view: Conclusions") < _index(document, "Notes")
    assert document.blocks[foreword + 1] == Paragraph(
        "No text yet for foreword: the Council writes it on the Narrative page.", style="note"
    )
