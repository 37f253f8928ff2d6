"""Writing a document's blocks onto one worksheet, top to bottom: text as wrapped rows, tables
with their numbers in number formats and RAG colours as conditional formats (the word is always
there too), and a native chart beside each table a figure draws."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import assert_never

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cscmonitor.reports.document import (
    Anchor,
    Block,
    Bullets,
    Cell,
    Facts,
    Figure,
    Heading,
    PageRef,
    Paragraph,
    Table,
)
from cscmonitor.reports.render.xlsx_chart import ROWS_TALL, line_chart, write_data
from cscmonitor.wording import Tone

TEXT_WIDTH = 110  # characters across a row of prose, over as many columns as that takes
LINE_POINTS = 15.0  # the height of a line of 11-point text
NARROWEST, WIDEST = 10, 50  # column widths, in characters
MOST_CHARACTERS = 32_767  # what one cell holds
RULE_TEXT = 255  # the longest string a conditional format's formula may compare with
HEADER_FILL = PatternFill(start_color="F3F2F1", end_color="F3F2F1", fill_type="solid")
RULED = Border(bottom=Side(style="thin"))
WRAPPED = Alignment(wrap_text=True, vertical="top", horizontal="left")
INDENTED = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=1)
TOP = Alignment(vertical="top")
DATE_FORMAT = "d mmmm yyyy"


def tone_colours(tone: Tone) -> tuple[str, str] | None:
    """The text and fill colours of a RAG tone (the HTML report's), or none."""
    match tone:
        case "green":
            return "005A30", "CCE2D8"
        case "amber":
            return "6E3619", "FCD6C3"
        case "red":
            return "2A0B06", "F4CDC6"
        case "grey":
            return "282D30", "E5E6E7"
        case "none":
            return None
        case _:
            assert_never(tone)


def clean(text: str) -> str:
    """Text a cell may hold: no control characters, no more than a cell takes."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MOST_CHARACTERS]


def put(cell: SheetCell, value: str | float | dt.date | None) -> SheetCell:
    """Set a cell; text is always text, even when it starts with `=` (typed commentary)."""
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def column_widths(blocks: Iterable[Block]) -> list[float]:
    """Each column's width on a sheet: wide enough for its longest cell, within bounds."""
    widths: list[float] = []

    def fit(i: int, text: str) -> None:
        while len(widths) <= i:
            widths.append(NARROWEST)
        widths[i] = min(max(widths[i], len(text) + 2), WIDEST)

    for block in blocks:
        match block:
            case Table(columns=columns, rows=rows):
                for i, name in enumerate(columns):
                    fit(i, max(name.split(), key=len, default=""))
                    for row in rows:
                        fit(i, row[i].text)
            case Facts(pairs=pairs):
                for label, _ in pairs:
                    fit(0, label)
            case _:
                pass
    return widths or [NARROWEST]


def lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in `width` characters (prose runs a little narrower
    than the digits a column's width is counted in)."""
    per_line = max(width * 1.1, 1.0)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


@dataclass
class SheetWriter:
    """Appends blocks to a sheet; the anchors it meets and the references it writes are kept
    so that the workbook can link each reference to the place it names."""

    sheet: Worksheet
    widths: list[float]
    chart_data: Worksheet | None = None
    anchors: dict[str, tuple[str, int]] = field(default_factory=dict)
    references: list[tuple[SheetCell, PageRef]] = field(default_factory=list)
    row: int = 1
    _figure: Figure | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        for i, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = width

    def _width(self, column: int) -> float:
        return self.widths[column - 1] if column <= len(self.widths) else NARROWEST

    def _span(self, first: int, within: int | None) -> tuple[int, float]:
        """The last column a row of prose from `first` is merged to (no further than column
        `within`, when given), and its width."""
        last, width = first, self._width(first)
        end = within or max(len(self.widths), first + 8)
        while width < TEXT_WIDTH and last < end:
            last += 1
            width += self._width(last)
        return last, width

    def text(
        self,
        text: str | dt.date,
        *,
        font: Font | None = None,
        first: int = 1,
        within: int | None = None,
        beside: str = "",
    ) -> SheetCell:
        """A row of prose (or a date) from column `first`, merged across enough columns to
        read, up to column `within` when given; `beside` is a label already in column A, which
        the row must be tall enough for too."""
        last, width = self._span(first, within)
        cell = put(self.sheet.cell(self.row, first), text)
        cell.alignment = WRAPPED
        if isinstance(text, dt.date):
            cell.number_format, text = DATE_FORMAT, f"{text:%d %B %Y}"
        if font is not None:
            cell.font = font
        if last > first:
            self.sheet.merge_cells(
                start_row=self.row, start_column=first, end_row=self.row, end_column=last
            )
        needed = max(lines(text, width), lines(beside, self._width(1)))
        if needed > 1:
            self.sheet.row_dimensions[self.row].height = needed * LINE_POINTS
        self.row += 1
        return cell

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def write(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            match block:
                case Heading():
                    self.heading(block)
                case Paragraph():
                    self.paragraph(block)
                case Bullets():
                    self.bullets(block)
                case Facts():
                    self.facts(block.pairs)
                case Table():
                    self.table(block)
                case Figure():
                    self.figure(block)
                case Anchor(name=name):
                    self.anchors[name] = (self.sheet.title, self.row)
                case _:
                    assert_never(block)

    def heading(self, block: Heading) -> None:
        if self.row > 5:
            self.skip()
        if block.anchor:
            self.anchors[block.anchor] = (self.sheet.title, self.row)
        size = {1: 16, 2: 14}.get(block.level, 12)
        self.text(block.text, font=Font(bold=True, size=size))

    def _referring(self, text: str, refs: tuple[PageRef, ...], font: Font | None) -> None:
        said = f"{text} (see {'; '.join(r.label for r in refs)})" if refs else text
        cell = self.text(said, font=font)
        if refs:
            self.references.append((cell, refs[0]))

    def paragraph(self, block: Paragraph) -> None:
        font: Font | None
        match block.style:
            case "lead":
                font = Font(bold=True)
            case "note":
                font = Font(italic=True, color="505A5F")
            case "quote":
                font = Font(italic=True)
            case "body" | "signature":
                font = None
            case _:
                assert_never(block.style)
        self._referring(block.text, block.refs, font)

    def bullets(self, block: Bullets) -> None:
        for n, item in enumerate(block.items, start=1):
            mark = f"{n}." if block.ordered else "•"
            self._referring(f"{mark} {item.text}", item.refs, None)

    def facts(self, pairs: Iterable[tuple[str, str | dt.date]]) -> None:
        for label, value in pairs:
            put(self.sheet.cell(self.row, 1), label).font = Font(bold=True)
            self.sheet.cell(self.row, 1).alignment = WRAPPED
            self.text(value, first=2, beside=label)

    def figure(self, block: Figure) -> None:
        """The figure's words; its chart is drawn beside the table of its figures."""
        self.skip()
        self.text(block.caption, font=Font(bold=True, italic=True))
        self.text(block.alt, font=Font(italic=True, color="505A5F"))
        self._figure = block

    def table(self, block: Table) -> None:
        self.skip()
        top = self.row
        self.text(block.caption, font=Font(bold=True))
        for i, name in enumerate(block.columns, start=1):
            cell = put(self.sheet.cell(self.row, i), name)
            cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, RULED
            cell.alignment = WRAPPED
        tallest = max(lines(name, self._width(i)) for i, name in enumerate(block.columns, 1))
        if tallest > 1:
            self.sheet.row_dimensions[self.row].height = tallest * LINE_POINTS
        self.row += 1
        first = self.row
        for cells in block.rows:
            self._row(cells, block.row_headers)
        self._rag_rules(block, first, self.row - 1)
        for note in block.notes:  # under the table, clear of a chart beside it
            self.text(note, font=Font(italic=True, color="505A5F"), within=len(block.columns))
        if block.charted and self.chart_data is not None:
            drawn = write_data(self.chart_data, block)
            title = self._figure.caption if self._figure else block.caption
            corner = f"{get_column_letter(len(block.columns) + 2)}{top}"
            self.sheet.add_chart(line_chart(self.chart_data, drawn, title), corner)
            self.row = max(self.row, top + ROWS_TALL)
        self._figure = None

    def _row(self, cells: tuple[Cell, ...], row_headers: bool) -> None:
        tallest = 1
        for i, source in enumerate(cells, start=1):
            cell = self.sheet.cell(self.row, i)
            if source.number is not None:
                put(cell, source.number)
                cell.alignment = TOP
                if source.number_format:
                    cell.number_format = source.number_format
            else:
                put(cell, source.text)
                # Indented, so that words do not run on from a number right-aligned beside them.
                cell.alignment = WRAPPED if i == 1 else INDENTED
                tallest = max(tallest, lines(source.text, self._width(i)))
            if i == 1 and row_headers:
                cell.font = Font(bold=True)
        if tallest > 1:
            self.sheet.row_dimensions[self.row].height = tallest * LINE_POINTS
        self.row += 1

    def _rag_rules(self, block: Table, first: int, last: int) -> None:
        """Colour each toned column by what its cells say: a rule per word (Red, Amber…)."""
        if last < first:
            return
        for i in range(len(block.columns)):
            toned = {row[i].text: row[i].tone for row in block.rows if row[i].tone != "none"}
            letter = get_column_letter(i + 1)
            for text, tone in toned.items():
                colours = tone_colours(tone)
                if colours is None or len(text) > RULE_TEXT:
                    continue
                ink, fill = colours
                self.sheet.conditional_formatting.add(
                    f"{letter}{first}:{letter}{last}",
                    CellIsRule(
                        operator="equal",
                        formula=['"' + text.replace('"', '""') + '"'],
                        font=Font(color=ink, bold=True),
                        fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"),
                    ),
                )
