"""The PDF's pages as WeasyPrint lays them out (`render.paged`, which the PDF is written from):
headings stay with what follows, short sections share a page, and no page is left less than
a third full except the last page of a part that always starts a new page (or of the report).
The DOCX's page references are the pages the PDF gives."""

from __future__ import annotations

import io
import re
from itertools import pairwise

import pytest
from docx import Document as read_docx

from cscmonitor.reports.document import Document, Heading, PageRef, Paragraph
from cscmonitor.reports.render import render
from cscmonitor.reports.render.paged import Page, anchor_pages, pages

THIRD = 1 / 3


def thin_pages(laid: tuple[Page, ...]) -> list[int]:
    """Pages under a third full that do not end a part: the next page is not a forced start,
    and the page is not the last."""
    return [p.number for p, after in pairwise(laid) if p.fill < THIRD and not after.forced]


def test_thin_pages_are_found_and_part_ends_are_allowed() -> None:
    """Hand-made pages: page 2 is a tenth full and page 3 follows on, so page 2 is thin;
    page 4 is as empty but page 5 starts a part, so page 4 ends one; page 5 is the last."""

    def page(number: int, fill: float, forced: bool = False) -> Page:
        return Page(number, fill, "p", "p", forced, frozenset())

    laid = (page(1, 1.0), page(2, 0.1), page(3, 0.9), page(4, 0.1), page(5, 0.2, forced=True))
    assert thin_pages(laid) == [2]


@pytest.fixture(scope="module", params=["annual", "quarterly"])
def report(request: pytest.FixtureRequest, demo_documents: dict[str, Document]) -> Document:
    return demo_documents[request.param]


def test_no_page_is_less_than_a_third_full_except_at_a_parts_end(report: Document) -> None:
    laid = pages(report)
    assert len(laid) > 5
    assert thin_pages(laid) == [], [(p.number, round(p.fill, 2)) for p in laid]


def test_no_page_ends_with_a_heading(report: Document) -> None:
    laid = pages(report)
    assert [p.number for p in laid if re.fullmatch(r"h[1-6]", p.last)] == []


def test_a_heading_is_never_stranded_at_a_pages_foot_in_the_quarterly_pack(
    demo_documents: dict[str, Document],
) -> None:
    """Issue 14: "Indicators, exceptions first" stood alone at the foot of page 1, its first
    indicator forced onto page 2. The section now starts its own page, with its indicator."""
    laid = pages(demo_documents["quarterly"])
    first = next(p for p in laid if "ind-reref-12m" in p.anchors)
    assert first.forced and first.first == "h2"


def _refs(document: Document) -> list[PageRef]:
    found: list[PageRef] = []
    for block in document.blocks:
        found += getattr(block, "refs", ())
        for item in getattr(block, "items", ()):
            found += item.refs
    return found


def test_docx_page_references_are_the_pdfs_pages(demo_documents: dict[str, Document]) -> None:
    """Each PAGEREF field opens showing the page its heading is on in the PDF, and Word is not
    asked to update fields on opening (the numbers are already there)."""
    document = demo_documents["annual"]
    on = anchor_pages(document)
    headings = {b.anchor: b.text for b in document.blocks if isinstance(b, Heading) and b.anchor}
    docx = read_docx(io.BytesIO(render(document, "docx")))
    assert "updateFields" not in docx.settings.element.xml
    shown = [p.text for p in docx.paragraphs if "PAGEREF" in p._p.xml]
    expected = []
    for block in document.blocks:
        holders = [block] if isinstance(block, Paragraph) else list(getattr(block, "items", ()))
        for holder in holders:
            for ref in holder.refs:
                pages_text = (
                    f"p. {on[ref.start]}" if not ref.end else (f"pp. {on[ref.start]}–{on[ref.end]}")
                )
                expected.append(f"{ref.label}, {pages_text}")
    assert len(_refs(document)) == len(expected) >= 10
    said = "\n".join(shown)
    for ref in expected:
        assert ref in said
    assert "?" not in "".join(re.findall(r"p\. \S+", said))
    # The pages are the headings' pages in the PDF, as its own layout put them.
    for anchor, text in headings.items():
        page = next(p for p in pages(document) if anchor in p.anchors)
        assert on[anchor] == page.number, text
