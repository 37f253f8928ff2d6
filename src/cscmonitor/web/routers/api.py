"""The JSON API under /api: the pages' content as data, with the same permissions.

Signed in with the same session cookie as the pages; a request that changes something sends
the page's CSRF token in the `X-CSRF-Token` header. The OpenAPI document is /api/openapi.json.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from cscmonitor.figures import Figure
from cscmonitor.periods import Period
from cscmonitor.records import changes as records_changes
from cscmonitor.records.errors import RecordsError
from cscmonitor.web import governance, trail
from cscmonitor.web.basket import as_at_date, basket_year, known
from cscmonitor.web.deps import AppDep, ContractYear, RecordId, RecordsDep, UserView, require
from cscmonitor.web.performance import (
    EXPLAIN_PAGE,
    BenchmarkRow,
    contract_year_period,
    domain_of,
    framework_of,
)
from cscmonitor.web.permissions import Permission, permissions_of

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
    framework: str  # the National Framework outcome or enabler
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
    travel: str
    travel_text: str
    variation: str | None  # the control chart's icons (docs/spc.md)
    assurance: str | None


class IndicatorList(BaseModel):
    contract: str
    la_code: str
    year: int
    years: list[int]
    as_at: dt.date
    snapshot: str
    indicators: list[IndicatorSummary]


class FigureRecord(BaseModel):
    """One figure of the figure model: exactly what `cscmonitor figures --format json` prints."""

    indicator: str
    la_code: str
    contract_year: int | None
    period_start: str
    period_end: str
    value: float | None
    numerator: float | None
    denominator: float | None
    ci_lower: float | None
    ci_upper: float | None
    status: str
    value_text: str
    baseline_year_value: float | None
    contract_baseline: float | None
    target: float | None
    tolerance: float | None
    rag: str
    rag_text: str
    travel: str
    travel_p_value: float | None
    travel_method: str
    travel_text: str
    travel_last: str
    travel_last_text: str
    england: float | None
    england_text: str
    region: float | None
    region_text: str
    sn_mean: float | None
    sn_mean_text: str
    sn_grouping: int | None
    sn_model_text: str
    vs_england: str
    quartile_band: str | None
    band_text: str
    benchmark_year: str | None
    benchmark_state: str
    outlook: str | None
    outlook_text: str | None
    variation: str | None
    variation_text: str
    assurance: str | None
    assurance_text: str
    spc_month: str | None
    spc_signal: str | None
    spc_rule: str | None
    as_at: str


class FigureList(BaseModel):
    contract: str
    la_code: str
    year: int
    as_at: dt.date
    snapshot: str
    figures: list[FigureRecord]


class TrendPoint(BaseModel):
    period_start: dt.date
    period_end: dt.date
    value: float | None
    shown: str
    interval: str
    status: str


class ControlPoint(BaseModel):
    """A point of the indicator's control chart, as the page's table shows it."""

    month: str
    value: str
    mean: str
    limits: str
    phase: str
    signal: str
    rule: str


class IndicatorDetail(BaseModel):
    code: str
    title: str
    definition: str
    domain: str
    framework: str
    in_basket: bool
    year: int | None
    as_at: dt.date
    value: str
    interval: str
    target: str
    tolerance: str
    rag: str
    direction: str
    quartile_band: str
    outlooks: list[str]
    variation: str  # the control chart's icons in the figure model's words
    assurance: str
    figure: FigureRecord
    control: list[ControlPoint]
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
    page: int
    pages: int
    columns: list[str] = Field(description="The columns, in words")
    records: list[list[str]] = Field(
        description=f"Up to {EXPLAIN_PAGE} records of the page, as the web page shows them"
    )


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


def _summary(f: Figure) -> IndicatorSummary:
    latest, usable = f.latest, f.latest.usable_value is not None
    return IndicatorSummary(
        code=f.code,
        title=f.indicator.title,
        domain=domain_of(f.indicator)[1],
        framework=framework_of(f.indicator)[1],
        unit=str(f.indicator.unit),
        polarity=str(f.indicator.polarity),
        year=f.year or 0,
        period_start=latest.period.start,
        period_end=latest.period.end,
        value=latest.usable_value,
        ci_lower=latest.ci_lower if usable else None,
        ci_upper=latest.ci_upper if usable else None,
        status=latest.status,
        baseline_value=f.baseline_year.usable_value,
        target=f.asked.target,
        tolerance=f.asked.tolerance,
        rag=str(f.rag),
        travel=str(f.travel.travel),
        travel_text=f.travel_text,
        variation=f.control.variation or None,
        assurance=f.control.assurance or None,
    )


AsAt = Annotated[
    str | None,
    Query(max_length=10, description="Judge as at this date, YYYY-MM-DD (default: today)"),
]


@router.get("/indicators")
def indicators(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    as_at: AsAt = None,
) -> IndicatorList:
    """The basket for a contract year (default: the latest with figures), assessed as at a date."""
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    figures = app.performance.figures(basket.terms, basket.year, basket.as_at, basket.phases)
    return IndicatorList(
        contract=basket.contract.name,
        la_code=basket.contract.la_code,
        year=basket.year,
        years=list(basket.years),
        as_at=basket.as_at,
        snapshot=app.performance.snapshot().id,
        indicators=[_summary(f) for f in figures],
    )


@router.get("/figures")
def figures(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    as_at: AsAt = None,
) -> FigureList:
    """The figure model for the basket in a contract year, as `cscmonitor figures` prints it."""
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    found = app.performance.figures(basket.terms, basket.year, basket.as_at, basket.phases)
    return FigureList(
        contract=basket.contract.name,
        la_code=basket.contract.la_code,
        year=basket.year,
        as_at=basket.as_at,
        snapshot=app.performance.snapshot().id,
        figures=[FigureRecord(**f.record()) for f in found],
    )


@router.get("/indicators/{code}")
def indicator(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    code: str,
    year: ContractYear = None,
    as_at: AsAt = None,
) -> IndicatorDetail:
    """One indicator: its figure, target, RAG, travel, trajectory, trend and benchmarks."""
    known(code)
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    page = app.performance.indicator_page(
        basket.terms, basket.year, code, basket.as_at, basket.phases
    )
    assert page.figure is not None
    return IndicatorDetail(
        code=code,
        title=page.indicator.title,
        definition=page.indicator.definition,
        domain=page.domain_title,
        framework=page.framework_title,
        in_basket=page.in_basket,
        year=page.year,
        as_at=basket.as_at,
        value=page.value,
        interval=page.interval,
        target=page.target,
        tolerance=page.tolerance,
        rag=str(page.figure.rag) if page.in_basket else page.rag,
        direction=page.direction,
        quartile_band=page.band,
        outlooks=list(page.outlooks),
        variation=page.variation,
        assurance=page.assurance,
        figure=FigureRecord(**page.figure.record()),
        control=[ControlPoint(**vars(r)) for r in page.control_rows],
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
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Explained:
    """The child-level records (pseudonymised) behind a figure, a page at a time; audited."""
    known(code)
    span = _explained_period(app, records, user, period)
    found = app.performance.explain(code, span[0], span[1])
    _audit(records, user, code, span[1], "api")
    columns, rows = found.readable()
    pages = max(1, -(-len(rows) // EXPLAIN_PAGE))
    first = (min(page, pages) - 1) * EXPLAIN_PAGE
    return Explained(
        code=code,
        la_code=found.la_code,
        period_start=span[1].start,
        period_end=span[1].end,
        numerator=found.numerator,
        denominator=found.denominator,
        rows=len(rows),
        page=min(page, pages),
        pages=pages,
        columns=columns,
        records=rows[first : first + EXPLAIN_PAGE],
    )


@router.get("/indicators/{code}/explain.csv")
def explain_csv(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_CHILD_RECORDS)],
    code: str,
    period: Annotated[str, Query(max_length=20, description="baseline or a contract year")] = "",
) -> Response:
    """Every record behind a figure as CSV, as the web page shows them; audited."""
    known(code)
    span = _explained_period(app, records, user, period)
    found = app.performance.explain(code, span[0], span[1])
    _audit(records, user, code, span[1], "api csv")
    return Response(
        found.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{found.csv_name}"'},
    )


def _explained_period(
    app: AppDep, records: RecordsDep, user: UserView, period: str
) -> tuple[str, Period]:
    basket = basket_year(records, app.performance, None, user.party)
    try:
        return basket.terms.la_code, contract_year_period(basket.terms, period or str(basket.year))
    except ValueError:
        raise HTTPException(422, "period must be baseline or a contract year number") from None


def _audit(records: RecordsDep, user: UserView, code: str, span: Period, via: str) -> None:
    with trail.VIEW_WRITES, records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.VIEW,
            "child_records",
            f"{code}/{span.start}",
            {"indicator": code, "period": f"{span.start}:{span.end}", "via": via},
        )


@router.get("/inspections")
def inspections(
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    as_at: AsAt = None,
) -> governance.InspectionsPage:
    """The contract's inspections, the LA's published outcomes, and actions overdue as at a
    date (default: today)."""
    with records.unit() as session:
        return governance.inspections_page(session, records.contract(session), as_at_date(as_at))


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
