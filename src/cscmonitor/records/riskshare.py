"""The risk-share mechanism: how an overspend or underspend is split between council and trust.

A rule has bands for each direction. Each band covers the variance up to an amount (the last
band: all the rest) and gives the council's share of that slice; the trust's share is the
remainder. An optional cap limits what the trust bears of an overspend, or keeps of an
underspend, in total; the council takes whatever is above the cap. Everything is whole pence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cscmonitor.records.errors import RecordsError

WHOLE = 10_000  # shares are in hundredths of a percent
OVERSPEND, UNDERSPEND = "overspend", "underspend"


@dataclass(frozen=True)
class Band:
    up_to_pence: int | None  # None: no upper limit
    council_share_bp: int  # 5000 = the council takes 50% of this slice


@dataclass(frozen=True)
class Rule:
    overspend: tuple[Band, ...]
    underspend: tuple[Band, ...]
    trust_overspend_cap_pence: int | None = None
    trust_underspend_cap_pence: int | None = None


@dataclass(frozen=True)
class Position:
    """A year's money before and after the risk share, from the trust's side.

    `variance_pence` is spend less budget: positive is an overspend. `council_pence` is the
    council's share of it (for an overspend, what the council pays on top; for an underspend,
    what the council takes back) and `trust_pence` the trust's share.
    """

    budget_pence: int
    spend_pence: int
    council_pence: int
    trust_pence: int

    @property
    def variance_pence(self) -> int:
        return self.spend_pence - self.budget_pence

    @property
    def direction(self) -> str | None:
        if self.variance_pence == 0:
            return None
        return OVERSPEND if self.variance_pence > 0 else UNDERSPEND

    @property
    def trust_before_pence(self) -> int:
        """The trust's surplus (positive) or deficit (negative) before the risk share."""
        return -self.variance_pence

    @property
    def trust_after_pence(self) -> int:
        """The trust's surplus (positive) or deficit (negative) after the risk share."""
        return self.trust_pence if self.variance_pence < 0 else -self.trust_pence


def check_bands(bands: Sequence[Band], direction: str) -> tuple[Band, ...]:
    """Bands in rising order that cover every amount, with shares between 0 and 100%."""
    if not bands:
        raise RecordsError(f"risk share: give at least one {direction} band")
    previous = 0
    for position, band in enumerate(bands):
        where = f"risk share {direction} band {position + 1}"
        if not 0 <= band.council_share_bp <= WHOLE:
            raise RecordsError(f"{where}: the council's share must be 0–100%")
        last = position == len(bands) - 1
        if band.up_to_pence is None:
            if not last:
                raise RecordsError(f"{where}: only the last band may have no upper limit")
            continue
        if band.up_to_pence <= previous:
            raise RecordsError(
                f"{where}: bands must rise, and each limit must be above the one before "
                f"({band.up_to_pence} pence is not above {previous})"
            )
        previous = band.up_to_pence
        if last:
            raise RecordsError(f"{where}: the last band must have no upper limit, to cover all")
    return tuple(bands)


def check_cap(cap: int | None, what: str) -> int | None:
    if cap is not None and cap < 0:
        raise RecordsError(f"risk share: {what} cap must not be negative")
    return cap


def _council_share(amount: int, bands: Sequence[Band]) -> int:
    council, lower = 0, 0
    for band in bands:
        upper = amount if band.up_to_pence is None else min(amount, band.up_to_pence)
        if upper <= lower:
            break
        # Half a penny rounds up, in whole-number arithmetic.
        council += ((upper - lower) * band.council_share_bp * 2 + WHOLE) // (2 * WHOLE)
        lower = upper
    return council


def share(rule: Rule, budget_pence: int, spend_pence: int) -> Position:
    """Split spend less budget between council and trust by the rule's bands and caps."""
    variance = spend_pence - budget_pence
    amount = abs(variance)
    if variance > 0:
        bands, cap = rule.overspend, rule.trust_overspend_cap_pence
    else:
        bands, cap = rule.underspend, rule.trust_underspend_cap_pence
    council = _council_share(amount, bands)
    trust = amount - council
    if cap is not None and trust > cap:
        council, trust = council + trust - cap, cap
    return Position(budget_pence, spend_pence, council, trust)
