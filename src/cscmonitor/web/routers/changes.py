"""Change requests: the list, drafting one, and moving one through its workflow."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import changes as records_changes
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import pounds_to_pence
from cscmonitor.web import governance
from cscmonitor.web.deps import AppDep, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()
# basket changes carry a whole basket: drafted from a records file (`cscmonitor records`).
FORM_KINDS = ("other", "service_transfer", "contract_variation")


def _list_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: UserView,
    *,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        contract = records.contract(session)
        requests = governance.change_list(contract, user.party)
        budgets = governance.budget_labels(contract)
    return render(
        request,
        app,
        current,
        "changes.html",
        status_code=status_code,
        requests=requests,
        budgets=budgets,
        kinds=FORM_KINDS,
        errors=errors or [],
        values=values or {},
    )


@router.get("/change-requests", response_class=HTMLResponse, include_in_schema=False)
def change_list(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
) -> HTMLResponse:
    return _list_page(request, app, current, records, user)


def _proposal(
    kind: str, service: str, direction: str, budget: str, amount: str, reason: str
) -> dict[str, Any] | None:
    match kind:
        case "service_transfer":
            return {"service": service, "direction": direction or "in"}
        case "contract_variation":
            return {
                "budget": budget,
                "amount_pence": pounds_to_pence(amount, "Amount"),
                "reason": reason,
            }
        case _:
            return None


@router.post("/change-requests", include_in_schema=False)
def draft_change(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.DRAFT_CHANGE)],
    reference: Annotated[str, Form(max_length=40)] = "",
    kind: Annotated[str, Form(max_length=30)] = "other",
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    effective_date: Annotated[str, Form(max_length=10)] = "",
    needs_direction: Annotated[str, Form(max_length=5)] = "",
    service: Annotated[str, Form(max_length=200)] = "",
    direction: Annotated[str, Form(max_length=3)] = "",
    budget: Annotated[str, Form(max_length=40)] = "",
    amount: Annotated[str, Form(max_length=30)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {
        "reference": reference,
        "kind": kind,
        "title": title,
        "description": description,
        "effective_date": effective_date,
        "service": service,
        "direction": direction,
        "budget": budget,
        "amount": amount,
        "reason": reason,
    }
    try:
        if kind not in FORM_KINDS:
            raise RecordsError(f"Choose the kind of change: {', '.join(FORM_KINDS)}")
        try:
            effective = dt.date.fromisoformat(effective_date) if effective_date else None
        except ValueError:
            raise RecordsError("Enter the date the change takes effect, like 2016-10-01") from None
        proposal = _proposal(kind, service, direction, budget, amount, reason)
        with records.unit() as session:
            records_changes.create_change(
                session,
                records.contract(session),
                reference,
                kind,
                title,
                description=description.strip() or None,
                needs_statutory_direction=needs_direction == "yes",
                effective_date=effective,
                proposal=proposal,
            )
    except RecordsError as exc:
        return _list_page(
            request,
            app,
            current,
            records,
            user,
            errors=[("reference", str(exc))],
            values=values,
            status_code=400,
        )
    flash(app, current, f"Change request {reference.strip()} drafted")
    return RedirectResponse(f"/change-requests/{reference.strip()}", status_code=303)


def _detail(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: UserView,
    reference: str,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        held = records_changes.get_change(records.contract(session), reference)
        view = governance.change_view(
            held, user.party if user.may(Permission.MOVE_CHANGE) else None
        )
    return render(
        request,
        app,
        current,
        "change.html",
        change=view,
        errors=errors or [],
        status_code=status_code,
    )


@router.get("/change-requests/{reference}", response_class=HTMLResponse, include_in_schema=False)
def change_detail(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    reference: str,
) -> HTMLResponse:
    return _detail(request, app, current, records, user, reference)


@router.post("/change-requests/{reference}/moves", include_in_schema=False)
def move_change(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.MOVE_CHANGE)],
    reference: str,
    to_state: Annotated[str, Form(max_length=30)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        with records.unit() as session:
            held = records_changes.get_change(records.contract(session), reference)
            moved = records_changes.move(session, held, to_state, user.actor, reason)
            state = governance.STATE_LABELS.get(moved.state, moved.state)
            signed = moved.state != to_state
    except RecordsError as exc:
        if "has no change request" in str(exc):
            raise
        return _detail(
            request,
            app,
            current,
            records,
            user,
            reference,
            errors=[("reason", str(exc))],
            status_code=400,
        )
    message = (
        f"Signed off for the {user.party}: waiting for the other party"
        if signed
        else f"{reference} is now {state.lower()}"
    )
    flash(app, current, message)
    return RedirectResponse(f"/change-requests/{reference}", status_code=303)
