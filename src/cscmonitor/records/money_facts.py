"""The money from the records: spend against budget with the risk share, and next year's budget."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cscmonitor.periods import Period, day
from cscmonitor.records import finance
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Budget, Contract
from cscmonitor.records.money import format_pounds
from cscmonitor.records.riskshare import Position
from cscmonitor.records.vocab import words


@dataclass(frozen=True)
class MoneyPosition:
    """One budget's spend (outturn or a quarter's forecast) before and after the risk share."""

    budget: str
    period: Period
    basis: str  # "outturn" or "forecast at quarter 2, as at 30 September 2015"
    is_outturn: bool
    budget_pence: int
    spend_pence: int | None  # None: no forecast or outturn held by then
    council_pence: int | None
    trust_pence: int | None
    trust_after_pence: int | None
    note: str | None
    problem: str | None = None  # why the risk share could not be applied

    @property
    def variance_pence(self) -> int | None:
        return None if self.spend_pence is None else self.spend_pence - self.budget_pence

    def variance_text(self) -> str:
        variance = self.variance_pence
        if variance is None:
            return "no forecast held yet"
        if variance == 0:
            return "on budget"
        kind = "an overspend" if variance > 0 else "an underspend"
        return f"{kind} of {format_pounds(abs(variance))}"

    def outcome_text(self) -> str:
        """What the risk share made of the variance, from the trust's side."""
        if self.problem:
            return self.problem
        if self.variance_pence in (None, 0) or self.trust_after_pence is None:
            return "nothing to share"
        after = self.trust_after_pence
        trust, council = (
            format_pounds(self.trust_pence or 0),
            format_pounds(self.council_pence or 0),
        )
        # The Trust's share is its surplus or deficit unless something else moved it: say the
        # sum once, as a person would, rather than "keeps £49,000 (a surplus of £49,000)".
        same = abs(after) == abs(self.trust_pence or 0)
        if after >= 0:
            kept = (
                f"a surplus of {trust}"
                if same
                else f"{trust} (a surplus of {format_pounds(after)})"
            )
            return (
                f"after the risk share the Trust keeps {kept} and the Council takes back {council}"
            )
        borne = (
            f"a deficit of {trust}" if same else f"{trust} (a deficit of {format_pounds(-after)})"
        )
        return f"after the risk share the Trust bears {borne} and the Council {council}"


def _position(contract: Contract, budget: Budget, spend: int) -> tuple[Position | None, str | None]:
    try:
        return finance.position(contract, budget, spend), None
    except RecordsError as exc:
        return None, f"risk share not applied: {exc}"


def positions(contract: Contract, period: Period, as_at: dt.date) -> tuple[MoneyPosition, ...]:
    """Each budget overlapping `period`: its outturn if held by `as_at`, else the latest
    forecast made by then."""
    found = []
    for budget in contract.budgets:  # a handful of years
        if budget.period_start > period.end or budget.period_end < period.start:
            continue
        if budget.period_start > as_at:
            continue
        budget_pence = finance.current_pence(budget)
        forecasts = [f for f in budget.forecasts if f.as_at <= as_at]
        if budget.outturn is not None and budget.period_end <= as_at:
            spend, basis, note, outturn = (
                budget.outturn.spend_pence,
                "outturn",
                budget.outturn.note,
                True,
            )
        elif forecasts:
            latest = max(forecasts, key=lambda f: f.quarter)
            spend, note, outturn = latest.spend_pence, latest.note, False
            basis = f"forecast at quarter {latest.quarter}, as at {day(latest.as_at)}"
        else:
            found.append(
                MoneyPosition(
                    budget.label,
                    Period(budget.period_start, budget.period_end),
                    "budget only",
                    False,
                    budget_pence,
                    None,
                    None,
                    None,
                    None,
                    None,
                )
            )
            continue
        position, problem = _position(contract, budget, spend)
        found.append(
            MoneyPosition(
                budget=budget.label,
                period=Period(budget.period_start, budget.period_end),
                basis=basis,
                is_outturn=outturn,
                budget_pence=budget_pence,
                spend_pence=spend,
                council_pence=None if position is None else position.council_pence,
                trust_pence=None if position is None else position.trust_pence,
                trust_after_pence=None if position is None else position.trust_after_pence,
                note=note,
                problem=problem,
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class BudgetPlan:
    """The budget for the next contract year, with the annual review's adjustments."""

    label: str
    period: Period
    status: str
    total_pence: int
    base_pence: int | None
    adjustments: tuple[tuple[str, int, str | None], ...]
    lines: tuple[tuple[str, int], ...]
    note: str | None

    @property
    def change_pence(self) -> int | None:
        return None if self.base_pence is None else self.total_pence - self.base_pence

    def change_text(self) -> str:
        change = self.change_pence
        if change is None:
            return "no base budget is recorded to compare with"
        if change == 0:
            return "no net change"
        kind = "a net increase" if change > 0 else "a net reduction"
        return f"{kind} of {format_pounds(abs(change))}"


def next_budget(contract: Contract, after: dt.date) -> BudgetPlan | None:
    """The first budget starting after `after` (the end of the contract year reported on)."""
    later = sorted(
        (b for b in contract.budgets if b.period_start > after), key=lambda b: b.period_start
    )
    if not later:
        return None
    budget = later[0]
    return BudgetPlan(
        label=budget.label,
        period=Period(budget.period_start, budget.period_end),
        status=budget.status,
        total_pence=finance.original_pence(budget),
        base_pence=budget.base_pence,
        adjustments=tuple((words(a.kind), a.amount_pence, a.note) for a in budget.adjustments),
        lines=tuple((line.service_area, line.amount_pence) for line in budget.lines),
        note=budget.note,
    )
