"""The National Framework view: a page per outcome and enabler with every measure for the LA.

Each page renders the framework figure model (`framework_figures`): every registered indicator
the registry tags with the outcome or enabler, and the dashboard's benchmark-only measures.
The model is built once for every page (the first view computes every indicator); each page's
markup is rendered once per basket and shown to every user as it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from cscmonitor.indicators.framework import Framework
from cscmonitor.web.basket import as_at_date, basket_year
from cscmonitor.web.deps import AppDep, ContractYear, RecordsDep, UserView, VisitDep, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render, render_once

router = APIRouter()


@router.get("/framework", response_class=HTMLResponse, include_in_schema=False)
def framework_index(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    sections = app.performance.framework(basket.terms, basket.year, basket.as_at, basket.phases)
    return render(
        request,
        app,
        current,
        "framework_index.html",
        basket=basket,
        sections=sections,
        period=basket.terms.contract_year(basket.year),
    )


@router.get("/framework/{element}", response_class=HTMLResponse, include_in_schema=False)
def framework_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    element: str,
    year: ContractYear = None,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    try:
        chosen = Framework(element)
    except ValueError:
        raise HTTPException(404, f"No National Framework outcome or enabler {element!r}") from None
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    figures = render_once(
        "_framework_figures.html",
        (basket.key, chosen),
        lambda: {
            "basket": basket,
            "page": app.performance.framework_page(
                basket.terms, basket.year, basket.as_at, chosen, basket.phases
            ),
            "elements": list(Framework),
            "chosen": chosen,
        },
    )
    return render(request, app, current, "framework.html", chosen=chosen, figures=figures)
