"""Accounts and the two-person requests (administrators only), and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import accounts_approvals as approvals
from cscmonitor.records import audit
from cscmonitor.records.accounts import create_user, get_user, list_users, unit, update_user
from cscmonitor.records.errors import RecordsError
from cscmonitor.web.deps import AppDep, RecordId, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission, Role
from cscmonitor.web.templating import render

router = APIRouter()
ACCOUNT_KINDS = (approvals.Kind.GRANT_ROLE, approvals.Kind.RESET_PASSWORD)


def _page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    *,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with unit(app.engine) as session:
        users = list_users(session)
        names = {str(u.id): u.username for u in users}
        accounts = [
            {
                "id": u.id,
                "username": u.username,
                "full_name": u.full_name,
                "role": Role(u.role).label,
                "role_code": u.role,
                "active": u.active,
                "demo": u.demo,
                "last": f"{u.last_signin_at:%d %b %Y %H:%M}" if u.last_signin_at else "never",
            }
            for u in users
        ]
        waiting = [
            {
                "id": r.id,
                "what": approvals.Kind(r.kind).label,
                "account": names.get(r.subject, r.subject),
                "role": Role(r.detail["role"]).label if "role" in r.detail else "",
                "by": r.requested_by,
                "at": f"{r.requested_at:%d %b %Y %H:%M}",
                "mine": r.requested_by_id == current.user.id if current.user else False,
            }
            for r in approvals.pending(session, ACCOUNT_KINDS)
        ]
    return render(
        request,
        app,
        current,
        "users.html",
        accounts=accounts,
        waiting=waiting,
        roles=list(Role),
        errors=errors or [],
        values=values or {},
        status_code=status_code,
    )


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
def user_list(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.MANAGE_USERS)],
) -> HTMLResponse:
    return _page(request, app, current)


@router.post("/users", include_in_schema=False)
def add_user(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.MANAGE_USERS)],
    username: Annotated[str, Form(max_length=80)] = "",
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=30)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with unit(app.engine) as session:
            made = create_user(
                session, user.actor, username, full_name, role, password, by_id=user.id
            )
            waits = not made.active
    except RecordsError as exc:
        values = {"username": username, "full_name": full_name, "role": role}
        return _page(
            request,
            app,
            current,
            errors=[("username", str(exc))],
            values=values,
            status_code=400,
        )
    name = username.strip().lower()
    flash(
        app,
        current,
        f"Account {name} created: it can sign in once a second administrator approves its role"
        if waits
        else f"Account {name} created",
    )
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}", include_in_schema=False)
def change_user(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.MANAGE_USERS)],
    user_id: RecordId,
    role: Annotated[str, Form(max_length=30)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with unit(app.engine) as session:
            held = get_user(session, user_id)
            requests = update_user(
                session,
                user.actor,
                held,
                by_id=user.id,
                role=role or None,
                active={"yes": True, "no": False}.get(active),
                password=password or None,
            )
            name = held.username
    except RecordsError as exc:
        return _page(request, app, current, errors=[("username", str(exc))], status_code=400)
    asked = " and ".join(approvals.Kind(r.kind).label for r in requests)
    flash(
        app,
        current,
        f"Account {name} changed"
        + (f"; the {asked} waits for a second administrator's approval" if asked else ""),
    )
    return RedirectResponse("/users", status_code=303)


@router.post("/users/requests/{request_id}", include_in_schema=False)
def decide_request(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.MANAGE_USERS)],
    request_id: RecordId,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Approve or refuse a request about an account; the one who asked may only withdraw."""
    try:
        with unit(app.engine) as session:
            held = approvals.waiting(session, request_id, ACCOUNT_KINDS)
            if decision == "approve":
                held = approvals.approve(session, held.id, user.id)
            elif decision == "refuse":
                held = approvals.refuse(session, held.id, user.id)
            else:
                raise approvals.ApprovalError("Choose approve or refuse")
            state = held.state
    except RecordsError as exc:
        return _page(request, app, current, errors=[("requests", str(exc))], status_code=400)
    flash(app, current, f"Request {request_id} {state}")
    return RedirectResponse("/users", status_code=303)


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_log(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_AUDIT)],
    entity: Annotated[str | None, Query(max_length=60)] = None,
) -> HTMLResponse:
    with records.unit() as session:
        rows = [
            {
                "at": f"{e.at:%d %b %Y %H:%M:%S}",
                "actor": e.actor,
                "party": e.actor_role or "",
                "action": e.action,
                "entity": e.entity,
                "id": e.entity_id,
                "detail": e.after if e.after is not None else e.before,
            }
            for e in audit.entries(session, entity=entity or None, limit=200)
        ]
    return render(request, app, current, "audit.html", rows=rows, entity=entity or "")
