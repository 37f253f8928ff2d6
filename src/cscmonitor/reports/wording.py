"""Words the reports share: RAG and travel as text, lists as the annual review writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import assert_never

from cscmonitor.assess import RAG, Travel, TravelJudgement
from cscmonitor.indicators.registry import Polarity
from cscmonitor.reports.document import Tone
from cscmonitor.reports.summary import format_date

_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


def in_words(number: int) -> str:
    """Small numbers in words, as letters write them (`thirteen`); larger ones as digits."""
    return _WORDS[number] if 0 <= number < len(_WORDS) else f"{number:,}"


def plural(number: int, one: str, many: str | None = None) -> str:
    """`thirteen inspections`, `one inspection`."""
    return f"{in_words(number)} {one if number == 1 else (many or one + 's')}"


def rag_text(rag: RAG) -> tuple[str, Tone]:
    """The RAG as a word and its colour; the word is always shown, colour only adds to it."""
    match rag:
        case RAG.GREEN:
            return "Green", "green"
        case RAG.AMBER:
            return "Amber", "amber"
        case RAG.RED:
            return "Red", "red"
        case RAG.GREY:
            return "Grey (not enough data)", "grey"
        case RAG.NOT_RATED:
            return "Not rated", "none"
        case _:
            assert_never(rag)


def polarity_text(polarity: Polarity) -> str:
    match polarity:
        case Polarity.LOWER:
            return "lower is better"
        case Polarity.HIGHER:
            return "higher is better"
        case Polarity.NEITHER:
            return "neither higher nor lower is better"
        case _:
            assert_never(polarity)


def p_value(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def travel_text(judgement: TravelJudgement) -> str:
    """Direction of travel that says "improved" only when the change is larger than chance."""
    p = p_value(judgement.significance.p_value)
    match judgement.travel:
        case Travel.IMPROVED:
            return f"Improved significantly ({p})"
        case Travel.DECLINED:
            return f"Declined significantly ({p})"
        case Travel.CHANGED:
            return f"Changed significantly ({p})"
        case Travel.NOT_SIGNIFICANT:
            return f"{judgement.direction.value.capitalize()}, not significant ({p})"
        case Travel.NO_CHANGE:
            return "No change"
        case Travel.UNTESTED:
            return f"{judgement.direction.value.capitalize()} (not tested)"
        case Travel.NOT_COMPARABLE:
            return "Not comparable"
        case _:
            assert_never(judgement.travel)


def punctuated(findings: Sequence[str]) -> tuple[str, ...]:
    """List items as the annual review writes them: `…;`, `…; and`, `….`."""
    last = len(findings) - 1
    return tuple(
        f"{text}." if i == last else f"{text}; and" if i == last - 1 else f"{text};"
        for i, text in enumerate(findings)
    )


def joined(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def day(date: dt.date | None) -> str:
    return "—" if date is None else format_date(date)


def words(code: str) -> str:
    """A stored code as words: `agreed_in_principle` → `agreed in principle`."""
    return code.replace("_", " ")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
