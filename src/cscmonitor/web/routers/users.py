"""Accounts (administrators only) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import audit
from cscmonitor.web.deps import AppDep, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission, Role
from cscmonitor.web.templating import render
from cscmonitor.web.users import (
    AccountError,
    count_admins,
    create_user,
    get_user,
    list_users,
    unit,
    update_user,
)

router = APIRouter()


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
            for u in list_users(session)
        ]
    return render(
        request,
        app,
        current,
        "users.html",
        accounts=accounts,
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
            create_user(session, user.actor, username, full_name, role, password)
    except AccountError as exc:
        values = {"username": username, "full_name": full_name, "role": role}
        return _page(
            request,
            app,
            current,
            errors=[("username", str(exc))],
            values=values,
            status_code=400,
        )
    flash(app, current, f"Account {username.strip().lower()} created")
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}", include_in_schema=False)
def change_user(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.MANAGE_USERS)],
    user_id: int,
    role: Annotated[str, Form(max_length=30)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with unit(app.engine) as session:
            held = get_user(session, user_id)
            keeps_admin = (role or held.role) == Role.ADMIN and active != "no"
            if held.role == Role.ADMIN and not keeps_admin and count_admins(session) <= 1:
                raise AccountError("Keep at least one active administrator")
            update_user(
                session,
                user.actor,
                held,
                role=role or None,
                active={"yes": True, "no": False}.get(active),
                password=password or None,
            )
            name = held.username
    except AccountError as exc:
        return _page(request, app, current, errors=[("username", str(exc))], status_code=400)
    flash(app, current, f"Account {name} changed")
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
