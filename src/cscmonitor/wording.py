"""The one place figures and judgements become words: every page, API answer and report uses it.

Values are formatted by their `Unit`; RAG, travel, standing and outlook are worded here, and
the figure model (`figures.py`) carries the words, so no surface words a judgement itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, assert_never

from cscmonitor.assess import RAG, Outlook, Travel, TravelJudgement
from cscmonitor.indicators.engine import INSUFFICIENT_DATA, NO_DATA
from cscmonitor.indicators.registry import Polarity, Unit
from cscmonitor.periods import add_months

# Dates and stored codes are worded below the records, which word them for their own views.
from cscmonitor.periods import day as day
from cscmonitor.periods import format_date as format_date
from cscmonitor.records.vocab import words as words

# A RAG colour; the text always says it too.
Tone = Literal["green", "amber", "red", "grey", "none"]


# The one rule for counts in running text: words for nought to nine, figures from 10
# (`three inspections`, `13 inspections`), in every report. Measures with a unit (12 months,
# 3 percentage points, 23.0%, £49,000) and labels (contract year 2, quarter 4) are figures.
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(number: int) -> str:
    """A count as running text gives it: `three`, `13`, `1,204`; `no` for nought."""
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


def travel_clause(judgement: TravelJudgement) -> str:
    """The same judgement as a sentence ends it: `, an improvement larger than chance (…)`."""
    p = p_value(judgement.significance.p_value)
    match judgement.travel:
        case Travel.IMPROVED:
            return f", an improvement larger than chance ({p})"
        case Travel.DECLINED:
            return f", a decline larger than chance ({p})"
        case Travel.CHANGED:
            return f", a change larger than chance ({p})"
        case Travel.NOT_SIGNIFICANT:
            return f", a change within what chance could explain ({p})"
        case Travel.UNTESTED:
            return f", {judgement.direction.value} (not tested for chance)"
        case Travel.NO_CHANGE | Travel.NOT_COMPARABLE:
            return ""
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


def format_value(value: float, unit: Unit) -> str:
    """A computed value in its unit: 23.4%, 16.2, 412.3, 312 days, 12."""
    return unit.display(value)


def format_agreed(value: float, unit: Unit) -> str:
    """A figure someone agreed or published, with the precision it was written with: 38%."""
    return unit.display_agreed(value)


def format_tolerance(value: float, unit: Unit) -> str:
    """A tolerance in the indicator's units; for a percentage that is percentage points."""
    return unit.display_tolerance(value)


def agreed_or_none(value: float | None, unit: Unit, *, tolerance: bool = False) -> str:
    """A contract figure in its unit, or `none`."""
    if value is None:
        return "none"
    return unit.display_tolerance(value) if tolerance else unit.display_agreed(value)


def missing_text(status: str) -> str:
    """Why a figure has no value: `insufficient data` or `no data`."""
    return INSUFFICIENT_DATA if status == INSUFFICIENT_DATA else NO_DATA


def benchmark_missing_text(state: str, flag: str | None = None, detail: str | None = None) -> str:
    """Why a benchmark value is missing, told apart: `no published benchmark` (DfE publishes
    none, or its table is not bundled), `not held` (no table holding that year or place is
    loaded), `not published (DfE: c)` (DfE's table suppresses the cell) or `not published
    (England only)`."""
    match state:
        case "no published benchmark" | "not held":
            return state
        case "not published":
            if flag:
                return f"not published (DfE: {flag})"
            return f"not published ({detail})" if detail else "not published"
        case _:
            raise ValueError(f"not a reason a benchmark is missing: {state!r}")


def neighbours_model_text(grouping: int | None) -> str:
    """Which statistical neighbour grouping a benchmark uses: `neighbours: 2025 model`."""
    return "neighbours: none held" if grouping is None else f"neighbours: {grouping} model"


def outlook_text(outlook: Outlook) -> str:
    """A trajectory's outlook as the reports say it."""
    match outlook:
        case Outlook.ON_TRACK:
            return "On track"
        case Outlook.AT_RISK:
            return "At risk"
        case Outlook.OFF_TRACK:
            return "Off track"
        case Outlook.NOT_RATED:
            return "Not rated"
        case Outlook.INSUFFICIENT:
            return "Not enough figures to project"
        case _:
            assert_never(outlook)


def time_since_start(start: dt.date, period_end: dt.date, year: int | None) -> str:
    """`after 12 months` when the period ends a whole number of months in, else the year."""
    end = period_end + dt.timedelta(days=1)
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) == end:
        return f"after {months} months"
    return f"in contract year {year}" if year is not None else f"to {format_date(period_end)}"


def capital(text: str) -> str:
    """The first letter in capitals, the rest as written (`12 months to 30 September 2015`
    stays as it is, where `str.capitalize` would write `30 september`)."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """Text typed into the records, ended as a sentence: one full stop, never two."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."
