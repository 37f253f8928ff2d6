"""The forecast's records: unit costs, named scenarios, and modelled outturns of budget lines.

Services over the records models (`records/models.py`); each caller brings the session of
one audited transaction (`records.db.transaction`), so who changed what is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cscmonitor.forecast.adjust import AdjustmentError, Adjustments, Transition
from cscmonitor.forecast.costs import Rate
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import (
    Budget,
    ForecastScenario,
    ModelledForecast,
    UnitCost,
    utcnow,
)


def import_rates(session: Session, la_code: str, rates: Iterable[Rate], source: str) -> int:
    """Add rates (a rate for a category, provider and date already held is replaced)."""
    held = {
        (r.category, r.provider, r.effective_from): r
        for r in session.scalars(select(UnitCost).where(UnitCost.la_code == la_code))
    }
    count = 0
    for rate in rates:
        row = held.get((rate.category, rate.provider, rate.effective_from))
        if row is None:
            row = UnitCost(
                la_code=la_code,
                category=rate.category,
                provider=rate.provider,
                effective_from=rate.effective_from,
            )
            session.add(row)
            held[(rate.category, rate.provider, rate.effective_from)] = row
        row.weekly_pence = rate.weekly_pence
        row.inflation_bp = rate.inflation_bp
        row.source = source[:200]
        row.recorded_at = utcnow()
        count += 1
    session.flush()
    return count


def held_rates(session: Session, la_code: str) -> list[Rate]:
    """Every rate held for the LA, by category, provider and date."""
    rows = session.scalars(
        select(UnitCost)
        .where(UnitCost.la_code == la_code)
        .order_by(UnitCost.category, UnitCost.provider, UnitCost.effective_from)
    )
    return [
        Rate(r.category, r.provider, r.effective_from, r.weekly_pence, r.inflation_bp) for r in rows
    ]


@dataclass(frozen=True)
class Scenario:
    name: str
    adjustments: Adjustments
    snapshot_id: str
    created_by: str
    created_at: dt.datetime
    note: str | None

    def stale_note(self, current_snapshot: str) -> str | None:
        """What to say when the data has changed since the scenario was made."""
        if current_snapshot == self.snapshot_id:
            return None
        return (
            f"scenario {self.name!r} was made on snapshot {self.snapshot_id}; the warehouse is "
            f"now at snapshot {current_snapshot}: check its adjustments still make sense"
        )


def adjustments_json(adjustments: Adjustments) -> dict[str, Any]:
    return {
        "entry": dict(adjustments.entry),
        "transitions": [asdict(t) for t in adjustments.transitions],
        "unit_costs": dict(adjustments.unit_costs),
    }


def adjustments_from_json(held: dict[str, Any]) -> Adjustments:
    try:
        return Adjustments(
            entry={str(k): float(v) for k, v in held.get("entry", {}).items()},
            transitions=tuple(Transition(**t) for t in held.get("transitions", [])),
            unit_costs={str(k): float(v) for k, v in held.get("unit_costs", {}).items()},
        )
    except (AdjustmentError, TypeError, ValueError) as exc:
        raise RecordsError(f"scenario adjustments: {exc}") from None


def save_scenario(
    session: Session,
    la_code: str,
    name: str,
    adjustments: Adjustments,
    snapshot_id: str,
    created_by: str,
    note: str | None = None,
) -> Scenario:
    """Save (or replace) a named scenario, with who made it and on which snapshot."""
    name = name.strip()
    if not name:
        raise RecordsError("a scenario needs a name")
    row = session.scalars(
        select(ForecastScenario).where(
            ForecastScenario.la_code == la_code, ForecastScenario.name == name
        )
    ).one_or_none()
    if row is None:
        row = ForecastScenario(la_code=la_code, name=name)
        session.add(row)
    row.adjustments = adjustments_json(adjustments)
    row.snapshot_id = snapshot_id
    row.created_by = created_by
    row.created_at = utcnow()
    row.note = note
    session.flush()
    return _scenario(row)


def get_scenario(session: Session, la_code: str, name: str) -> Scenario:
    row = session.scalars(
        select(ForecastScenario).where(
            ForecastScenario.la_code == la_code, ForecastScenario.name == name
        )
    ).one_or_none()
    if row is None:
        raise RecordsError(f"no forecast scenario {name!r} for LA {la_code}")
    return _scenario(row)


def scenarios(session: Session, la_code: str) -> list[Scenario]:
    rows = session.scalars(
        select(ForecastScenario)
        .where(ForecastScenario.la_code == la_code)
        .order_by(ForecastScenario.name)
    )
    return [_scenario(r) for r in rows]


def _scenario(row: ForecastScenario) -> Scenario:
    return Scenario(
        row.name,
        adjustments_from_json(row.adjustments),
        row.snapshot_id,
        row.created_by,
        row.created_at,
        row.note,
    )


@dataclass(frozen=True)
class Modelled:
    """A budget line's modelled forecast outturn as kept (`outturn.record`)."""

    service_area: str
    as_at: dt.date
    scenario: str | None
    snapshot_id: str
    spent_to_date_pence: int
    outturns_pence: tuple[int, int, int, int, int]  # forecast, lower80, upper80, lower95, upper95
    created_by: str


def latest_modelled(session: Session, budget: Budget, as_at: dt.date) -> Modelled | None:
    """The budget's latest modelled forecast outturn made on or before `as_at`, if any."""
    row = session.scalars(
        select(ModelledForecast)
        .where(ModelledForecast.budget_id == budget.id, ModelledForecast.as_at <= as_at)
        .order_by(ModelledForecast.as_at.desc(), ModelledForecast.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return Modelled(
        row.service_area,
        row.as_at,
        row.scenario,
        row.snapshot_id,
        row.spent_to_date_pence,
        (
            row.spend_pence,
            row.lower80_pence,
            row.upper80_pence,
            row.lower95_pence,
            row.upper95_pence,
        ),
        row.created_by,
    )
