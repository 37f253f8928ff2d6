"""The annual review for the demo contract: every figure from the engine or the records, the
seed's structure, page references that land on the pages holding the detail, every format."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook
from pypdf import PdfReader

from cscmonitor.assess import assess
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import get
from cscmonitor.periods import twelve_months_to
from cscmonitor.records import finance
from cscmonitor.records.money import format_pounds
from cscmonitor.reports.context.annual import AnnualContext, build_annual_context, review_date
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Document, Figure, Heading, PageRef
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.publish import latest_year, write_annual_review
from cscmonitor.settings import Settings
from cscmonitor.wording import format_value


@pytest.fixture(scope="module")
def built(demo_settings: Settings) -> tuple[AnnualContext, Document]:
    with open_sources(demo_settings, 1) as sources:
        context = build_annual_context(sources, 1, Mode.INTERNAL)
    return context, annual_document(context)


@pytest.fixture(scope="module")
def written(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_annual_review(tmp_path_factory.mktemp("annual"), data_dir=demo_settings.data_dir)


def test_context_figures_are_the_engines(demo_settings: Settings) -> None:
    """Every figure in the context equals the engine's, computed here on its own."""
    with open_sources(demo_settings, 1) as sources:
        terms = sources.terms
        year, baseline = terms.contract_year(1), terms.baseline_period()
        codes = [e.indicator for e in terms.basket]
        results = compute(sources.tables, [year, baseline], codes=codes, las=[terms.la_code])
        context = build_annual_context(sources, 1, Mode.INTERNAL)
    assessments = {a.indicator.code: a for a in assess(results, terms, year=1)}
    assert [p.code for p in context.panels] == codes
    for panel, finding in zip(context.panels, context.findings, strict=True):
        expected = assessments[panel.code]
        unit = get(panel.code).unit
        assert panel.latest.value.number == pytest.approx(expected.latest.value)
        assert panel.compared.value.number == pytest.approx(expected.baseline_year.value)
        assert panel.latest.numerator.number == pytest.approx(expected.latest.numerator)
        assert panel.latest.denominator.number == pytest.approx(expected.latest.denominator)
        assert panel.rag is expected.rag
        assert panel.travel.direction is expected.direction
        assert panel.target == expected.target and panel.tolerance == expected.tolerance
        # The sentence states the two computed figures, as the unit shows them.
        assert format_value(expected.baseline_year.value, unit) in finding.text
        assert format_value(expected.latest.value, unit) in finding.text
        # The chart's last point is the year reported on.
        assert panel.series[-1].period == year
        assert panel.chart.points[-1].value == pytest.approx(expected.latest.value)


def test_context_facts_are_the_records(demo_settings: Settings) -> None:
    with open_sources(demo_settings, 1) as sources:
        context = build_annual_context(sources, 1, Mode.INTERNAL)
        records = sources.records
        assert records is not None
        window = twelve_months_to(review_date(sources.terms.contract_year(1).end))
        held = [i for i in records.inspections if window.start <= i.start_date <= window.end]
        outturn = finance.outturn_position(records, finance.get_budget(records, "2014/15"))
        signatories = [(s.name, p.name) for p in records.parties for s in p.signatories]
        proposed = [c.reference for c in records.change_requests if c.moves and c.state != "draft"]
        strategic = [p.title for p in records.priorities if p.kind == "strategic_priority"]
    assert len(context.inspections) == len(held)
    assert context.as_at == window.end
    assert [(s.name, s.party) for s in context.signatories] == signatories
    position = next(m for m in context.money if m.budget == "2014/15")
    assert (position.budget_pence, position.spend_pence) == (
        outturn.budget_pence,
        outturn.spend_pence,
    )
    assert position.trust_after_pence == outturn.trust_after_pence
    assert format_pounds(outturn.trust_after_pence) in position.outcome_text()
    assert [c.reference for c in context.changes] == proposed
    assert [p.title for p in context.strategic] == strategic


def test_seed_structure_in_order(built: tuple[AnnualContext, Document]) -> None:
    _, document = built
    headings = [b.text for b in document.blocks if isinstance(b, Heading) and b.level <= 3]
    wanted = [
        "Covering letter",
        "Abridged report",
        "Summary of the Trust's performance against Performance Indicators",
        "Inspections in the year",
        "Summary of the Trust's performance against budget",
        "Confirmation in principle of the budget for the next Contract Year",
        "Agreed strategic priorities",
        "Proposed changes to the Agreement",
        "Areas of Joint Focus",
        "Appendix A",
        "Appendix B",
        "Appendix C",
        "Appendix D",
        "Appendix E",
    ]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(w)) for w in wanted]
    assert positions == sorted(positions)
    assert sum(1 for b in document.blocks if isinstance(b, Heading) and b.level == 1) == 1


def _refs(document: Document) -> list[PageRef]:
    found: list[PageRef] = []
    for block in document.blocks:
        found += getattr(block, "refs", ())
        for item in getattr(block, "items", ()):
            found += item.refs
    return found


@pytest.fixture(scope="module")
def pages(written: dict[str, Path]) -> list[str]:
    """The PDF's text, page by page, whitespace collapsed."""
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(written["pdf"]).pages]


def test_page_references_land_on_the_pages_holding_the_detail(
    built: tuple[AnnualContext, Document], pages: list[str]
) -> None:
    _, document = built
    text = " ".join(pages)
    headings = {b.anchor: b.text for b in document.blocks if isinstance(b, Heading) and b.anchor}
    refs = _refs(document)
    assert len(refs) >= 10
    for ref in refs:
        pattern = re.escape(ref.label) + r", pp?\. (\d+)(?:\s*–\s*(\d+))?"
        hits = re.findall(pattern, text)
        assert hits, f"no page reference for {ref.label}"
        for first, last in hits:
            page = pages[int(first) - 1]
            assert headings[ref.start] in page, f"{ref.label} → p. {first}"
            if ref.end:
                assert last and int(last) >= int(first)
    # Appendix A's range ends on the page holding the last indicator's data table.
    last_panel = built[0].panels[-1]
    end = int(re.search(r"Appendix A, pp\. \d+\s*–\s*(\d+)", text).group(1))  # type: ignore[union-attr]
    assert f"{last_panel.title}: rolling 12 months to each quarter end" in " ".join(pages[:end])


def test_pdf_holds_computed_figures_and_records_facts(
    built: tuple[AnnualContext, Document], pages: list[str]
) -> None:
    context, _ = built
    text = " ".join(pages)
    for panel in context.panels:
        assert panel.latest.value.text in text and panel.compared.value.text in text
    for signatory in context.signatories:
        assert signatory.name in text
    for position in context.money:
        assert position.variance_text() in text
    assert context.budget is not None and format_pounds(context.budget.total_pence) in text
    for change in context.changes:
        assert change.reference in text


def test_docx_is_editable_and_holds_the_same_facts(
    built: tuple[AnnualContext, Document], written: dict[str, Path]
) -> None:
    context, document = built
    docx = read_docx(str(written["docx"]))
    styles = [p.style.name for p in docx.paragraphs]
    assert styles.count("Heading 1") == 1 and "Heading 2" in styles and "Heading 3" in styles
    assert len(docx.tables) == len(document.tables())
    text = "\n".join(p.text for p in docx.paragraphs)
    text += "\n".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
    for panel in context.panels:
        assert panel.latest.value.text in text
    for signatory in context.signatories:
        assert signatory.name in text
    assert context.marking in docx.sections[0].header.paragraphs[0].text
    descriptions = [el.get("descr") for el in docx.element.body.iter() if el.tag.endswith("}docPr")]
    # One described picture per indicator and the demand section's fan chart.
    figures = [b for b in document.blocks if isinstance(b, Figure)]
    assert len(figures) == len(context.panels) + 1
    assert len(descriptions) == len(figures) and all(descriptions)
    assert "PAGEREF" in docx.element.xml


def _basket_rows(sheet) -> list[tuple]:
    """The rows under the basket table's header row, to the first blank row."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == "Indicator" and row[6] == "RAG")
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found.append(row)
    return found


def test_xlsx_summary_sections_numbers_rag_rules_and_charts(
    built: tuple[AnnualContext, Document], written: dict[str, Path]
) -> None:
    context, document = built
    book = load_workbook(written["xlsx"])
    sections = [b.text for b in document.blocks if isinstance(b, Heading) and b.level == 2]
    assert len(book.sheetnames) == 1 + len(sections) + 1
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Chart data"
    for sheet in book.worksheets:
        assert sheet["A2"].value == context.marking
    for sheet, heading in zip(book.worksheets[1:], sections, strict=False):
        assert sheet["A3"].value == heading
    summary = book["Summary"]
    texts = {c.value for row in summary.iter_rows() for c in row}
    assert set(context.letter) <= texts  # the letter's sentences
    basket = _basket_rows(summary)
    assert len(basket) == len(context.panels)
    assert [r[1] for r in basket] == pytest.approx([p.latest.value.number for p in context.panels])
    # Targets and tolerances are the contract's numbers (REREF_12M: 25 and 3), not "25%".
    assert [(r[4], r[5]) for r in basket] == [(p.target, p.tolerance) for p in context.panels]
    top = next(c.row for row in summary.iter_rows() for c in row if c.value == "Indicator") + 1
    assert summary.cell(top, 2).number_format == '#,##0.0"%"'
    assert summary.cell(top, 5).number_format == '#,##0"%"'
    assert summary.cell(top, 6).number_format == '#,##0" percentage points"'
    rag = f"G{top}:G{top + len(context.panels) - 1}"
    words = {
        str(r.formula[0])
        for cf in summary.conditional_formatting
        if str(cf.sqref) == rag
        for r in cf.rules
    }
    assert words == {f'"{p.rag_text}"' for p in (p.figure for p in context.panels) if p}
    # A native line chart per indicator with a trend, on Appendix A's sheet.
    charts = [c for sheet in book.worksheets for c in sheet._charts]
    assert len(charts) == len([p for p in context.panels if p.chart.points])
    assert all(len(c.series) == 3 for c in charts)


def _soffice(source: Path, target: str, folder: Path) -> subprocess.CompletedProcess[str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    return subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_xlsx_opens_in_libreoffice(
    built: tuple[AnnualContext, Document], written: dict[str, Path], tmp_path: Path
) -> None:
    """LibreOffice reads the workbook whole: every sheet, every chart, the conditional formats
    and the numbers, as its own spreadsheet (a file it could not load would not convert)."""
    book = load_workbook(written["xlsx"])
    done = _soffice(written["xlsx"], "ods", tmp_path)
    converted = tmp_path / written["xlsx"].with_suffix(".ods").name
    assert done.returncode == 0 and converted.exists(), done.stdout + done.stderr
    with zipfile.ZipFile(converted) as ods:
        content = ods.read("content.xml").decode("utf-8")
    assert re.findall(r'<table:table table:name="([^"]+)"', content) == book.sheetnames
    charts = sum(len(sheet._charts) for sheet in book.worksheets)
    assert charts and content.count("<draw:object ") == charts
    assert 'office:value-type="float"' in content
    assert "calcext:conditional-format " in content

    # The summary sheet as LibreOffice shows it (CSV of the cells as shown): each number in
    # its format reads exactly as the report writes it (23.0%, 25%, 3 percentage points).
    _, document = built
    shown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
    done = _soffice(written["xlsx"], shown, tmp_path)
    as_shown = tmp_path / written["xlsx"].with_suffix(".csv").name
    assert done.returncode == 0 and as_shown.exists(), done.stdout + done.stderr
    rows = list(csv.reader(as_shown.read_text(encoding="utf-8").splitlines()))
    basket = next(t for t in document.tables() if t.summary)
    start = next(n for n, r in enumerate(rows) if r[:1] == ["Indicator"]) + 1
    width = len(basket.columns)
    assert [r[:width] for r in rows[start : start + len(basket.rows)]] == [
        [c.text for c in row] for row in basket.rows
    ]


def test_html_is_self_contained_and_accessible(written: dict[str, Path]) -> None:
    page = written["html"].read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in page
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page and "<link" not in page
    images = re.findall(r"<img [^>]*>", page)
    assert images and all(re.search(r'alt="[^"]{40,}"', img) for img in images)
    # A table of the figures follows every chart.
    for chunk in page.split("<figure>")[1:]:
        assert chunk.index("<table") < chunk.index("<h3") if "<h3" in chunk else "<table" in chunk


def test_write_annual_review_writes_every_format(
    written: dict[str, Path], demo_settings: Settings
) -> None:
    year = latest_year(demo_settings)
    assert set(written) == {"html", "pdf", "docx", "xlsx"}
    for format, path in written.items():
        assert path.name == f"annual-review-{year}.{format}" and path.stat().st_size > 1000
    assert PdfReader(io.BytesIO(written["pdf"].read_bytes())).pages


def test_a_proposed_basket_shows_the_neighbours_this_review_uses(
    built: tuple[AnnualContext, Document],
) -> None:
    """NCR-2016-03 records the neighbours' figures typed into the request; beside each stands the
    statistical neighbours' mean Appendix A uses (the figure model's, with its DfE year), so the
    review never shows two neighbour figures for one indicator without saying which is which."""
    context, document = built
    proposed = [t for t in document.tables() if t.key.endswith("-basket")]
    assert proposed, "the demo's records hold a proposed basket"
    used = {p.code: p.figure for p in context.panels if p.figure is not None}
    for table in proposed:
        assert table.columns[-2:] == (
            "Statistical neighbours' figure, as the request records it",
            "Statistical neighbours' mean in this review",
        )
        for row in table.rows:
            figure = used.get(row[0].text)
            if figure is None:
                assert row[-1].text == "not in this review"
                continue
            b = figure.benchmark
            year = f" (DfE {b.year})" if b.year else ""
            assert row[-1].text == figure.benchmark_text(b.sn_mean) + year
            # Appendix A's panel shows that same mean.
            panel = next(p for p in context.panels if p.code == row[0].text)
            assert panel.comparison.sn_mean == b.sn_mean


def test_the_review_carries_the_demand_and_cost_section(
    built: tuple[AnnualContext, Document],
) -> None:
    context, document = built
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert headings.count("C.3 Demand and cost") == 1  # in Appendix C, once
    text = document.text()
    # The demo's records hold no modelled outturn: the section says so, with no figure.
    assert "No modelled forecast of placement spend is held for this period" in text
    assert context.demand is not None and context.demand.chart is not None
    assert "Fan chart of children looked after by Doncaster" in text
