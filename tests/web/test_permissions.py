"""Every route × every role, generated from the permission table: allowed, or 403.

A route is found from the app itself, so a new route without a permission fails here, and a
change to the table changes what is expected without touching this file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cscmonitor.records import contracts, db
from cscmonitor.records.audit import Actor
from cscmonitor.settings import Settings
from cscmonitor.web.app import ROUTERS, create_app
from cscmonitor.web.config import WebSettings
from cscmonitor.web.deps import permission_of
from cscmonitor.web.permissions import CHILD_DATA, TABLE, Permission, Role, allowed
from cscmonitor.web.routers.sessions import PUBLIC_PATHS
from tests.web.conftest import PASSWORDS, ROLE_USERS, SECRET, csrf_of, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _app_routes(_app: object = None) -> list[APIRoute]:
    routes = [r for router in ROUTERS for r in router.routes]
    assert all(isinstance(r, APIRoute) for r in routes)
    return routes


def _permissions(route: APIRoute) -> list[Permission]:
    found = [permission_of(d.call) for d in route.dependant.dependencies]
    return [p for p in found if p is not None]


@pytest.fixture(scope="module")
def matrix(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("matrix") / "data"
    shutil.copytree(demo_dir / "data", data)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
        core = Settings(_env_file=None, data_dir=data)
        app = create_app(
            WebSettings(_env_file=None, environment="development", secret_key=SECRET),
            core,
        )
        with db.transaction(app.state.web.engine, Actor("test")) as session:
            contract = contracts.get_contract(session)
            inspection = next(i for i in contract.inspections if i.actions)
            samples = {
                "code": "REREF_12M",
                "inspection_id": str(inspection.id),
                "action_id": str(inspection.actions[0].id),
                "reference": "CV-2016-01",
                "upload_id": "0123456789abcdef",
                "suffix": "csv",
                "snapshot_id": "0001",
                "user_id": "1",
                "request_id": "1",
                "edition_id": "1",
                "format": "pdf",
                "element": "safe",
            }
        clients = {}
        for role in Role:
            client = TestClient(app, follow_redirects=False)
            username = ROLE_USERS[str(role)]
            sign_in(client, username, PASSWORDS[username])
            clients[role] = (client, _token(client))
        yield {"app": app, "clients": clients, "samples": samples}
        app.state.web.engine.dispose()


def _token(client: TestClient) -> str:
    return csrf_of(client.get("/indicators").text)


def _url(route: APIRoute, samples: dict[str, str]) -> str:
    return route.path.format(**{name: samples[name] for name in route.param_convertors})


def _cases() -> list[tuple[str, str, Role]]:
    return [
        (method, route.path, role)
        for route in _app_routes()
        if route.path not in PUBLIC_PATHS
        for method in sorted(route.methods or ())
        for role in Role
    ]


def test_every_route_declares_exactly_one_permission() -> None:
    assert len(_app_routes()) > 30
    for route in _app_routes():
        if route.path in PUBLIC_PATHS or route.path == "/healthz":
            assert _permissions(route) == [], route.path
            continue
        assert len(_permissions(route)) == 1, f"{route.path} declares {_permissions(route)}"


def test_the_table_names_every_permission_and_only_known_roles() -> None:
    assert set(TABLE) == set(Permission)
    assert all(roles <= set(Role) for roles in TABLE.values())


def test_the_table_keeps_its_promises() -> None:
    # The examples, asserted directly so a change to the table is a visible decision.
    trust = {Role.TRUST_ANALYST, Role.TRUST_MANAGER}
    assert TABLE[Permission.VIEW_CHILD_RECORDS] == trust
    assert {r for r in Role if allowed(r, Permission.MOVE_CHANGE) and r.party == "council"} == {
        Role.COUNCIL_OFFICER
    }
    changing = [p for p in Permission if not p.value.startswith(("view_", "export_"))]
    assert not any(allowed(Role.VIEWER, p) for p in changing)


def test_the_roles_holding_child_data_are_those_the_two_person_rules_guard() -> None:
    # records.roles decides who needs a second administrator; this table decides who sees.
    for permission in CHILD_DATA:
        assert TABLE[permission] == {r for r in Role if r.sees_child_data}, permission
    holders = {r for p, roles in TABLE.items() if p in CHILD_DATA for r in roles}
    assert Role.ADMIN not in holders


@pytest.mark.parametrize(("method", "path", "role"), _cases())
def test_route_by_role(matrix: dict, method: str, path: str, role: Role) -> None:
    route = next(
        r for r in _app_routes(matrix["app"]) if r.path == path and method in (r.methods or ())
    )
    permission = _permissions(route)[0]
    client, token = matrix["clients"][role]
    url = _url(route, matrix["samples"])
    if method in UNSAFE:
        if path.startswith("/api/"):
            response = client.request(method, url, json={}, headers={"X-CSRF-Token": token})
        else:
            response = client.request(method, url, data={"csrf_token": token})
    else:
        response = client.request(method, url)
    if allowed(role, permission):
        assert response.status_code != 403, f"{role} refused {method} {path}: {response.text[:300]}"
        assert response.status_code < 500, response.text[:500]
    else:
        assert response.status_code == 403, f"{role} allowed {method} {path} ({permission})"


@pytest.mark.parametrize("path", ["/", "/indicators/REREF_12M", "/data", "/users", "/audit"])
def test_pages_send_a_visitor_who_is_not_signed_in_to_sign_in(matrix: dict, path: str) -> None:
    response = TestClient(matrix["app"], follow_redirects=False).get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("path", ["/api/indicators", "/api/me", "/api/change-requests"])
def test_the_api_answers_401_to_a_visitor_who_is_not_signed_in(matrix: dict, path: str) -> None:
    assert TestClient(matrix["app"]).get(path).status_code == 401


def test_navigation_shows_only_what_the_role_may_use(matrix: dict) -> None:
    viewer, _ = matrix["clients"][Role.VIEWER]
    admin, _ = matrix["clients"][Role.ADMIN]
    assert 'href="/users"' not in viewer.get("/inspections").text
    assert 'href="/data"' not in viewer.get("/inspections").text
    assert 'href="/users"' in admin.get("/inspections").text
