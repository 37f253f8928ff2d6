"""The dashboard: the basket as tiles for a contract year, as at a date, filtered by domain;
above them, the latest month's special causes and any return missing between two held."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cscmonitor.indicators.registry import Domain
from cscmonitor.web.basket import as_at_date, basket_year
from cscmonitor.web.deps import AppDep, ContractYear, RecordsDep, UserView, VisitDep, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    domain: Annotated[str | None, Query(max_length=40)] = None,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    performance = app.performance
    tiles = performance.tiles(basket.terms, basket.year, basket.as_at, basket.phases)
    causes = performance.special_causes(basket.terms, basket.year, basket.as_at, basket.phases)
    domains = sorted(
        {(t.domain, t.domain_title) for t in tiles},
        key=lambda d: list(Domain).index(Domain(d[0])),
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
        special_causes=causes,
        missing_returns=performance.missing_returns(basket.terms.la_code),
        snapshot=performance.snapshot(),
    )
