"""The neutral document every report is laid out as, and every renderer reads.

A report's context (its figures and facts) is laid out once as a `Document`: headings,
paragraphs, lists, tables, figures and page references. Each format's renderer turns the same
document into bytes, so a new format touches one renderer and a new report one layout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    # Only a type here: importing wording at run time would load pandas and SciPy into every
    # process that merely reads a document (the PDF's worker process among them).
    from cscmonitor.wording import Tone


@dataclass(frozen=True)
class Cell:
    """A table cell: the text shown, and the number behind it for a spreadsheet (None for text)."""

    text: str
    number: float | None = None
    # An Excel number format for `number`, e.g. '0.0', '#,##0', '"£"#,##0'.
    number_format: str | None = None
    tone: Tone = "none"  # RAG colour; the text always says it too


@dataclass(frozen=True)
class PageRef:
    """A reference to the pages holding the detail: `Appendix A.1, p. 17` (pp. for a range).

    A layout names only the anchors; `layout.numbering.numbered` writes the label from the
    heading that holds the anchor, so a reference always says that heading's letter.
    """

    start: str  # anchor of the first page
    end: str | None = None  # anchor of the last page, for a range
    label: str = ""


@dataclass(frozen=True)
class Heading:
    level: int  # 1 is the document's title; no level is skipped going down
    text: str
    anchor: str | None = None
    new_page: bool = False  # only a major part starts a page; the rest flow
    # Numbered by `layout.numbering.numbered`: a level-2 heading is the next appendix
    # (`Appendix C: Finance`), a level-3 heading the next section in it (`C.2 …`).
    appendix: bool = False


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look: emphasis, strong, a link (http(s) or mailto only)."""

    text: str
    emphasis: bool = False
    strong: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str  # always the plain text; `runs`, when given, are the same text with its looks
    refs: tuple[PageRef, ...] = ()
    style: Literal["body", "lead", "note", "quote", "signature"] = "body"
    runs: tuple[Run, ...] = ()
    # One of the report's key sentences: a format that opens with a summary (the XLSX
    # summary sheet) repeats it there; the others show it where it stands.
    summary: bool = False


@dataclass(frozen=True)
class Item:
    text: str  # always the plain text; `runs`, when given, are the same text with its looks
    refs: tuple[PageRef, ...] = ()
    runs: tuple[Run, ...] = ()


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]
    ordered: bool = False
    summary: bool = False  # as Paragraph.summary


@dataclass(frozen=True)
class Facts:
    """Label and value pairs (a description list): the report's header, a letter's heading."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    key: str  # unique within the document: the anchor, and the spreadsheet's sheet
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_headers: bool = True  # the first cell of each row heads it
    notes: tuple[str, ...] = ()
    summary: bool = False  # as Paragraph.summary: the basket table
    # The columns the figure before this table draws against its first column, for a format
    # that draws its charts natively from the cells (XLSX); the others show the figure's PNG.
    charted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A chart drawn once as PNG; `alt` describes what it shows, and a table always follows."""

    png: bytes
    alt: str
    caption: str
    width_mm: float = 160.0


@dataclass(frozen=True)
class Anchor:
    """An invisible place to refer to, such as the end of an appendix."""

    name: str


Block = Heading | Paragraph | Bullets | Facts | Table | Figure | Anchor


@dataclass(frozen=True)
class Document:
    title: str
    marking: str  # what kind of report it is, on every page: internal or for publication
    blocks: tuple[Block, ...]
    subject: str = ""
    author: str = ""
    lang: str = "en-GB"
    filename: str = "report"
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # The date the document speaks as at (a letter's date, a pack's as-at date): summaries
    # state it and files record it as their created and modified time, never the clock's.
    date: dt.date | None = None

    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))

    def summary(self) -> tuple[Paragraph | Bullets | Table, ...]:
        """The blocks marked as the report's summary, in reading order."""
        return tuple(
            b for b in self.blocks if isinstance(b, Paragraph | Bullets | Table) and b.summary
        )

    def text(self) -> str:
        """Every piece of text in reading order (for tests and search)."""
        parts: list[str] = [self.title, self.marking]
        for block in self.blocks:
            match block:
                case Heading(text=text) | Paragraph(text=text):
                    parts.append(text)
                case Bullets(items=items):
                    parts.extend(i.text for i in items)
                case Facts(pairs=pairs):
                    parts.extend(f"{k}: {v}" for k, v in pairs)
                case Table(caption=caption, columns=columns, rows=rows):
                    parts.append(caption)
                    parts.append(" | ".join(columns))
                    parts.extend(" | ".join(c.text for c in row) for row in rows)
                case Figure(alt=alt, caption=caption):
                    parts.extend((caption, alt))
                case Anchor():
                    pass
        return "\n".join(parts)
