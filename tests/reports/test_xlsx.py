"""The XLSX renderer on a small hand-made document: a summary sheet first, a sheet per section,
numbers as numbers in their formats, RAG colours as conditional formats, a native chart beside
the table it draws, references linked, typed text kept as text, and the same bytes twice."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from cscmonitor.indicators.registry import Unit
from cscmonitor.reports.document import (
    Cell,
    Document,
    Facts,
    Figure,
    Heading,
    PageRef,
    Paragraph,
    Table,
)
from cscmonitor.reports.layout.common import agreed_cell
from cscmonitor.reports.render.xlsx import render_xlsx, sheet_names

DATE = dt.date(2016, 1, 29)
PERCENT = '#,##0.0"%"'
WHOLE_PERCENT = '#,##0"%"'
MARKING = "Internal — not for publication"

BASKET = Table(
    key="basket",
    caption="The basket in contract year 1",
    columns=("Indicator", "Value", "Target", "RAG"),
    rows=(
        (
            Cell("Re-referrals (REREF_12M)"),
            Cell("23.4%", 23.4, PERCENT),
            Cell("25%", 25, WHOLE_PERCENT),
            Cell("Green", tone="green"),
        ),
        (
            Cell("Repeat plans (CPP_REPEAT)"),
            Cell("c"),  # suppressed: it stays the letter the report shows
            Cell("14%", 14, WHOLE_PERCENT),
            Cell("Red", tone="red"),
        ),
        (
            Cell("Agency social workers (SW_AGENCY)"),
            Cell("13.1%", 13.1, PERCENT),
            Cell("12%", 12, WHOLE_PERCENT),
            Cell("Amber", tone="amber"),
        ),
    ),
    summary=True,
)

SERIES = Table(
    key="series-a1",
    caption="Re-referrals: the data behind the chart",
    columns=("12 months", "Numerator", "Value", "95% CI lower", "95% CI upper"),
    rows=(
        (
            Cell("Oct 2013–Sep 2014"),
            Cell("1,986", 1986, "#,##0"),
            Cell("38.0%", 38.0, PERCENT),
            Cell("36.7%", 36.7, PERCENT),
            Cell("39.3%", 39.3, PERCENT),
        ),
        (Cell("Jan 2014–Dec 2014"), Cell("c"), Cell("c"), Cell("c"), Cell("c")),
        (
            Cell("Oct 2014–Sep 2015"),
            Cell("1,000", 1000, "#,##0"),
            Cell("23.0%", 23.0, PERCENT),
            Cell("21.8%", 21.8, PERCENT),
            Cell("24.3%", 24.3, PERCENT),
        ),
    ),
    charted=("Value", "95% CI lower", "95% CI upper"),
)

INJECTED = '=HYPERLINK("http://example.org","click")'

DOCUMENT = Document(
    title="Annual review: contract year 1",
    marking=MARKING,
    date=DATE,
    blocks=(
        Heading(1, "Annual review: contract year 1"),
        Facts((("Contract", "Test contract"),)),
        Heading(2, "Covering letter"),
        Paragraph("Dear Secretary of State,"),
        Paragraph("Services are improving.", summary=True),
        Paragraph("Yours sincerely"),
        Heading(2, "Appendix A: Performance indicators", anchor="appendix-a"),
        BASKET,
        Heading(3, "A.1 Re-referrals", anchor="appendix-a-1"),
        Figure(png=b"not drawn in a workbook", alt="Fell from 38.0% to 23.0%.", caption="Trend"),
        SERIES,
        Heading(2, "Abridged report"),
        Paragraph("Re-referrals fell.", refs=(PageRef("appendix-a-1", label="Appendix A.1"),)),
        Paragraph(INJECTED, style="quote"),
    ),
)


@pytest.fixture(scope="module")
def data() -> bytes:
    return render_xlsx(DOCUMENT)


@pytest.fixture(scope="module")
def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _rows(sheet, first: str) -> list[tuple]:
    """The rows of the table whose header row starts with `first`, to the first blank row."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == first) + 1
    found = []
    for row in rows[start:]:
        if row[0] is None:
            break
        found.append(row)
    return found


def _row_of(sheet, text: str) -> int:
    return next(c.row for row in sheet.iter_rows() for c in row if c.value == text)


def test_summary_first_then_a_sheet_per_section_then_the_chart_data(book: Workbook) -> None:
    # "Appendix A: Performance indicators" is 34 characters: the colon goes, and the name is
    # cut at the last whole word within 31 ("Appendix A Performance indicator" is 32).
    assert book.sheetnames == [
        "Summary",
        "Covering letter",
        "Appendix A Performance",
        "Abridged report",
        "Chart data",
    ]
    for sheet in book.worksheets:
        assert sheet["A1"].value == DOCUMENT.title and sheet["A2"].value == MARKING


def test_the_summary_holds_the_date_the_key_sentences_and_the_basket(book: Workbook) -> None:
    summary = book["Summary"]
    texts = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    date = summary.cell(_row_of(summary, "Date"), 2)
    assert date.value == dt.datetime(2016, 1, 29) and date.number_format == "d mmmm yyyy"
    assert "Services are improving." in texts
    # Only the sentences marked as the summary: not the letter's greeting or its close.
    assert "Dear Secretary of State," not in texts and "Yours sincerely" not in texts
    assert [r[:3] for r in _rows(summary, "Indicator")] == [
        ("Re-referrals (REREF_12M)", 23.4, 25),
        ("Repeat plans (CPP_REPEAT)", "c", 14),
        ("Agency social workers (SW_AGENCY)", 13.1, 12),
    ]
    # The contents name every other sheet.
    assert texts[-4:] == [
        "Covering letter",
        "Appendix A Performance",
        "Abridged report",
        "Chart data",
    ]


def test_numbers_are_numbers_in_their_formats_and_c_stays_text(book: Workbook) -> None:
    sheet = book["Appendix A Performance"]
    top = _row_of(sheet, "Indicator") + 1
    value, target, suppressed = sheet.cell(top, 2), sheet.cell(top, 3), sheet.cell(top + 1, 2)
    assert (value.value, value.data_type, value.number_format) == (23.4, "n", PERCENT)
    assert (target.value, target.data_type, target.number_format) == (25, "n", WHOLE_PERCENT)
    assert (suppressed.value, suppressed.data_type) == ("c", "s")


def test_rag_colours_are_conditional_formats_on_the_words(book: Workbook) -> None:
    """One rule per word on the RAG column (D) of the basket's three rows; no static fill."""
    for name in ("Summary", "Appendix A Performance"):
        sheet = book[name]
        top = _row_of(sheet, "Indicator") + 1
        span = f"D{top}:D{top + 2}"
        rules = {
            str(r.formula[0]): r.dxf.fill.fgColor.rgb[-6:]
            for cf in sheet.conditional_formatting
            if str(cf.sqref) == span
            for r in cf.rules
        }
        assert rules == {'"Green"': "CCE2D8", '"Red"': "F4CDC6", '"Amber"': "FCD6C3"}
        assert sheet.cell(top, 4).value == "Green" and sheet.cell(top, 4).fill.fill_type is None


def test_a_native_chart_beside_the_table_it_draws(book: Workbook) -> None:
    sheet = book["Appendix A Performance"]
    (chart,) = sheet._charts
    # The series table has five columns: the chart stands one column clear of it, at G,
    # level with the table's caption.
    assert chart.anchor._from.col == 6
    assert chart.anchor._from.row + 1 == _row_of(sheet, SERIES.caption)
    assert len(chart.series) == 3
    refs = [s.val.numRef.f for s in chart.series]
    assert all(ref.startswith("'Chart data'!") for ref in refs)
    # On the chart-data sheet the suppressed row is blank (a gap, not a zero on the line).
    data = book["Chart data"]
    assert _rows(data, "12 months") == [
        ("Oct 2013–Sep 2014", 38.0, 36.7, 39.3),
        ("Jan 2014–Dec 2014", None, None, None),
        ("Oct 2014–Sep 2015", 23.0, 21.8, 24.3),
    ]
    # The figure's words stay: its caption and what it shows.
    texts = [c.value for row in sheet.iter_rows() for c in row]
    assert "Trend" in texts and "Fell from 38.0% to 23.0%." in texts


def test_a_reference_links_to_the_place_it_names(book: Workbook) -> None:
    sheet = book["Abridged report"]
    cell = sheet.cell(_row_of(sheet, "Re-referrals fell. (see Appendix A.1)"), 1)
    row = _row_of(book["Appendix A Performance"], "A.1 Re-referrals")
    assert cell.hyperlink.location == f"'Appendix A Performance'!A{row}"


def test_typed_text_that_looks_like_a_formula_stays_text(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(n).decode("utf-8") for n in names)
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_the_same_document_gives_the_same_bytes_dated_by_the_document(data: bytes) -> None:
    assert render_xlsx(DOCUMENT) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2016, 1, 29, 0, 0, 0)}
    properties = load_workbook(io.BytesIO(data)).properties
    assert properties.created == properties.modified == dt.datetime(2016, 1, 29)


def test_sheet_names_excel_accepts() -> None:
    names = sheet_names(
        [
            "Summary",
            "summary",  # the same name to Excel, which ignores case
            "History",  # kept by Excel for itself
            "Appendix E: Priorities, joint focus and innovation",
            "Appendix D: Proposed changes to the Agreement",
            "What? [draft] a/b",
            "'quoted'",
        ]
    )
    assert names == [
        "Summary",
        "summary (2)",
        "History (1)",
        "Appendix E Priorities",  # cut at the comma
        "Appendix D Proposed changes",  # "to" is not left dangling
        "What draft a b",
        "quoted",
    ]
    assert all(len(n) <= 31 for n in names)


def test_an_undated_document_is_stamped_with_the_zip_epoch_not_the_clock() -> None:
    undated = replace(DOCUMENT, date=None)
    data = render_xlsx(undated)
    assert render_xlsx(undated) == data
    book = load_workbook(io.BytesIO(data))
    assert book.properties.created == dt.datetime(1980, 1, 1)
    assert "Date" not in [c.value for row in book["Summary"].iter_rows() for c in row]


@pytest.mark.parametrize(
    ("value", "unit", "tolerance", "expected"),
    [
        (25, Unit.PERCENT, False, Cell("25%", 25, '#,##0"%"')),
        (
            2.5,
            Unit.PERCENT,
            True,
            Cell("2.5 percentage points", 2.5, '#,##0.0" percentage points"'),
        ),
        (0.25, Unit.RATIO, False, Cell("0.25", 0.25, "#,##0.00")),
        (1200, Unit.DAYS, False, Cell("1,200 days", 1200, '#,##0" days"')),
        (None, Unit.PERCENT, False, Cell("none")),
    ],
)
def test_a_contract_term_keeps_its_number_with_the_decimals_it_was_agreed_with(
    value: float | None, unit: Unit, tolerance: bool, expected: Cell
) -> None:
    assert agreed_cell(value, unit, tolerance=tolerance) == expected
