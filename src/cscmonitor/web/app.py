"""The web app: `create_app(settings)` builds it; `cscmonitor serve` runs it with uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cscmonitor.records import audit, db
from cscmonitor.records.accounts import unit
from cscmonitor.records.accounts_signin import Clock, Signin
from cscmonitor.records.audit import Actor
from cscmonitor.records.db import DatabaseUnavailable
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import DamagedSnapshot, Warehouse
from cscmonitor.web.config import WebSettings, signin_policy
from cscmonitor.web.deps import (
    Forbidden,
    NoContract,
    NotSignedIn,
    Visit,
    WebApp,
    address_of,
    csrf_protect,
    visit,
)
from cscmonitor.web.performance import NoData, Performance
from cscmonitor.web.routers import (
    api,
    changes,
    dashboard,
    data,
    editions,
    finance,
    forecast,
    framework,
    indicators,
    inspections,
    narrative,
    reports,
    sessions,
    users,
)
from cscmonitor.web.templating import render
from cscmonitor.web.uploads import Uploads

STATIC = Path(__file__).parent / "static"
# Every router the app serves, in order; tests read the routes from here.
ROUTERS = (
    *(m.router for m in (sessions, dashboard, indicators, framework, data, inspections)),
    *(m.router for m in (finance, changes)),
    forecast.router,
    reports.router,
    narrative.router,
    editions.router,
    users.router,
    api.router,
)
UPLOAD_PATH = "/data/uploads"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class BodyLimit:
    """Refuse request bodies over a limit (uploads get the larger one) with 413."""

    def __init__(self, app: ASGIApp, *, default_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope["path"] == UPLOAD_PATH else self.default_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b"The request is too large."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers on every response: a strict CSP (nothing from elsewhere), no framing, no
    caching of pages that hold the contract's data."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(("/static/", "/assets/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# Requests that run in threads at once (anyio's default is 40). The pages are mostly Python
# (templates, records), so more threads only share the interpreter lock more finely: every
# page waits for all the others, and a thread holding the records database's write lock is
# held up behind them (under 20 users at once, explain's audited views then waited past the
# lock timeout). Queued requests wait in the event loop instead, first come first served.
# Measured with bench/web_load.py (docs/web.md): with 40, 2 and 3 of 300 explain requests
# answered 503 in two runs; with 8, none, and the slowest in 100 came sooner.
REQUEST_THREADS = 8


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from anyio import to_thread

    to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(
    settings: WebSettings | None = None,
    core: Settings | None = None,
    *,
    clock: Clock | None = None,
) -> FastAPI:
    """The app, on the records database and warehouse the settings name (migrated to head)."""
    settings = settings or WebSettings()
    settings.check()
    core = core or Settings()
    engine = db.make_engine(db.database_url(core))
    db.upgrade(engine)
    policy, secret = signin_policy(settings), settings.secret()
    web = WebApp(
        settings=settings,
        core=core,
        engine=engine,
        # The records' own clock unless a test moves it.
        accounts=Signin(policy, secret) if clock is None else Signin(policy, secret, clock),
        performance=Performance(Warehouse(core.warehouse_dir), core.data_dir / "benchmarks"),
        uploads=Uploads(core, settings.upload_max_mb << 20),
    )
    app = FastAPI(
        title="cscmonitor",
        summary="A children's social care Service Delivery Contract: performance and governance.",
        version="0.1.0",
        # Swagger UI and ReDoc load from a CDN: only the OpenAPI document is published.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(csrf_protect)],
        lifespan=_lifespan,
    )
    app.state.web = web
    app.add_middleware(SecurityHeaders, hsts=settings.cookies_secure)
    app.add_middleware(
        BodyLimit,
        default_bytes=settings.form_max_kb << 10,
        upload_bytes=(settings.upload_max_mb << 20) + (1 << 20),
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The GOV.UK Frontend stylesheet refers to its fonts and images under /assets.
    app.mount(
        "/assets",
        StaticFiles(directory=STATIC / "govuk" / "assets", check_dir=False),
        name="assets",
    )
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def page(request: Request, status: int, title: str, message: str) -> Response:
        current = visit(request, web)
        return render(
            request, web, current, "message.html", status_code=status, title=title, message=message
        )

    @app.exception_handler(DatabaseUnavailable)
    def database_unavailable(request: Request, _exc: DatabaseUnavailable) -> Response:
        # The visitor cannot be looked up either: the page is shown as to a stranger.
        message = "The records database is busy or cannot be reached. Try again in a minute."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=503)
        return render(
            request,
            web,
            Visit(None, None, None),
            "message.html",
            status_code=503,
            title="Sorry, the service is unavailable",
            message=message,
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or 'request'}: {error['msg']}"
            for error in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=400)
        return page(request, 400, "There is a problem with the request", problems)

    def refused(request: Request, status: int, reason: str) -> None:
        """An audit row for a refused request (a database that refuses too is let go)."""
        current: Visit | None = getattr(request.state, "visit", None)
        actor = current.user.actor if current and current.user else Actor("anonymous")
        detail = {"status": status, "reason": reason, "path": request.url.path[:200]}
        try:
            with unit(web.engine) as session:
                audit.note(
                    session,
                    actor,
                    audit.REFUSED,
                    "request",
                    request.method,
                    detail | {"address": address_of(request)},
                )
        except DatabaseUnavailable:
            return

    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        refused(request, 401, "not signed in")
        if _wants_json(request):
            return JSONResponse({"detail": "Sign in first"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        refused(request, 403, exc.reason)
        if _wants_json(request):
            return JSONResponse({"detail": exc.reason}, status_code=403)
        return page(request, 403, "You cannot do this", exc.reason)

    @app.exception_handler(NoContract)
    def no_contract(request: Request, exc: NoContract) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return page(request, 503, "No contract is held", str(exc))

    @app.exception_handler(NoData)
    def no_data(request: Request, exc: NoData) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return page(request, 503, "No figures yet", str(exc))

    @app.exception_handler(DamagedSnapshot)
    def damaged(request: Request, exc: DamagedSnapshot) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return page(request, 503, "The figures' data is damaged", str(exc))

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return page(request, 404, "Page not found", str(exc))

    @app.exception_handler(RecordsError)
    def breaks_a_rule(request: Request, exc: RecordsError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return page(request, 400, "There is a problem", str(exc))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        if exc.status_code in (404, 405):
            return page(request, exc.status_code, "Page not found", str(exc.detail))
        return page(request, exc.status_code, "There is a problem", str(exc.detail))

    return app


def warm_up(app: FastAPI) -> None:
    """Compute the dashboard's figures before the first visitor asks (errors are the pages')."""
    from cscmonitor.records import contracts
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.change_points import phase_starts

    web: WebApp = app.state.web
    try:
        with db.transaction(web.engine, Actor("cscmonitor serve")) as session:
            terms = contracts.terms(contracts.get_contract(session, web.settings.contract))
            phases = tuple(phase_starts(session, terms.la_code))
        years = web.performance.years(terms)
        if years:
            web.performance.tiles(terms, years[-1], phases=phases)
    except (RecordsError, NoData, FileNotFoundError):
        return  # nothing to show yet: the pages say so
