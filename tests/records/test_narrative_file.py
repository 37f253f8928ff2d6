"""A report's narrative as one Markdown or YAML file: exact round trips, new versions only for
what changed, errors that name the line, and the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cscmonitor.records import narrative
from cscmonitor.records.audit import Actor
from cscmonitor.records.cli import records_app
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.narrative import ReportPeriod
from cscmonitor.records.narrative_file import FileFormat, export_text, import_file, parse
from cscmonitor.records.narrative_sections import ANNUAL

COUNCIL = Actor("Jo Miller", "council")
TRUST = Actor("Paul Moffat", "trust")
YEAR_1 = ReportPeriod.of("annual", 1)
LETTER = (
    "The establishment of the Trust, *the first of its kind*, has created much interest.\n"
    "\n"
    "- a review of the front door\n"
    "- fewer agency staff: see [the plan](https://doncaster.gov.uk/plan)\n"
    "\n"
    'Quotes "like this", colons: and a trailing line.'
)


@pytest.fixture
def written(doncaster):
    """The Doncaster contract with the letter (three paragraphs), finance in one line,
    changes not applicable, and the Trust's youth justice section."""
    with doncaster.unit(COUNCIL) as session:
        contract = doncaster.contract(session)
        narrative.write(session, contract, YEAR_1, "letter", LETTER, COUNCIL)
        narrative.write(session, contract, YEAR_1, "finance", "The Council is satisfied.", COUNCIL)
        narrative.write(session, contract, YEAR_1, "changes", "", COUNCIL, not_applicable=True)
    with doncaster.unit(TRUST) as session:
        contract = doncaster.contract(session)
        narrative.write(session, contract, YEAR_1, "youth_justice", "The YJB is satisfied.", TRUST)
    return doncaster


def _export(records, file_format: FileFormat) -> str:
    with records.unit() as session:
        return export_text(session, records.contract(session), YEAR_1, file_format)


def test_the_markdown_file_has_a_heading_per_section_with_its_key(written) -> None:
    text = _export(written, FileFormat.MARKDOWN)
    with written.unit() as session:
        name = written.contract(session).name
    assert text.startswith(f"---\ncontract: {name}\nreport: annual\ncontract_year: 1\n---\n")
    # Every section, in the document's order, each with its key.
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {s.title} <!-- section: {s.key} -->" for s in ANNUAL]
    assert f"<!-- section: letter -->\n\n{LETTER}\n\n## Overall judgement" in text
    assert "<!-- section: changes -->\n\nNot applicable\n" in text


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_export_then_import_changes_nothing_and_exports_the_same(written, file_format) -> None:
    first = _export(written, file_format)
    before = written.counts()["narrative_texts"]
    with written.unit(COUNCIL) as session:
        changed = import_file(session, parse(first, f"x.{file_format}"), COUNCIL, "x")
    assert changed == []
    assert written.counts()["narrative_texts"] == before
    assert _export(written, file_format) == first


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_reading_the_file_gives_back_exactly_the_texts(written, file_format) -> None:
    text = _export(written, file_format)
    parsed = parse(text, f"narrative.{file_format}")
    by_key = {s.key: s for s in parsed.sections}
    assert by_key["letter"].text == LETTER
    assert by_key["changes"].not_applicable and by_key["changes"].text == ""
    assert by_key["judgement"].text == "" and not by_key["judgement"].not_applicable
    assert by_key["youth_justice"].text == "The YJB is satisfied."


def test_import_adds_versions_only_for_changed_sections(written) -> None:
    text = _export(written, FileFormat.MARKDOWN)
    edited = text.replace("The Council is satisfied.", "The Council is *satisfied*.").replace(
        "<!-- section: judgement -->\n", "<!-- section: judgement -->\n\nServices are improving.\n"
    )
    with written.unit(COUNCIL) as session:
        changed = import_file(session, parse(edited, "n.md"), COUNCIL, "n.md")
        held = narrative.latest(session, written.contract(session), YEAR_1)
    assert changed == ["Overall judgement", "Finance and the risk share"]
    assert held["finance"].text == "The Council is *satisfied*." and held["finance"].version == 2
    assert held["letter"].version == 1


def test_a_heading_pasted_back_without_its_key_is_matched_by_title(written) -> None:
    text = _export(written, FileFormat.MARKDOWN).replace(
        "## Overall judgement <!-- section: judgement -->", "##   overall  JUDGEMENT"
    )
    text = text.replace("##   overall  JUDGEMENT\n", "##   overall  JUDGEMENT\n\nImproving.\n")
    with written.unit(COUNCIL) as session:
        assert import_file(session, parse(text, "n.md"), COUNCIL, "n.md") == ["Overall judgement"]


def test_the_other_partys_changed_section_is_refused_naming_its_line(written) -> None:
    text = _export(written, FileFormat.MARKDOWN).replace(
        "The YJB is satisfied.", "The YJB is very satisfied."
    )
    line = text.splitlines().index("## Youth justice <!-- section: youth_justice -->") + 1
    with written.refused(
        f"n.md line {line}: Youth justice is for the Trust to write; you act for the council",
        COUNCIL,
    ) as session:
        import_file(session, parse(text, "n.md"), COUNCIL, "n.md")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contract: x\n", "n.md line 1: the file must begin with '---'"),
        ("---\ncontract: x\nreport: annual\n", "n.md line 1: the front matter has no closing"),
        (
            "---\ncontract: x\nreport: annual\ncontract_year: 1\ncolour: red\n---\n",
            "n.md line 5: 'colour' is not a field here",
        ),
        (
            "---\ncontract: x\nreport: monthly\ncontract_year: 1\n---\n",
            "n.md line 3: report 'monthly' is not one of annual",
        ),
        (
            "---\ncontract: x\nreport: annual\ncontract_year: 1\n---\n\nstray words\n",
            "n.md line 7: text before the first section heading",
        ),
    ],
)
def test_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RecordsError, match=message):
        parse(text, "n.md")


def test_unknown_and_repeated_sections_name_their_line(written) -> None:
    with written.unit() as session:
        name = written.contract(session).name
    head = f"---\ncontract: {name}\nreport: annual\ncontract_year: 1\n---\n"
    unknown = head + "\n## Preface <!-- section: preface -->\n\nHello\n"
    with written.refused(
        "n.md line 7: 'preface' is not a section of the annual review", COUNCIL
    ) as s:
        import_file(s, parse(unknown, "n.md"), COUNCIL, "n.md")
    twice = head + "\n## Conclusions\n\nA\n\n## Conclusions <!-- section: conclusions -->\n\nB\n"
    with written.refused(
        "n.md line 11: Conclusions is given twice \\(first at line 7\\)", COUNCIL
    ) as s:
        import_file(s, parse(twice, "n.md"), COUNCIL, "n.md")
    yaml_text = (
        f"contract: {name}\nreport: annual\ncontract_year: 1\nsections:\n"
        "  letter: Dear Secretary of State\n  prefase: typo\n"
    )
    with written.refused("n.yaml line 6: 'prefase' is not a section", COUNCIL) as s:
        import_file(s, parse(yaml_text, "n.yaml"), COUNCIL, "n.yaml")
    with pytest.raises(RecordsError, match=r"n\.yaml line 6: letter: the section's text"):
        parse(
            yaml_text.replace("  prefase: typo", "  letter: [1, 2]").replace(
                "  letter: Dear Secretary of State\n", "  finance: x\n"
            ),
            "n.yaml",
        )


def test_the_command_line_exports_and_imports(written, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(
        "CSCMONITOR_DATABASE_URL", written.engine.url.render_as_string(hide_password=False)
    )
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(records_app, ["narrative", *args, "--data-dir", str(tmp_path)])

    out = tmp_path / "annual-1.yaml"
    exported = run("export", "--report", "annual", "--contract-year", "1", "--output", str(out))
    assert exported.exit_code == 0, exported.output
    assert "sections:\n  letter: |-\n    The establishment" in out.read_text()
    out.write_text(out.read_text().replace("The YJB is satisfied.", "Satisfied, says the YJB."))
    imported = run("import", "--file", str(out), "--as", "trust", "--by", "Paul Moffat")
    assert imported.exit_code == 0, imported.output
    assert "the annual review of contract year 1: Youth justice" in imported.output
    missing = run("missing", "--report", "annual", "--contract-year", "1")
    # Written: letter, finance, youth justice; changes is not applicable.
    assert missing.exit_code == 1
    assert missing.output.splitlines() == [
        s.title for s in ANNUAL if s.key not in ("letter", "finance", "changes", "youth_justice")
    ]
    refused = run("import", "--file", str(tmp_path / "none.md"), "--as", "trust")
    assert refused.exit_code == 2 and "cannot be read" in refused.output
