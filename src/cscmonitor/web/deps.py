"""Typed dependencies: the app's services, the visitor, `require(permission)` and CSRF.

Every route declares exactly one permission with `require`; `allowed` in `permissions` is
the only decision. CSRF is checked for every unsafe request by one app-wide dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from cscmonitor.records import contracts, db
from cscmonitor.records.accounts import actor_of, unit
from cscmonitor.records.accounts_signin import Signin, pop_flash, set_flash
from cscmonitor.records.audit import Actor, GovernanceVersion
from cscmonitor.records.contracts import Contract
from cscmonitor.records.db import Engine, Session
from cscmonitor.records.errors import RecordsError
from cscmonitor.settings import Settings
from cscmonitor.web import security
from cscmonitor.web.config import WebSettings
from cscmonitor.web.performance import Performance
from cscmonitor.web.permissions import Permission, Role, allowed
from cscmonitor.web.uploads import Uploads

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Every number in an address is range-checked, so a huge one is a 400 with a message, never
# an overflow in a date or the database (a test walks every route to hold this).
MAX_RECORD_ID = 2**31 - 1
MAX_CONTRACT_YEAR = 99
RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID)]
ContractYear = Annotated[
    int | None, Query(ge=1, le=MAX_CONTRACT_YEAR, description="A contract year: 1 is the first")
]


class NotSignedIn(Exception):
    """No live session: pages redirect to sign-in, the API answers 401."""


class Forbidden(Exception):
    """The user's role does not hold the permission, or the CSRF token is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoContract(LookupError):
    """The records hold no contract (or not the one the settings name)."""


@dataclass
class WebApp:
    """The services a request may use; one per app, on `app.state.web`."""

    settings: WebSettings
    core: Settings
    engine: Engine
    accounts: Signin
    performance: Performance
    uploads: Uploads
    # The records' governance version (pages cache what they read from the records by it).
    governance: GovernanceVersion = field(default_factory=GovernanceVersion)


def web_app(request: Request) -> WebApp:
    app: WebApp = request.app.state.web
    return app


AppDep = Annotated[WebApp, Depends(web_app)]


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: Role

    @property
    def party(self) -> str | None:
        return self.role.party

    @property
    def actor(self) -> Actor:
        return Actor(f"{self.full_name} ({self.username})", self.party)

    def may(self, permission: Permission) -> bool:
        return allowed(self.role, permission)


@dataclass(frozen=True)
class Visit:
    """Who is asking: the signed-in user (or none), the seed for CSRF tokens, a flash."""

    user: UserView | None
    session_id: str | None
    csrf_seed: str | None
    flash: str | None = None


def address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def visit(request: Request, app: AppDep) -> Visit:
    """The session the cookie names, loaded (and its expiry enforced) once per request."""
    held: Visit | None = getattr(request.state, "visit", None)
    if held is not None:
        return held
    token = request.cookies.get(security.SESSION_COOKIE)
    found: Visit
    with unit(app.engine) as session:
        live = app.accounts.session_for(session, token)
        if live is None:
            found = Visit(None, None, request.cookies.get(security.PRESESSION_COOKIE))
        else:
            page = request.method == "GET" and not request.url.path.startswith("/api")
            user = live.user
            found = Visit(
                UserView(user.id, user.username, user.full_name, Role(user.role)),
                live.id,
                token,
                pop_flash(session, live) if page else None,
            )
    request.state.visit = found
    return found


VisitDep = Annotated[Visit, Depends(visit)]


def require(permission: Permission) -> Any:
    """A dependency giving the signed-in user if their role holds `permission`."""

    def check(current: VisitDep) -> UserView:
        if current.user is None:
            raise NotSignedIn()
        if not current.user.may(permission):
            raise Forbidden(f"Your role ({current.user.role.label}) cannot do this")
        return current.user

    check.permission = permission  # type: ignore[attr-defined]
    return Depends(check)


def permission_of(dependency: Callable[..., Any]) -> Permission | None:
    """The permission a `require` dependency checks (for the route-by-role tests)."""
    found = getattr(dependency, "permission", None)
    return found if isinstance(found, Permission) else None


async def csrf_protect(request: Request, current: VisitDep, app: AppDep) -> None:
    """Refuse any unsafe request whose CSRF token does not match the visitor's."""
    if request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get(security.CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not security.csrf_valid(app.accounts.secret, current.csrf_seed, given):
        raise Forbidden("The form had expired or did not come from this service: try again")


class Records:
    """Audited transactions on the records as the signed-in user, and the contract shown."""

    def __init__(self, app: WebApp, user: UserView | None) -> None:
        self.app = app
        self.actor = user.actor if user else Actor("anonymous")

    @contextmanager
    def unit(self) -> Iterator[Session]:
        with db.transaction(self.app.engine, self.actor) as session:
            yield session

    def contract(self, session: Session) -> Contract:
        try:
            return contracts.get_contract(session, self.app.settings.contract)
        except RecordsError as exc:
            raise NoContract(str(exc)) from None


def records(app: AppDep, current: VisitDep) -> Records:
    return Records(app, current.user)


RecordsDep = Annotated[Records, Depends(records)]


def flash(app: WebApp, current: Visit, message: str) -> None:
    """A message for the next page the visitor sees."""
    if current.session_id is not None:
        with unit(app.engine) as session:
            set_flash(session, current.session_id, message)


__all__ = ["AppDep", "RecordsDep", "VisitDep", "actor_of", "require"]
