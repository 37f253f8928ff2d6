"""The JSON API under /api: the pages' content as data, with the same permissions.

Signed in with the same session cookie as the pages; a request that changes something sends
the page's CSRF token in the `X-CSRF-Token` header. The OpenAPI document is /api/openapi.json.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from cscmonitor.records import changes as records_changes
from cscmonitor.records.errors import RecordsError
from cscmonitor.web import governance, trail
from cscmonitor.web.deps import AppDep, ContractYear, RecordId, RecordsDep, UserView, require
from cscmonitor.web.performance import BenchmarkRow, contract_year_period, domain_of
from cscmonitor.web.permissions import Permission, permissions_of
from cscmonitor.web.routers.dashboard import basket_year
from cscmonitor.web.routers.indicators import EXPLAIN_ROWS, known

router = APIRouter(prefix="/api", tags=["api"])


class Me(BaseModel):
    username: str
    full_name: str
    role: str
    party: str | None
    permissions: list[str]


class IndicatorSummary(BaseModel):
    code: str
    title: str
    domain: str
    unit: str
    polarity: str
    year: int
    period_start: dt.date
    period_end: dt.date
    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    status: str
    baseline_value: float | None
    target: float | None
    tolerance: float | None
    rag: str
    direction: str


class IndicatorList(BaseModel):
    contract: str
    la_code: str
    year: int
    years: list[int]
    snapshot: str
    indicators: list[IndicatorSummary]


class TrendPoint(BaseModel):
    period_start: dt.date
    period_end: dt.date
    value: float | None
    shown: str
    interval: str
    status: str


class IndicatorDetail(BaseModel):
    code: str
    title: str
    definition: str
    domain: str
    in_basket: bool
    year: int | None
    value: str
    interval: str
    target: str
    tolerance: str
    rag: str
    direction: str
    quartile_band: str
    trend: list[TrendPoint]
    benchmarks: list[BenchmarkRow]


class Explained(BaseModel):
    code: str
    la_code: str
    period_start: dt.date
    period_end: dt.date
    numerator: float
    denominator: float
    rows: int
    records: list[dict[str, object]] = Field(description=f"The first {EXPLAIN_ROWS} records")


class MoveRequest(BaseModel):
    to_state: str = Field(max_length=30)
    reason: str = Field(min_length=1, max_length=5000)


class SnapshotInfo(BaseModel):
    id: str
    created_at: str
    current: bool
    returns: list[dict[str, object]]
    row_counts: dict[str, int]


@router.get("/me")
def me(user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)]) -> Me:
    """The signed-in user and what their role may do."""
    return Me(
        username=user.username,
        full_name=user.full_name,
        role=str(user.role),
        party=user.party,
        permissions=sorted(str(p) for p in permissions_of(user.role)),
    )


def _float(value: float | None) -> float | None:
    return None if value is None or value != value else float(value)


@router.get("/indicators")
def indicators(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
) -> IndicatorList:
    """The basket for a contract year (default: the latest with figures), assessed."""
    basket = basket_year(records, app.performance, year, user.party)
    items = []
    for a in app.performance.assessments(basket.terms, basket.year):
        latest = a.latest
        items.append(
            IndicatorSummary(
                code=a.indicator.code,
                title=a.indicator.title,
                domain=domain_of(a.indicator)[1],
                unit=str(a.indicator.unit),
                polarity=str(a.indicator.polarity),
                year=a.year,
                period_start=latest.period.start,
                period_end=latest.period.end,
                value=_float(latest.usable_value),
                ci_lower=_float(latest.ci_lower) if latest.usable_value is not None else None,
                ci_upper=_float(latest.ci_upper) if latest.usable_value is not None else None,
                status=latest.status,
                baseline_value=_float(a.baseline_year.usable_value),
                target=a.target,
                tolerance=a.tolerance,
                rag=str(a.rag),
                direction=str(a.direction),
            )
        )
    return IndicatorList(
        contract=basket.contract.name,
        la_code=basket.contract.la_code,
        year=basket.year,
        years=list(basket.years),
        snapshot=app.performance.snapshot().id,
        indicators=items,
    )


@router.get("/indicators/{code}")
def indicator(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    code: str,
    year: ContractYear = None,
) -> IndicatorDetail:
    """One indicator: its figure, target, RAG, trend and published benchmarks."""
    known(code)
    basket = basket_year(records, app.performance, year, user.party)
    page = app.performance.indicator_page(basket.terms, basket.year, code)
    return IndicatorDetail(
        code=code,
        title=page.indicator.title,
        definition=page.indicator.definition,
        domain=page.domain_title,
        in_basket=page.in_basket,
        year=page.year,
        value=page.value,
        interval=page.interval,
        target=page.target,
        tolerance=page.tolerance,
        rag=page.rag if page.assessment is None else str(page.assessment.rag),
        direction=page.direction,
        quartile_band=page.band,
        trend=[
            TrendPoint(
                period_start=t.period.start,
                period_end=t.period.end,
                value=t.raw,
                shown=t.value,
                interval=t.interval,
                status=t.status,
            )
            for t in page.trend
        ],
        benchmarks=list(page.benchmarks),
    )


@router.get("/indicators/{code}/explain")
def explain(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_CHILD_RECORDS)],
    code: str,
    period: Annotated[str, Query(max_length=20, description="baseline or a contract year")] = "",
) -> Explained:
    """The child-level records (pseudonymised) behind a figure; every call is audited."""
    known(code)
    basket = basket_year(records, app.performance, None, user.party)
    try:
        span = contract_year_period(basket.terms, period or str(basket.year))
    except ValueError:
        raise HTTPException(422, "period must be baseline or a contract year number") from None
    found = app.performance.explain(code, basket.terms.la_code, span)
    with records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.VIEW,
            "child_records",
            f"{code}/{span.start}",
            {"indicator": code, "period": f"{span.start}:{span.end}", "via": "api"},
        )
    head = (
        found.rows.head(EXPLAIN_ROWS)
        .astype(object)
        .where(found.rows.head(EXPLAIN_ROWS).notna(), None)
    )
    return Explained(
        code=code,
        la_code=found.la_code,
        period_start=span.start,
        period_end=span.end,
        numerator=found.numerator,
        denominator=found.denominator,
        rows=len(found.rows),
        records=[
            {k: (str(v) if isinstance(v, dt.date) else v) for k, v in r.items()}
            for r in head.to_dict("records")
        ],
    )


@router.get("/inspections")
def inspections(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> governance.InspectionsPage:
    """The contract's inspections, the LA's published outcomes, and overdue actions."""
    with records.unit() as session:
        return governance.inspections_page(session, records.contract(session), dt.date.today())


@router.get("/inspections/{inspection_id}")
def inspection(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    inspection_id: RecordId,
) -> governance.InspectionView:
    """One inspection with its recommendations and action plan."""
    with records.unit() as session:
        return governance.inspection(
            session, records.contract(session), inspection_id, dt.date.today()
        )


@router.get("/finance")
def finance(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> governance.FinancePage:
    """Budgets with forecasts and outturn before and after the risk share; the rules."""
    with records.unit() as session:
        return governance.finance_page(records.contract(session))


@router.get("/change-requests")
def change_requests(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> list[governance.ChangeView]:
    """Every change request, with the moves the user's party may make now."""
    with records.unit() as session:
        party = user.party if user.may(Permission.MOVE_CHANGE) else None
        return list(governance.change_list(records.contract(session), party))


@router.get("/change-requests/{reference}")
def change_request(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    reference: str,
) -> governance.ChangeView:
    with records.unit() as session:
        held = records_changes.get_change(records.contract(session), reference)
        party = user.party if user.may(Permission.MOVE_CHANGE) else None
        return governance.change_view(held, party)


@router.post("/change-requests/{reference}/moves")
def move(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.MOVE_CHANGE)],
    reference: str,
    body: MoveRequest,
) -> governance.ChangeView:
    """Move a change request for the user's party, if the workflow allows it."""
    with records.unit() as session:
        held = records_changes.get_change(records.contract(session), reference)
        try:
            records_changes.move(session, held, body.to_state, user.actor, body.reason)
        except RecordsError as exc:
            raise HTTPException(409, str(exc)) from None
        return governance.change_view(held, user.party)


@router.get("/snapshots")
def snapshots(
    app: AppDep,
    user: Annotated[UserView, require(Permission.VIEW_DATA)],
) -> list[SnapshotInfo]:
    """The warehouse's snapshots, newest first; `current` marks the one in use."""
    warehouse = app.performance.warehouse
    current = warehouse.current()
    return [
        SnapshotInfo(
            id=s.id,
            created_at=s.created_at,
            current=current is not None and s.id == current.id,
            returns=[
                {k: r[k] for k in ("la_code", "kind", "year") if k in r}
                for r in s.manifest.get("returns", [])
            ],
            row_counts={k: int(v) for k, v in s.manifest.get("row_counts", {}).items()},
        )
        for s in reversed(warehouse.snapshots())
    ]
