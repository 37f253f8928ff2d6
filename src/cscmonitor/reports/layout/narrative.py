"""People's words laid out where their section sits, apart from the generated text.

Each section opens with a heading that says whose words follow ("The Council's view:
Finance and the risk share") and closes with who wrote it and when, so a reader never takes
a computed sentence for a judgement or the other way round. A section not yet written says
so (signing refuses it, so only drafts show it); a section marked not applicable is left out.
"""

from __future__ import annotations

from dataclasses import replace

from cscmonitor.records.narrative_sections import COUNCIL, exception_sections
from cscmonitor.reports.context.narrative import Narrative, Words
from cscmonitor.reports.document import Block, Heading, Paragraph
from cscmonitor.reports.markdown import blocks
from cscmonitor.wording import day


def _party(words: Words) -> str:
    return "the Council" if words.party == COUNCIL else "the Trust"


def signed_off(words: Words) -> Paragraph:
    """Who wrote the words and when, under them."""
    when = f", {day(words.at.date())}" if words.at else ""
    return Paragraph(
        f"{_party(words)[0].upper()}{_party(words)[1:]}'s words, written by {words.author}{when} "
        f"(version {words.version}).",
        style="note",
    )


def words_body(words: Words) -> list[Block]:
    """The words and their sign-off, or the draft's note that none are written yet."""
    if not words.text:
        return [
            Paragraph(
                f"No text yet for {words.title[0].lower()}{words.title[1:]}: "
                f"{_party(words)} writes it on the Narrative page.",
                style="note",
            )
        ]
    return [*blocks(words.text), signed_off(words)]


def section_blocks(
    narrative: Narrative,
    key: str,
    level: int,
    heading: str | None = None,
    *,
    summary: bool = False,
) -> list[Block]:
    """A section under its own heading at `level` ("The Council's view: <title>" unless
    given); nothing when the report has no such section (no records held) or it is marked
    not applicable. `summary`: its paragraphs are among the report's key sentences."""
    words = narrative.get(key)
    if words is None or words.not_applicable:
        return []
    heading = heading or f"The {_party(words).removeprefix('the ')}'s view: {words.title}"
    body = words_body(words)
    if summary and words.text:
        body = [
            replace(b, summary=True) if isinstance(b, Paragraph) and b.style != "note" else b
            for b in body
        ]
    return [Heading(level, heading), *body]


def exception_blocks(narrative: Narrative, indicator: str, level: int) -> list[Block]:
    """On an exception's page: the Trust's commentary, then the Council's response."""
    trust, council = exception_sections(indicator)
    return [
        *section_blocks(narrative, trust.key, level, "The Trust's commentary"),
        *section_blocks(narrative, council.key, level, "The Council's response"),
    ]


def letter_blocks(narrative: Narrative, key: str = "letter") -> list[Block]:
    """The covering letter's own words, in the letter without a heading of their own: the
    sign-off line under them parts them from the computed paragraphs that follow."""
    words = narrative.get(key)
    if words is None or words.not_applicable:
        return []
    return words_body(words)
