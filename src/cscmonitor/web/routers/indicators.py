"""Indicator pages: trend, figures, benchmarks, commentary, and "explain this figure"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.indicators.registry import get
from cscmonitor.periods import Period
from cscmonitor.records import basket as records_basket
from cscmonitor.records import contracts
from cscmonitor.records.errors import RecordsError
from cscmonitor.web import trail
from cscmonitor.web.basket import BasketYear, as_at_date, basket_year, commentary, known
from cscmonitor.web.deps import (
    AppDep,
    ContractYear,
    Records,
    RecordsDep,
    UserView,
    VisitDep,
    flash,
    require,
)
from cscmonitor.web.performance import (
    EXPLAIN_PAGE,
    Explanation,
    contract_year_period,
    indicator_list,
)
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render, render_once

router = APIRouter()


@router.get("/indicators", response_class=HTMLResponse, include_in_schema=False)
def indicator_index(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
) -> HTMLResponse:
    with records.unit() as session:
        contract = records.contract(session)
        in_basket = {e.indicator for e in contracts.terms(contract).basket}
    return render(
        request, app, current, "indicators.html", indicators=indicator_list(), in_basket=in_basket
    )


def _periods(years: tuple[int, ...]) -> list[tuple[str, str]]:
    return [("baseline", "Baseline year")] + [(str(y), f"Contract year {y}") for y in years]


@router.get("/indicators/{code}", response_class=HTMLResponse, include_in_schema=False)
def indicator_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    code: str,
    year: ContractYear = None,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
    errors: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    known(code)
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    page = app.performance.indicator_page(
        basket.terms, basket.year, code, basket.as_at, basket.phases
    )
    explain = user.may(Permission.VIEW_CHILD_RECORDS)
    figures = render_once(
        "_indicator_figures.html",
        (basket.key, code, explain),
        lambda: {"page": page, "basket": basket, "explain": explain},
    )
    return render(
        request,
        app,
        current,
        "indicator.html",
        page=page,
        basket=basket,
        figures=figures,
        comments=commentary(records, basket, code),
        periods=_periods(basket.years),
        errors=errors or [],
    )


@router.post("/indicators/{code}/commentary", include_in_schema=False)
def add_commentary(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.WRITE_COMMENTARY)],
    code: str,
    period: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    known(code)
    problem = None
    if not text.strip():
        problem = ("text", "Enter the commentary")
    else:
        try:
            with records.unit() as session:
                contract = records.contract(session)
                terms = contracts.terms(contract)
                chosen: Period = contract_year_period(terms, period)
                records_basket.add_commentary(
                    session, contract, code, chosen, user.party or "", user.full_name, text
                )
        except (RecordsError, ValueError) as exc:
            problem = ("text", str(exc))
    if problem:
        response = indicator_page(
            request, app, current, records, user, code, None, None, errors=[problem]
        )
        response.status_code = 400
        return response
    flash(app, current, "Commentary added")
    return RedirectResponse(f"/indicators/{code}#commentary", status_code=303)


def explained(
    app: AppDep,
    records: Records,
    user: UserView,
    code: str,
    period: str,
    via: str,
) -> tuple[BasketYear, str, Explanation]:
    """The records behind a figure for `period` (baseline or a contract year); audited."""
    known(code)
    basket = basket_year(records, app.performance, None, user.party)
    chosen = period if period in {p for p, _ in _periods(basket.years)} else str(basket.year)
    span = contract_year_period(basket.terms, chosen)
    explanation = app.performance.explain(code, basket.terms.la_code, span)
    with trail.VIEW_WRITES, records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.VIEW,
            "child_records",
            f"{code}/{span.start}",
            {
                "indicator": code,
                "la_code": basket.terms.la_code,
                "period": f"{span.start}:{span.end}",
                "rows": len(explanation.rows),
                "via": via,
            },
        )
    return basket, chosen, explanation


def explanation_csv(explanation: Explanation) -> Response:
    """Every row behind the figure as a CSV download."""
    return Response(
        explanation.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{explanation.csv_name}"'},
    )


@router.get("/indicators/{code}/explain", response_class=HTMLResponse, include_in_schema=False)
def explain_figure(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_CHILD_RECORDS)],
    code: str,
    period: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    basket, chosen, explanation = explained(app, records, user, code, period, "web")
    columns, rows = explanation.readable()
    pages = max(1, -(-len(rows) // EXPLAIN_PAGE))
    shown = min(page, pages)
    first = (shown - 1) * EXPLAIN_PAGE
    # The records and the period are the basket key's (the snapshot, the records' version):
    # one page of them is rendered once for every reader who may see it.
    content = render_once(
        "_explain.html",
        (basket.key, code, chosen, shown),
        lambda: {
            "indicator": get(code),
            "explanation": explanation,
            "total": len(rows),
            "rows": rows[first : first + EXPLAIN_PAGE],
            "columns": columns,
            "span": explanation.period,
            "periods": _periods(basket.years),
            "chosen": chosen,
            "page": shown,
            "pages": pages,
            "first": first + 1,
            "last": min(first + EXPLAIN_PAGE, len(rows)),
            "numerator": _whole(explanation.numerator),
            "denominator": _whole(explanation.denominator),
        },
    )
    return render(request, app, current, "explain.html", indicator=get(code), content=content)


@router.get("/indicators/{code}/explain.csv", include_in_schema=False)
def explain_download(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_CHILD_RECORDS)],
    code: str,
    period: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    _basket, _chosen, explanation = explained(app, records, user, code, period, "web csv")
    return explanation_csv(explanation)


def _whole(number: float) -> str:
    """A count as a whole number; an FTE sum keeps one decimal place."""
    return f"{number:,.0f}" if round(number, 1).is_integer() else f"{number:,.1f}"
