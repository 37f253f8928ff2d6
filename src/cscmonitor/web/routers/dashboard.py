"""The dashboard: the basket as tiles for a contract year, filtered by domain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cscmonitor.contract import Contract as Terms
from cscmonitor.records import contracts, inspections
from cscmonitor.web import governance
from cscmonitor.web.deps import (
    AppDep,
    ContractYear,
    Records,
    RecordsDep,
    UserView,
    VisitDep,
    require,
)
from cscmonitor.web.performance import DOMAINS, NoData, Performance
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class BasketYear:
    """The contract, its basket in force in the chosen year, and the years with figures."""

    contract: governance.ContractSummary
    terms: Terms
    year: int
    years: tuple[int, ...]
    awaiting: tuple[governance.ChangeView, ...]
    overdue_actions: int


def basket_year(
    records: Records, performance: Performance, year: int | None, party: str | None
) -> BasketYear:
    with records.unit() as session:
        contract = records.contract(session)
        years = performance.years(contracts.terms(contract))
        if not years:
            raise NoData("The warehouse holds no whole contract year for this contract's LA yet")
        chosen = year if year in years else years[-1]
        awaiting = tuple(c for c in governance.change_list(contract, party) if c.options)
        overdue = len(inspections.overdue_actions(session, dt.date.today(), contract))
        return BasketYear(
            governance.contract_summary(contract),
            contracts.terms(contract, chosen),
            chosen,
            tuple(years),
            awaiting,
            overdue,
        )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    domain: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    basket = basket_year(records, app.performance, year, user.party)
    tiles = app.performance.tiles(basket.terms, basket.year)
    domains = sorted(
        {(t.domain, t.domain_title) for t in tiles},
        key=lambda d: list(DOMAINS).index(d[0]) if d[0] in DOMAINS else 99,
    )
    chosen = domain if domain in {d for d, _ in domains} else None
    shown = [t for t in tiles if chosen is None or t.domain == chosen]
    period = basket.terms.contract_year(basket.year)
    return render(
        request,
        app,
        current,
        "dashboard.html",
        basket=basket,
        period=period,
        tiles=shown,
        domains=domains,
        domain=chosen,
        snapshot=app.performance.snapshot(),
    )
