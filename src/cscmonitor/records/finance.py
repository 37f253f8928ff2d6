"""Budgets with their lines and annual-review adjustments, forecasts, outturn and the risk share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cscmonitor.records import riskshare, vocab
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import (
    Budget,
    BudgetAdjustment,
    BudgetLine,
    ChangeRequest,
    Contract,
    ContractVariation,
    Forecast,
    Outturn,
    RiskShareBand,
    RiskShareRule,
)
from cscmonitor.records.money import format_pounds


@dataclass(frozen=True)
class Line:
    service_area: str
    amount_pence: int


@dataclass(frozen=True)
class Adjustment:
    kind: str
    amount_pence: int
    note: str | None = None


def _check_adjustment(adjustment: Adjustment) -> Adjustment:
    sign = vocab.ADJUSTMENT_SIGNS.get(adjustment.kind)
    if sign is None:
        raise RecordsError(
            f"budget adjustment {adjustment.kind!r} is not one of "
            f"{', '.join(vocab.ADJUSTMENT_SIGNS)}"
        )
    amount = format_pounds(adjustment.amount_pence)
    if sign > 0 and adjustment.amount_pence < 0:
        raise RecordsError(f"{adjustment.kind} adds to the budget: {amount} has the wrong sign")
    if sign < 0 and adjustment.amount_pence > 0:
        raise RecordsError(
            f"{adjustment.kind} takes from the budget: write it as a negative amount, not {amount}"
        )
    return adjustment


def set_risk_share_rule(
    session: Session,
    contract: Contract,
    name: str,
    effective_from: dt.date,
    overspend: Sequence[riskshare.Band],
    underspend: Sequence[riskshare.Band],
    *,
    trust_overspend_cap_pence: int | None = None,
    trust_underspend_cap_pence: int | None = None,
) -> RiskShareRule:
    """The risk-share rule in force from `effective_from` (until a later one)."""
    over = riskshare.check_bands(overspend, riskshare.OVERSPEND)
    under = riskshare.check_bands(underspend, riskshare.UNDERSPEND)
    riskshare.check_cap(trust_overspend_cap_pence, "the trust's overspend")
    riskshare.check_cap(trust_underspend_cap_pence, "the trust's underspend")
    if any(r.effective_from == effective_from for r in contract.risk_share_rules):
        raise RecordsError(f"a risk-share rule already starts on {effective_from}")
    bands = [
        RiskShareBand(
            direction=direction,
            position=i,
            up_to_pence=band.up_to_pence,
            council_share_bp=band.council_share_bp,
        )
        for direction, group in ((riskshare.OVERSPEND, over), (riskshare.UNDERSPEND, under))
        for i, band in enumerate(group)
    ]
    rule = RiskShareRule(
        name=vocab.check_text(name, "risk-share rule name"),
        effective_from=effective_from,
        trust_overspend_cap_pence=trust_overspend_cap_pence,
        trust_underspend_cap_pence=trust_underspend_cap_pence,
        bands=bands,
    )
    contract.risk_share_rules.append(rule)
    session.flush()
    return rule


def as_rule(rule: RiskShareRule) -> riskshare.Rule:
    def bands(direction: str) -> tuple[riskshare.Band, ...]:
        return tuple(
            riskshare.Band(b.up_to_pence, b.council_share_bp)
            for b in sorted(rule.bands, key=lambda b: b.position)
            if b.direction == direction
        )

    return riskshare.Rule(
        bands(riskshare.OVERSPEND),
        bands(riskshare.UNDERSPEND),
        rule.trust_overspend_cap_pence,
        rule.trust_underspend_cap_pence,
    )


def rule_for(contract: Contract, day: dt.date) -> RiskShareRule:
    """The risk-share rule in force on a day."""
    in_force = [r for r in contract.risk_share_rules if r.effective_from <= day]
    if not in_force:
        raise RecordsError(f"{contract.name} has no risk-share rule in force on {day}")
    return max(in_force, key=lambda r: r.effective_from)


def add_budget(
    session: Session,
    contract: Contract,
    label: str,
    period_start: dt.date,
    period_end: dt.date,
    lines: Sequence[Line],
    *,
    adjustments: Sequence[Adjustment] = (),
    base_pence: int | None = None,
    status: str = "indicative",
    note: str | None = None,
) -> Budget:
    """A budget made of lines by service area; with a base, lines must equal base + adjustments."""
    label = vocab.check_text(label, "budget label")
    vocab.check(status, vocab.BUDGET_STATUSES, "budget status")
    if period_end < period_start:
        raise RecordsError(f"budget {label}: ends ({period_end}) before it starts ({period_start})")
    if any(b.label == label for b in contract.budgets):
        raise RecordsError(f"a budget labelled {label!r} is already held")
    if not lines:
        raise RecordsError(f"budget {label}: give at least one line")
    for line in lines:
        vocab.check_text(line.service_area, "budget line service area")
        if line.amount_pence < 0:
            raise RecordsError(
                f"budget {label}: line {line.service_area!r} is "
                f"{format_pounds(line.amount_pence)}; budget lines cannot be negative "
                "(record a reduction as an adjustment)"
            )
    checked = [_check_adjustment(a) for a in adjustments]
    if base_pence is not None:
        if base_pence < 0:
            raise RecordsError(f"budget {label}: the base budget cannot be negative")
        total = sum(line.amount_pence for line in lines)
        adjusted = base_pence + sum(a.amount_pence for a in checked)
        if total != adjusted:
            raise RecordsError(
                f"budget {label}: lines add up to {format_pounds(total)}, but the base "
                f"{format_pounds(base_pence)} with adjustments comes to {format_pounds(adjusted)}"
            )
    elif checked:
        raise RecordsError(f"budget {label}: adjustments need the base budget they adjust")
    budget = Budget(
        label=label,
        period_start=period_start,
        period_end=period_end,
        status=status,
        base_pence=base_pence,
        note=note,
        lines=[
            BudgetLine(position=i, service_area=x.service_area.strip(), amount_pence=x.amount_pence)
            for i, x in enumerate(lines)
        ],
        adjustments=[
            BudgetAdjustment(position=i, kind=a.kind, amount_pence=a.amount_pence, note=a.note)
            for i, a in enumerate(checked)
        ],
    )
    contract.budgets.append(budget)
    session.flush()
    return budget


def get_budget(contract: Contract, label: str) -> Budget:
    for budget in contract.budgets:
        if budget.label == label:
            return budget
    held = ", ".join(b.label for b in contract.budgets) or "none"
    raise NotFound(f"{contract.name} has no budget {label!r}; held: {held}")


def original_pence(budget: Budget) -> int:
    """The budget as set: the sum of its lines."""
    return sum(line.amount_pence for line in budget.lines)


def current_pence(budget: Budget) -> int:
    """The budget with every contract variation made to it."""
    return original_pence(budget) + sum(v.amount_pence for v in budget.variations)


def add_forecast(
    session: Session,
    budget: Budget,
    quarter: int,
    as_at: dt.date,
    spend_pence: int,
    note: str | None = None,
) -> Forecast:
    """A quarter's forecast of what the whole year will cost."""
    if not 1 <= quarter <= 4:
        raise RecordsError(f"quarter must be 1–4, not {quarter}")
    if spend_pence < 0:
        raise RecordsError(
            f"forecast spend {format_pounds(spend_pence)} has the wrong sign: give the forecast "
            "outturn (what the year will cost), not the variance"
        )
    if any(f.quarter == quarter for f in budget.forecasts):
        raise RecordsError(f"budget {budget.label} already has a quarter {quarter} forecast")
    forecast = Forecast(quarter=quarter, as_at=as_at, spend_pence=spend_pence, note=note)
    budget.forecasts.append(forecast)
    session.flush()
    return forecast


def set_outturn(
    session: Session, budget: Budget, spend_pence: int, note: str | None = None
) -> Outturn:
    """What the year actually cost."""
    if spend_pence < 0:
        raise RecordsError(
            f"outturn {format_pounds(spend_pence)} has the wrong sign: give what the year cost"
        )
    if budget.outturn is not None:
        budget.outturn.spend_pence = spend_pence
        budget.outturn.note = note
    else:
        budget.outturn = Outturn(spend_pence=spend_pence, note=note)
    session.flush()
    return budget.outturn


def add_variation(
    session: Session,
    budget: Budget,
    amount_pence: int,
    reason: str,
    effective_date: dt.date,
    change_request: ChangeRequest,
) -> ContractVariation:
    """Money added to a budget (or taken from it) by an approved contract variation."""
    if change_request.state not in ("approved", "implemented"):
        raise RecordsError(
            f"change request {change_request.reference} is {change_request.state}: "
            "only an approved variation changes the budget"
        )
    if amount_pence == 0:
        raise RecordsError("a contract variation of £0 changes nothing")
    if current_pence(budget) + amount_pence < 0:
        raise RecordsError(f"the variation would make budget {budget.label} negative")
    variation = ContractVariation(
        amount_pence=amount_pence,
        reason=vocab.check_text(reason, "variation reason"),
        effective_date=effective_date,
        change_request_id=change_request.id,
    )
    budget.variations.append(variation)
    session.flush()
    return variation


def position(contract: Contract, budget: Budget, spend_pence: int) -> riskshare.Position:
    """Spend against the budget (with variations), before and after the risk share."""
    rule = as_rule(rule_for(contract, budget.period_start))
    return riskshare.share(rule, current_pence(budget), spend_pence)


def outturn_position(contract: Contract, budget: Budget) -> riskshare.Position:
    """The year's outturn before and after the risk share."""
    if budget.outturn is None:
        raise RecordsError(f"budget {budget.label} has no outturn yet")
    return position(contract, budget, budget.outturn.spend_pence)


def forecast_position(
    contract: Contract, budget: Budget, quarter: int | None = None
) -> riskshare.Position:
    """A quarter's forecast (the latest by default) before and after the risk share."""
    held = [f for f in budget.forecasts if quarter is None or f.quarter == quarter]
    if not held:
        which = "any quarter" if quarter is None else f"quarter {quarter}"
        raise RecordsError(f"budget {budget.label} has no forecast for {which}")
    latest = max(held, key=lambda f: f.quarter)
    return position(contract, budget, latest.spend_pence)
