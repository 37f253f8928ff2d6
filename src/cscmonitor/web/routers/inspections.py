"""Inspections, their judgements and action plans; progress on actions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import inspections as records_inspections
from cscmonitor.records import vocab
from cscmonitor.records.errors import RecordsError
from cscmonitor.web import governance
from cscmonitor.web.deps import AppDep, RecordId, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()


@router.get("/inspections", response_class=HTMLResponse, include_in_schema=False)
def inspection_list(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> HTMLResponse:
    with records.unit() as session:
        contract = records.contract(session)
        page = governance.inspections_page(session, contract, dt.date.today())
    return render(request, app, current, "inspections.html", page=page)


def _detail(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    inspection_id: int,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        contract = records.contract(session)
        view = governance.inspection(session, contract, inspection_id, dt.date.today())
    return render(
        request,
        app,
        current,
        "inspection.html",
        status_code=status_code,
        inspection=view,
        statuses=vocab.ACTION_STATUSES,
        errors=errors or [],
    )


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse, include_in_schema=False)
def inspection_detail(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    inspection_id: RecordId,
) -> HTMLResponse:
    return _detail(request, app, current, records, inspection_id)


@router.post("/inspections/actions/{action_id}/progress", include_in_schema=False)
def action_progress(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.UPDATE_ACTIONS)],
    action_id: RecordId,
    note: Annotated[str, Form(max_length=5000)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    with records.unit() as session:
        item = governance.action_item(session, records.contract(session), action_id)
        inspection_id = item.inspection_id
    try:
        with records.unit() as session:
            item = governance.action_item(session, records.contract(session), action_id)
            records_inspections.update_action(
                session,
                item,
                dt.date.today(),
                user.full_name,
                note,
                evidence=evidence.strip() or None,
                status=status or None,
            )
    except RecordsError as exc:
        return _detail(
            request,
            app,
            current,
            records,
            inspection_id,
            errors=[(f"note-{action_id}", str(exc))],
            status_code=400,
        )
    flash(app, current, "Progress recorded")
    return RedirectResponse(f"/inspections/{inspection_id}#action-{action_id}", status_code=303)
