"""Finance: budgets, forecasts, outturn and the risk share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import finance as records_finance
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import pounds_to_pence
from cscmonitor.web import governance
from cscmonitor.web.deps import AppDep, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()


def _page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        page = governance.finance_page(records.contract(session))
    return render(
        request,
        app,
        current,
        "finance.html",
        page=page,
        errors=errors or [],
        status_code=status_code,
    )


@router.get("/finance", response_class=HTMLResponse, include_in_schema=False)
def finance_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> HTMLResponse:
    return _page(request, app, current, records)


@router.post("/finance/forecasts", include_in_schema=False)
def add_forecast(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.RECORD_FINANCE)],
    budget: Annotated[str, Form(max_length=40)] = "",
    quarter: Annotated[str, Form(max_length=1)] = "",
    spend: Annotated[str, Form(max_length=30)] = "",
    as_at: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        if not quarter.isdigit():
            raise RecordsError("Choose the quarter")
        try:
            day = dt.date.fromisoformat(as_at)
        except ValueError:
            raise RecordsError("Enter the date the forecast was made, like 2015-09-30") from None
        with records.unit() as session:
            held = records_finance.get_budget(records.contract(session), budget)
            records_finance.add_forecast(
                session,
                held,
                int(quarter),
                day,
                pounds_to_pence(spend, "Forecast spend"),
                note.strip() or None,
            )
    except RecordsError as exc:
        return _page(
            request, app, current, records, errors=[("forecast", str(exc))], status_code=400
        )
    flash(app, current, f"Quarter {quarter} forecast recorded for {budget}")
    return RedirectResponse("/finance", status_code=303)


@router.post("/finance/outturn", include_in_schema=False)
def set_outturn(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.RECORD_FINANCE)],
    budget: Annotated[str, Form(max_length=40)] = "",
    spend: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        with records.unit() as session:
            held = records_finance.get_budget(records.contract(session), budget)
            records_finance.set_outturn(
                session, held, pounds_to_pence(spend, "Outturn"), note.strip() or None
            )
    except RecordsError as exc:
        return _page(
            request, app, current, records, errors=[("outturn", str(exc))], status_code=400
        )
    flash(app, current, f"Outturn recorded for {budget}")
    return RedirectResponse("/finance", status_code=303)
