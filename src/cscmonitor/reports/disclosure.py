"""Disclosure control: what a report marked for publication may show.

Published outputs suppress small counts as DfE does: a count of 1 to 5 is shown as `c`, and so
is any figure derived from such a count (a percentage or rate whose numerator or denominator is
1 to 5, and its confidence interval, which would let the count be worked back). Zero is shown.
Counts of FTE (workforce) follow the same rule on the figure held. Only primary suppression is
applied: a suppressed count that could be recovered by subtraction from a published total
(secondary suppression) is not searched for. Internal reports show every figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from cscmonitor.assess import Computed
from cscmonitor.figures import DRAFT_MARK
from cscmonitor.indicators.engine import INSUFFICIENT_DATA, NO_DATA
from cscmonitor.indicators.registry import Unit
from cscmonitor.wording import format_value

SUPPRESSED = "c"
SMALLEST_SHOWN = 6  # counts below this, other than zero, are suppressed


class Mode(StrEnum):
    INTERNAL = "internal"
    PUBLICATION = "publication"


def marking(mode: Mode, *, draft: bool = False) -> str:
    """The line every page carries, saying which kind of report it is (and a draft's mark)."""
    prefix = f"{DRAFT_MARK} · " if draft else ""
    match mode:
        case Mode.INTERNAL:
            return f"{prefix}Internal — not for publication: small numbers are not suppressed"
        case Mode.PUBLICATION:
            return (
                f"{prefix}For publication — counts of 1 to 5, and figures derived from them, "
                "shown as c"
            )
        case _:
            assert_never(mode)


def is_small(count: float | None) -> bool:
    """A count of 1 to 5 (zero and missing counts are not small)."""
    return count is not None and not math.isnan(count) and 0 < count < SMALLEST_SHOWN


@dataclass(frozen=True)
class Shown:
    """A figure as the report may show it: text, and the number only where it may be shown."""

    text: str
    number: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Discloser:
    mode: Mode

    @property
    def publishing(self) -> bool:
        return self.mode is Mode.PUBLICATION

    def count(self, count: float | None) -> Shown:
        """A count (numerator or denominator); `c` for 1 to 5 in publication mode.

        Whole numbers are shown whole; FTE counts keep one decimal place.
        """
        if count is None or math.isnan(count):
            return Shown("—", None)
        if self.publishing and is_small(count):
            return Shown(SUPPRESSED, None, suppressed=True)
        # FTE sums carry float noise (238.00000000000003): judge wholeness as shown.
        decimals = 0 if round(float(count), 1).is_integer() else 1
        return Shown(f"{count:,.{decimals}f}", count)

    def hides(self, computed: Computed) -> bool:
        """Whether a figure computed from these counts must be suppressed."""
        return self.publishing and (is_small(computed.numerator) or is_small(computed.denominator))

    def value(self, computed: Computed, unit: Unit) -> Shown:
        """The indicator's value, or why there is none, or `c`."""
        value = computed.usable_value
        if value is None:
            reason = INSUFFICIENT_DATA if computed.status == INSUFFICIENT_DATA else NO_DATA
            return Shown(reason, None)
        if self.hides(computed):
            return Shown(SUPPRESSED, None, suppressed=True)
        return Shown(format_value(value, unit), value)

    def bound(self, computed: Computed, bound: float | None, unit: Unit) -> Shown:
        """One end of the confidence interval (suppressed with its value)."""
        if computed.usable_value is None or bound is None or math.isnan(bound):
            return Shown("—", None)
        if self.hides(computed):
            return Shown(SUPPRESSED, None, suppressed=True)
        return Shown(format_value(bound, unit), bound)

    def interval(self, computed: Computed, unit: Unit) -> str:
        low = self.bound(computed, computed.ci_lower, unit)
        high = self.bound(computed, computed.ci_upper, unit)
        if low.suppressed or high.suppressed:
            return SUPPRESSED
        if low.number is None or high.number is None:
            return "not available"
        return f"{low.text} to {high.text}"
