"""Read the demo's reports as their readers would: the known wording defects of issue 14, and
the rules of docs/reports.md ("How the documents read"), checked on the laid-out document and
on the rendered PDF and DOCX.

Running text is what people read as prose: paragraphs and list items. Tables, label/value facts
and headings have their own rules (dates, typed cross-references) but are not sentences.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from itertools import pairwise

import pytest
from pypdf import PdfReader

from cscmonitor.reports.context.annual import AnnualContext
from cscmonitor.reports.document import (
    Anchor,
    Bullets,
    Document,
    Facts,
    Heading,
    PageRef,
    Paragraph,
    Table,
)
from cscmonitor.reports.render import render

MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
# Spelled numbers the rule gives as figures: "thirteen inspections" is "13 inspections".
TEN_AND_OVER = [
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"),
    *("sixteen", "seventeen", "eighteen", "nineteen", "twenty"),
]
# Digits before these words are labels or measures, not counts: "contract year 2 target",
# "quarter 2", "page 3", "3 percentage points", "6 months", "3 or more".
LABEL_BEFORE = {"year", "quarter", "page", "phase", "band", "p.", "pp.", "appendix"}
MEASURE_AFTER = {"percentage", "per", "or", "to", "and", "of", "in"} | {
    f"{unit}{s}" for unit in ("day", "week", "month", "year", "hour") for s in ("", "s")
}


def running(document: Document) -> list[tuple[str, str]]:
    """(style, text) of every paragraph and list item, in reading order."""
    found: list[tuple[str, str]] = []
    for block in document.blocks:
        match block:
            case Paragraph(text=text, style=style):
                found.append((style, text))
            case Bullets(items=items):
                found.extend(("body", i.text) for i in items)
            case _:
                pass
    return found


def prose(document: Document) -> str:
    return "\n".join(text for _, text in running(document))


def sentences(text: str) -> list[str]:
    """Sentences of at least six words, normalised: case, spacing and end punctuation."""
    found = []
    for part in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9£])", text):
        words = re.sub(r"[^\w£%.,;:'()–-]+", " ", part).lower().split()
        if len(words) >= 6:
            found.append(" ".join(words).rstrip(".;:,"))
    return found


def repeated_sentences(document: Document) -> list[str]:
    counts = Counter(s for _, text in running(document) for s in sentences(text))
    return [s for s, n in counts.items() if n > 1]


def double_stops(text: str) -> list[str]:
    return [
        text[max(0, m.start() - 30) : m.end() + 5] for m in re.finditer(r"(?<!\.)\.\.(?!\.)", text)
    ]


def date_defects(text: str, *, abbreviated: bool = True) -> list[str]:
    """Dates not written `30 September 2015`: lower-case months, ISO dates, ordinals, and
    (unless `abbreviated` is off, for text extracted from a PDF, where a table's `Jun 2015`
    follows the figure of the cell before) abbreviated months beside a day."""
    lower = "|".join(m.lower() for m in MONTHS)
    short = "|".join(m[:3] for m in MONTHS if m != "May")  # "12 May 2015" is right
    patterns = (
        rf"\b\d{{1,2}} (?:{lower})\b",
        rf"\b(?:{lower}) \d{{4}}\b",
        r"\b\d{4}-\d{2}-\d{2}\b",
        r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        r"\b\d{1,2}(?:st|nd|rd|th) [A-Z][a-z]+",
        *([rf"\b\d{{1,2}} (?:{short})\b(?!\w)"] if abbreviated else []),
    )
    return [m.group(0) for p in patterns for m in re.finditer(p, text)]


def number_defects(text: str) -> list[str]:
    """Counts against the rule: words for one to nine, figures from 10."""
    found = [m.group(0) for m in re.finditer(rf"\b(?:{'|'.join(TEN_AND_OVER)})\b", text, re.I)]
    for m in re.finditer(r"(?<![\w.,£/–-])([1-9])\s+([a-z][a-z'-]*)", text):
        before = text[: m.start()].split()
        if before and before[-1].lower().strip("(") in LABEL_BEFORE:
            continue
        if m.group(2) in MEASURE_AFTER:
            continue
        found.append(m.group(0))
    return found


def contradictions(document: Document) -> list[str]:
    """A heading that says something is not so, over a sentence saying it is: `Not yet
    available` over `Every measure … is available`."""
    found = []
    blocks = document.blocks
    for heading, after in pairwise(blocks):
        if not isinstance(heading, Heading) or not isinstance(after, Paragraph):
            continue
        said = heading.text.lower()
        if not re.search(r"\b(not|no)\b", said):
            continue
        claim = said.split()[-1]
        text = after.text.lower()
        if claim in text and not re.search(r"\b(not|no|none)\b", text):
            found.append(f"{heading.text} / {after.text}")
    return found


def heading_numbers(document: Document) -> dict[str, str]:
    """Each anchor's number as its heading gives it (`A`, `A.1`); an anchor block takes the
    number of the heading above it."""
    numbers: dict[str, str] = {}
    current = ""
    for block in document.blocks:
        if isinstance(block, Heading):
            m = re.match(r"(?:Appendix ([A-Z]):|([A-Z]\.\d+) )", block.text)
            current = (m.group(1) or m.group(2)) if m else ""
            if block.anchor:
                numbers[block.anchor] = current
        elif isinstance(block, Anchor):
            numbers[block.name] = current.split(".")[0]
    return numbers


def refs(document: Document) -> list[PageRef]:
    found: list[PageRef] = []
    for block in document.blocks:
        found += getattr(block, "refs", ())
        for item in getattr(block, "items", ()):
            found += item.refs
    return found


def typed_references(document: Document) -> list[str]:
    """Appendix letters written into text rather than computed from a heading's anchor."""
    texts: list[str] = [t for _, t in running(document)]
    for block in document.blocks:
        match block:
            case Facts(pairs=pairs):
                texts += [v for _, v in pairs]
            case Table(caption=caption, columns=columns, rows=rows):
                texts += [caption, *columns, *(c.text for r in rows for c in r)]
            case _:
                pass
    return [t for t in texts if re.search(r"\bAppendix [A-Z]\b", t)]


# --- the checks themselves, on hand-written text: each must catch what it is for ---


def test_the_checks_catch_the_defects_of_issue_14() -> None:
    assert double_stops("in line with the contract's activity provisions..")
    assert not double_stops("an ellipsis… and three dots... are not double stops.")
    assert date_defects("12 months to 30 september 2015") == ["30 september", "september 2015"]
    assert date_defects("from 2016-10-01") and date_defects("6th December 2014")
    assert not date_defects("12 months to 30 September 2015 (Oct 2014–Sep 2015), 12 May 2015")
    assert number_defects("there have been 13 inspections and thirteen visits") == ["thirteen"]
    assert number_defects("3 proposed changes to the contract") == ["3 proposed"]
    assert not number_defects("the contract year 2 target of 25%; 3 percentage points; 6 months")
    twice = "After the risk share the Trust keeps a surplus of £49,000."
    assert sentences(f"{twice} Then more. {twice}") == [
        twice.lower().rstrip("."),
        twice.lower().rstrip("."),
    ]
    document = Document(
        "t",
        "m",
        (
            Heading(2, "Not yet available"),
            Paragraph("Every measure in the pack is available from the returns held."),
        ),
    )
    assert contradictions(document)


# --- the demo's reports ---


@pytest.fixture(scope="module", params=["annual", "quarterly", "corporate-parenting"])
def document(request: pytest.FixtureRequest, demo_documents: dict[str, Document]) -> Document:
    return demo_documents[request.param]


def test_no_double_full_stops(document: Document) -> None:
    assert double_stops(document.text()) == []


def test_no_sentence_is_printed_twice(document: Document) -> None:
    assert repeated_sentences(document) == []


def test_dates_are_written_one_way(document: Document) -> None:
    assert date_defects(document.text()) == []


def test_numbers_follow_one_rule_in_running_text(document: Document) -> None:
    said = "\n".join(t for style, t in running(document) if style != "quote")
    assert number_defects(said) == []


def test_no_heading_contradicts_what_follows(document: Document) -> None:
    assert contradictions(document) == []


def test_cross_references_are_computed_and_right(document: Document) -> None:
    assert typed_references(document) == []
    numbers = heading_numbers(document)
    for ref in refs(document):
        assert ref.start in numbers, f"{ref.label} points to no heading ({ref.start})"
        assert ref.label == f"Appendix {numbers[ref.start]}", ref
        if ref.end:
            assert numbers[ref.end] == numbers[ref.start].split(".")[0]


def test_inspection_frameworks_are_named_as_they_were_at_the_time(
    demo_annual: AnnualContext, demo_documents: dict[str, Document]
) -> None:
    """The demo's 2015 inspections were under the 2015 children's homes framework and the SIF:
    a review dated January 2016 cannot say SCCIF (April 2017) or when the SIF ended."""
    assert demo_annual.inspections
    for line in demo_annual.inspections:
        years = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", line.framework)]
        assert all(y <= line.start.year for y in years), line.framework
        if line.start < dt.date(2017, 4, 1):
            assert "SCCIF" not in line.framework
    text = demo_documents["annual"].text()
    assert "SCCIF" not in text and "2013–2017" not in text and "2013–2018" not in text


def test_inspections_read_as_sentences(demo_documents: dict[str, Document]) -> None:
    """Issue 14: `one Inadequate, Doncaster (services for children in need…)`."""
    text = prose(demo_documents["annual"])
    assert not re.search(r"\bone (Inadequate|Good|Outstanding|Requires)\b, ", text)
    assert "judged Inadequate overall" in text


# --- the rendered files ---


@pytest.fixture(scope="module")
def rendered(demo_documents: dict[str, Document]) -> dict[tuple[str, str], bytes]:
    return {
        (name, format): render(demo_documents[name], format)
        for name in ("annual", "quarterly")
        for format in ("pdf", "docx")
    }


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


@pytest.mark.parametrize("name", ["annual", "quarterly"])
def test_rendered_files_hold_no_known_defect(
    rendered: dict[tuple[str, str], bytes], name: str
) -> None:
    for text in (" ".join(pdf_pages(rendered[name, "pdf"])), docx_text(rendered[name, "docx"])):
        assert "p. ?" not in text and "pp. ?" not in text
        assert double_stops(text) == []
        assert date_defects(text, abbreviated=False) == []
        assert "SCCIF from 2017" not in text
        assert "(Notifiable Change Request, Appendix C)" not in text


def test_pdf_page_references_land_on_their_headings(
    rendered: dict[tuple[str, str], bytes], demo_documents: dict[str, Document]
) -> None:
    pages = pdf_pages(rendered["annual", "pdf"])
    text = " ".join(pages)
    headings = {b.anchor: b.text for b in demo_documents["annual"].blocks if isinstance(b, Heading)}
    for ref in refs(demo_documents["annual"]):
        hits = re.findall(re.escape(ref.label) + r", pp?\. (\d+)", text)
        assert hits, ref.label
        for page in hits:
            assert headings[ref.start] in pages[int(page) - 1], f"{ref.label} → p. {page}"
