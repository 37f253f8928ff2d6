"""Appendix letters and the references to them, computed from the document's own headings.

A layout marks appendices and their sections (`Heading.appendix`) and gives page references
only anchors. `numbered` letters the appendices in the order they stand (A, B, …), numbers the
sections in each (A.1, A.2, …) and writes each reference's label from the heading its anchor
is on, so moving, adding or dropping an appendix can never leave a reference saying the wrong
letter, and a reference to an anchor no heading holds fails when the document is laid out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from string import ascii_uppercase

from cscmonitor.reports.document import Anchor, Block, Bullets, Heading, PageRef, Paragraph


def numbered(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The blocks with appendix headings numbered and page references labelled."""
    letters = iter(ascii_uppercase)
    numbers: dict[str, str] = {}
    laid: list[Block] = []
    letter: str | None = None
    section = 0
    for block in blocks:
        number: str | None = None
        if isinstance(block, Heading):
            if block.appendix and block.level == 2:
                letter, section = next(letters), 0
                number = letter
                block = replace(block, text=f"Appendix {letter}: {block.text}")
            elif block.appendix:
                if letter is None:
                    raise ValueError(f"section {block.text!r} is numbered outside an appendix")
                section += 1
                number = f"{letter}.{section}"
                block = replace(block, text=f"{number} {block.text}")
            elif block.level <= 2:
                letter = None  # a part that is not an appendix ends the one before it
            else:
                number = letter
        elif isinstance(block, Anchor):
            number = letter
        name = block.anchor if isinstance(block, Heading) else getattr(block, "name", None)
        if name and number:
            numbers[name] = number
        laid.append(block)
    return tuple(_labelled(block, numbers) for block in laid)


def _labels(refs: Iterable[PageRef], numbers: Mapping[str, str]) -> tuple[PageRef, ...]:
    labelled = []
    for ref in refs:
        for anchor in (ref.start, ref.end):
            if anchor is not None and anchor not in numbers:
                raise ValueError(f"a page reference to {anchor!r}, which no appendix holds")
        labelled.append(replace(ref, label=f"Appendix {numbers[ref.start]}"))
    return tuple(labelled)


def _labelled(block: Block, numbers: Mapping[str, str]) -> Block:
    match block:
        case Paragraph(refs=refs) if refs:
            return replace(block, refs=_labels(refs, numbers))
        case Bullets(items=items) if any(i.refs for i in items):
            return replace(
                block,
                items=tuple(
                    replace(i, refs=_labels(i.refs, numbers)) if i.refs else i for i in items
                ),
            )
        case _:
            return block
