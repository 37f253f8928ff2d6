"""Sign in and sign out: the only routes open to a visitor who is not signed in."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from cscmonitor.records.accounts import unit
from cscmonitor.records.accounts_signin import Refusal, Throttled, new_token
from cscmonitor.web import security
from cscmonitor.web.deps import AppDep, Visit, VisitDep, WebApp, address_of
from cscmonitor.web.templating import render

router = APIRouter(tags=["sign-in"])
PUBLIC_PATHS = frozenset({"/sign-in", "/sign-out"})


def _duration(wait: dt.timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))  # never tell them to try too early
    if seconds < 90:
        return f"{seconds} seconds" if seconds > 1 else "1 second"
    return f"{round(seconds / 60)} minutes"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _sign_in_page(
    request: Request,
    app: WebApp,
    current: Visit,
    *,
    next_path: str,
    errors: list[tuple[str, str]] | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    seed = current.csrf_seed or new_token()
    shown = Visit(None, None, seed)
    response = render(
        request,
        app,
        shown,
        "sign_in.html",
        status_code=status_code,
        next_path=next_path,
        errors=errors or [],
        username=username,
    )
    if current.csrf_seed is None:
        response.set_cookie(
            security.PRESESSION_COOKIE,
            seed,
            httponly=True,
            samesite="strict",
            secure=app.settings.cookies_secure,
            path="/",
        )
    return response


@router.get("/sign-in", include_in_schema=False)
def sign_in_form(
    request: Request, app: AppDep, current: VisitDep, next: str | None = None
) -> Response:
    if current.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_page(request, app, current, next_path=safe_next(next))


@router.post("/sign-in", include_in_schema=False)
def sign_in(
    request: Request,
    app: AppDep,
    current: VisitDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    errors = []
    if not username.strip():
        errors.append(("username", "Enter your username"))
    if not password:
        errors.append(("password", "Enter your password"))
    if errors:
        return _sign_in_page(
            request,
            app,
            current,
            next_path=safe_next(next),
            errors=errors,
            username=username,
            status_code=400,
        )
    with unit(app.engine) as session:
        outcome = app.accounts.sign_in(session, username, password, address_of(request))
    if isinstance(outcome, Throttled):
        return _sign_in_page(
            request,
            app,
            current,
            next_path=safe_next(next),
            username=username,
            status_code=429,
            errors=[
                (
                    "username",
                    f"Too many failed attempts from here. Wait {_duration(outcome.wait)}, "
                    "then try again",
                )
            ],
        )
    if outcome is Refusal.WRONG:
        return _sign_in_page(
            request,
            app,
            current,
            next_path=safe_next(next),
            username=username,
            status_code=400,
            errors=[("username", "The username or password is not right")],
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        outcome.token,
        httponly=True,
        samesite="lax",
        secure=app.settings.cookies_secure,
        path="/",
    )
    response.delete_cookie(security.PRESESSION_COOKIE, path="/")
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, app: AppDep) -> Response:
    with unit(app.engine) as session:
        app.accounts.sign_out(session, request.cookies.get(security.SESSION_COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response
