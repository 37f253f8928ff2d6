"""XLSX: the report as a workbook a council can send and work from.

Sheets in order: "Summary" (the title, the date, the front matter, the key sentences and the
basket table), one sheet per section (each level-2 heading, its text and its tables), and
"Chart data" (the figures each chart draws). Numbers are numbers in number formats; RAG colours
are conditional formats on what the cells say; each indicator's trend is a native line chart
beside the table of its figures. The file records the document's date, never the clock's, so
the same document gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from cscmonitor.reports.document import Block, Document, Heading, Table
from cscmonitor.reports.render import register
from cscmonitor.reports.render.stamp import document_time, restamp
from cscmonitor.reports.render.xlsx_chart import CHART_DATA
from cscmonitor.reports.render.xlsx_sheet import SheetWriter, column_widths, put

MAX_SHEET_NAME = 31
SUMMARY = "Summary"
RESERVED = ("history",)  # a sheet name Excel keeps for itself
# An undated document is stamped with the earliest time a zip entry can carry.
NO_DATE = (1980, 1, 1, 0, 0, 0)
CHART_DATA_NOTE = (
    "The figures each chart draws; a cell is blank where the report shows no figure "
    "(suppressed as c, or none held)."
)


SMALL_WORDS = frozenset(
    ("a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to", "with")
)


def _clipped(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a comma or else a word (mid-word only when one word
    is longer), without a small word left dangling at the end."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    if "," in head:
        return head.rsplit(",", 1)[0].strip()
    if " " not in head:
        return text[:limit]
    words = head.rsplit(" ", 1)[0].split(" ")
    while len(words) > 1 and words[-1].lower() in SMALL_WORDS:
        words.pop()
    return " ".join(words)


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Unique sheet names Excel accepts: 31 characters, none of []:*?/\\, no apostrophe at
    either end, not `History`; compared without case, as Excel does."""
    names: list[str] = []
    for title in titles:
        words = " ".join(re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", title).split())
        base = _clipped(words, MAX_SHEET_NAME).strip("'").strip() or "Sheet"
        name, n = base, 2 if base.lower() not in RESERVED else 1
        while name.lower() in RESERVED or name.lower() in (x.lower() for x in names):
            suffix = f" ({n})"
            name = _clipped(base, MAX_SHEET_NAME - len(suffix)) + suffix
            n += 1
        names.append(name)
    return names


def sections(document: Document) -> tuple[list[Block], list[tuple[Heading, list[Block]]]]:
    """The front matter (before the first section), then each level-2 heading's blocks."""
    front: list[Block] = []
    parts: list[tuple[Heading, list[Block]]] = []
    for block in document.blocks:
        if isinstance(block, Heading) and block.level == 1:
            continue  # the title heads every sheet
        if isinstance(block, Heading) and block.level == 2:
            parts.append((block, []))
        else:
            (parts[-1][1] if parts else front).append(block)
    return front, parts


def _head(sheet: Worksheet, document: Document, heading: str) -> None:
    """Every sheet's first rows: the title, the report's marking and the sheet's heading."""
    put(sheet.cell(1, 1), document.title).font = Font(bold=True, size=16)
    put(sheet.cell(2, 1), document.marking).font = Font(italic=True)
    put(sheet.cell(3, 1), heading).font = Font(bold=True, size=14)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _summary(writer: SheetWriter, document: Document, front: list[Block], names: list[str]) -> None:
    """Title, date and front matter (what comes before the first section); the key sentences;
    the tables marked as the summary; then the contents, each sheet linked."""
    if document.date is not None:
        writer.facts([("Date", document.date)])
    summary = document.summary()
    writer.write([b for b in front if not any(b is s for s in summary)])
    sentences = [b for b in summary if not isinstance(b, Table)]
    if sentences:
        writer.write([Heading(3, "Key points"), *sentences])
    writer.write([b for b in summary if isinstance(b, Table)])
    writer.skip()
    writer.text("Contents", font=Font(bold=True, size=12))
    for name in names:
        cell = writer.text(name, font=Font(color="1D70B8", underline="single"))
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=_place(name, 1))


def _place(sheet: str, row: int) -> str:
    return "'" + sheet.replace("'", "''") + f"'!A{row}"


def _save(book: Workbook, document: Document) -> bytes:
    """The workbook's bytes, stamped with the document's time in its properties and in every
    zip entry (openpyxl would stamp the time of writing), so that they are the same each time:
    `stamp.restamp`, as the DOCX is."""
    when = document_time(document) or dt.datetime(*NO_DATE)
    book.properties.created = book.properties.modified = when
    written = io.BytesIO()
    book.save(written)
    return restamp(written.getvalue(), when)


@register("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def render_xlsx(document: Document) -> bytes:
    front, parts = sections(document)
    charted = any(t.charted for t in document.tables())
    names = sheet_names(
        [SUMMARY, *(heading.text for heading, _ in parts), *([CHART_DATA] if charted else [])]
    )
    book = Workbook()
    book.remove(book.active)
    sheets = [book.create_sheet(name) for name in names]
    data = sheets[-1] if charted else None
    anchors: dict[str, tuple[str, int]] = {}
    if data is not None:
        _head(data, document, CHART_DATA)
        put(data.cell(4, 1), CHART_DATA_NOTE).font = Font(italic=True)
        data.column_dimensions["A"].width = 24
    _head(sheets[0], document, SUMMARY)
    first = SheetWriter(
        sheets[0], column_widths([*front, *document.summary()]), None, anchors, row=5
    )
    writers = [first]
    for sheet, (heading, blocks) in zip(sheets[1:], parts, strict=False):
        _head(sheet, document, heading.text)
        if heading.anchor:
            anchors[heading.anchor] = (sheet.title, 3)
        writer = SheetWriter(sheet, column_widths(blocks), data, anchors, row=5)
        writer.write(blocks)
        writers.append(writer)
    _summary(first, document, front, names[1:])
    for writer in writers:
        for cell, ref in writer.references:
            if ref.start in anchors:
                cell.hyperlink = Hyperlink(
                    ref=cell.coordinate, location=_place(*anchors[ref.start])
                )
    properties = book.properties
    properties.title, properties.subject = document.title, document.subject
    properties.creator, properties.description = document.author, document.marking
    properties.language = document.lang
    return _save(book, document)
