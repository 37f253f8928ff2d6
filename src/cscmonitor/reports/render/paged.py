"""A document laid out on A4 pages, once: the PDF is written from this layout, the DOCX takes
its page references from it, and the tests measure its pages.

WeasyPrint lays out the print HTML (`html.html_text(paged=True)`); each page of the result
knows the anchors on it and the boxes it holds, so a page reference is the page its anchor
landed on and a page's fullness is measured, not guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cscmonitor.reports.document import Document
from cscmonitor.reports.render.html import html_text

if TYPE_CHECKING:
    import weasyprint

# Blocks that take no room: an anchor at the end of an appendix.
_EMPTY = {"anchor"}
# Anchor pages of documents being laid out in another process (`render.pdf_worker`): a
# renderer here waits for those rather than laying the same document out a second time.
_ELSEWHERE: dict[Document, Callable[[], dict[str, int]]] = {}


@dataclass(frozen=True)
class Page:
    """One laid-out page: how full it is and what it starts and ends with."""

    number: int
    fill: float  # share of the content area (inside the margins) that its blocks use
    first: str  # tag of the first block on it (`h2`, `table`, `p` …)
    last: str  # tag of the last block that takes room
    forced: bool  # it starts a part that always starts a page (`Heading.new_page`)
    anchors: frozenset[str]


@lru_cache(maxsize=2)
def laid_out(document: Document) -> weasyprint.Document:
    """The document on pages (cached: the PDF and DOCX of one report share one layout)."""
    # Imported here: WeasyPrint loads Pango at import, which only paged output needs.
    import weasyprint

    html = weasyprint.HTML(string=html_text(document, paged=True), base_url=None)
    # Tagged PDF: headings, tables and figures' alt text reach screen readers.
    return html.render(pdf_tags=True)


@contextmanager
def laid_out_elsewhere(document: Document, anchors: Callable[[], dict[str, int]]) -> Iterator[None]:
    """Meanwhile `anchor_pages(document)` is `anchors()`, the pages another process laid the
    document out on; called only if a renderer asks for them."""
    _ELSEWHERE[document] = anchors
    try:
        yield
    finally:
        del _ELSEWHERE[document]


def anchor_pages(document: Document) -> dict[str, int]:
    """The page (from 1) each anchor is on; the first, if an anchor were on two."""
    elsewhere = _ELSEWHERE.get(document)
    if elsewhere is not None:
        return elsewhere()
    found: dict[str, int] = {}
    for number, page in enumerate(laid_out(document).pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


def _blocks(page_box: Any) -> list[Any]:
    """The top-level blocks of the page's `main` element: the document's own blocks."""
    for box in page_box.descendants():
        if getattr(box, "element_tag", None) == "main":
            return list(box.children)
    return []


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def pages(document: Document) -> tuple[Page, ...]:
    """Every page of the layout, measured."""
    measured = []
    for number, page in enumerate(laid_out(document).pages, start=1):
        box = page._page_box  # WeasyPrint keeps the layout's boxes here
        top, height = box.content_box_y(), box.height
        blocks = [b for b in _blocks(box) if not _classes(b) & _EMPTY]
        bottom = max((b.position_y + b.margin_height() for b in blocks), default=top)
        measured.append(
            Page(
                number=number,
                fill=(bottom - top) / height,
                first=blocks[0].element_tag if blocks else "",
                last=blocks[-1].element_tag if blocks else "",
                forced=bool(blocks) and "new-page" in _classes(blocks[0]),
                anchors=frozenset(page.anchors),
            )
        )
    return tuple(measured)
