"""The web side of accounts: two-person approval pages, delays per source, the secret key,
refused requests in the audit log, a database that is busy or gone, and numbers in addresses."""

from __future__ import annotations

import sqlite3
import typing

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cscmonitor.records import db
from cscmonitor.records.accounts import create_user, find_user, unit
from cscmonitor.records.audit import Actor, entries
from cscmonitor.web.app import ROUTERS
from cscmonitor.web.config import InsecureSettings, WebSettings
from tests.web.conftest import PASSWORDS, csrf_of, sign_in, token_for

SECOND_ADMIN_PASSWORD = "second admin secret"


def _production(key: str) -> WebSettings:
    return WebSettings(_env_file=None, environment="production", secret_key=key)


# The secret key ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a" * 32, "ab" * 16, "0123" * 10, "x" * 64])
def test_a_long_but_repetitive_secret_key_is_refused_in_production(key: str) -> None:
    with pytest.raises(InsecureSettings, match="too weak"):
        _production(key).check()


@pytest.mark.parametrize(
    "key",
    [
        "3f9a1c07e5b24d6890ab7c1e2f4d5a63",  # 32 hex digits: 128 random bits
        "Jq8v2M_xT4rLk9ZpW1sNe6Yb0HcUa3Gd",  # secrets.token_urlsafe(24)'s shape
    ],
)
def test_a_random_secret_key_is_accepted_in_production(key: str) -> None:
    _production(key).check()


# Two people --------------------------------------------------------------------------------


def _second_admin(world) -> None:
    with unit(world.app.state.web.engine) as session:
        create_user(session, Actor("test"), "bob", "Bob Admin", "admin", SECOND_ADMIN_PASSWORD)


def test_an_analyst_account_made_by_one_admin_signs_in_only_after_another_approves(world):
    _second_admin(world)
    ann = world.sign_in("admin")
    made = ann.post(
        "/users",
        data={
            "csrf_token": token_for(ann),
            "username": "newanalyst",
            "full_name": "New Analyst",
            "role": "trust_analyst",
            "password": "a long enough secret",
        },
    )
    assert made.status_code == 303
    page = ann.get("/users").text
    assert "can sign in once a second administrator approves" in page
    assert "Approve request 1" not in page  # Ann asked: she may only withdraw
    assert "Withdraw request 1" in page
    refused = world.client()
    token = csrf_of(refused.get("/sign-in").text)
    form = {"username": "newanalyst", "password": "a long enough secret", "csrf_token": token}
    assert refused.post("/sign-in", data=form).status_code == 400  # inactive until approved
    # Ann cannot approve her own request even by posting the form by hand.
    own = ann.post("/users/requests/1", data={"csrf_token": token_for(ann), "decision": "approve"})
    assert own.status_code == 400 and "You asked for this" in own.text
    bob = world.client()
    sign_in(bob, "bob", SECOND_ADMIN_PASSWORD)
    assert "Approve request 1" in bob.get("/users").text
    approved = bob.post(
        "/users/requests/1", data={"csrf_token": token_for(bob), "decision": "approve"}
    )
    assert approved.status_code == 303
    sign_in(world.client(), "newanalyst", "a long enough secret")


def test_an_admin_cannot_reset_an_analysts_password_alone(world):
    ann = world.sign_in("admin")
    with unit(world.app.state.web.engine) as session:
        analyst = find_user(session, "analyst").id
    response = ann.post(
        f"/users/{analyst}",
        data={"csrf_token": token_for(ann), "password": "admin knows this one"},
    )
    assert response.status_code == 303
    assert "new password waits for a second administrator" in ann.get("/users").text
    world.sign_in("analyst")  # the old password still works
    client = world.client()
    token = csrf_of(client.get("/sign-in").text)
    form = {"username": "analyst", "password": "admin knows this one", "csrf_token": token}
    assert client.post("/sign-in", data=form).status_code == 400


def test_an_admin_cannot_take_a_child_data_role(world):
    ann = world.sign_in("admin")
    with unit(world.app.state.web.engine) as session:
        own = find_user(session, "admin").id
    response = ann.post(
        f"/users/{own}", data={"csrf_token": token_for(ann), "role": "trust_manager"}
    )
    assert response.status_code == 400
    assert "never holds a role that sees child-level data" in response.text


def test_uploads_need_a_second_person_by_default_in_production_only():
    assert WebSettings(_env_file=None).second_person_for_uploads is False
    assert _production("3f9a1c07e5b24d6890ab7c1e2f4d5a63").second_person_for_uploads is True
    chosen = WebSettings(_env_file=None, uploads_need_second_person=True)
    assert chosen.second_person_for_uploads is True


# Sign-in delays per source ------------------------------------------------------------------


def _attempt(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/sign-in").text)
    form = {"username": username, "password": password, "csrf_token": token}
    return int(client.post("/sign-in", data=form).status_code)


def test_five_wrong_passwords_from_one_place_do_not_lock_the_owner_out(world):
    guesser = TestClient(world.app, follow_redirects=False, client=("192.0.2.7", 5000))
    assert [_attempt(guesser, "viewer", "wrong password!") for _ in range(5)] == [400] * 5
    assert _attempt(guesser, "viewer", PASSWORDS["viewer"]) == 429
    owner = TestClient(world.app, follow_redirects=False, client=("10.1.1.1", 5000))
    assert _attempt(owner, "viewer", PASSWORDS["viewer"]) == 303


def test_twenty_made_up_names_do_not_lock_the_real_admin_out(world):
    client = world.client()
    assert {_attempt(client, f"nobody{n}", "wrong password!") for n in range(20)} == {400}
    assert _attempt(client, "admin", PASSWORDS["admin"]) == 303  # from the same place, even


def test_a_throttled_sign_in_says_how_long_to_wait(world):
    world.clock.stop()  # a slow machine must not turn 30 seconds into 29
    client = world.client()
    for _ in range(5):
        _attempt(client, "viewer", "wrong password!")
    token = csrf_of(client.get("/sign-in").text)
    form = {"username": "viewer", "password": "wrong password!", "csrf_token": token}
    response = client.post("/sign-in", data=form)
    assert response.status_code == 429 and "Wait 30 seconds" in response.text


# Refused requests are audited ---------------------------------------------------------------


def _refusals(world) -> list[tuple[str, int, str]]:
    with unit(world.app.state.web.engine) as session:
        return [
            (e.actor, e.after["status"], e.after["path"])
            for e in entries(session, entity="request", limit=20)
        ]


def test_refused_requests_are_in_the_audit_log(world):
    viewer = world.sign_in("viewer")
    assert viewer.get("/users").status_code == 403  # a role without the permission
    no_token = viewer.post("/change-requests/CV-2016-01/moves", data={"to_state": "proposed"})
    assert no_token.status_code == 403  # CSRF
    assert world.client().get("/api/me").status_code == 401  # not signed in
    assert _refusals(world) == [
        ("anonymous", 401, "/api/me"),
        ("Demo Board Member (viewer)", 403, "/change-requests/CV-2016-01/moves"),
        ("Demo Board Member (viewer)", 403, "/users"),
    ]


# The database busy or gone ------------------------------------------------------------------


def test_a_locked_records_database_is_a_friendly_503(make_world, monkeypatch):
    monkeypatch.setattr(db, "LOCK_TIMEOUT_SECONDS", 0.2)
    world = make_world()
    viewer = world.sign_in("viewer")
    holder = sqlite3.connect(world.data_dir / "records.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for a long time
    try:
        page = viewer.get("/inspections")
        api = viewer.get("/api/inspections")
    finally:
        holder.rollback()
        holder.close()
    assert page.status_code == 503
    assert "The records database is busy or cannot be reached" in page.text
    assert "Traceback" not in page.text
    assert api.status_code == 503 and "busy or cannot be reached" in api.json()["detail"]
    assert viewer.get("/inspections").status_code == 200  # and it comes back


def test_an_unreachable_records_database_is_a_friendly_503(world):
    viewer = world.sign_in("viewer")
    world.app.state.web.engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    response = viewer.get("/inspections")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.text


def test_the_command_line_says_so_in_one_line(monkeypatch, capsys):
    from cscmonitor import cli

    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.setattr("sys.argv", ["cscmonitor", "users", "list"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: records database postgresql")


# Numbers in addresses ----------------------------------------------------------------------


def _numeric(route: APIRoute) -> list[typing.Any]:
    params = [*route.dependant.query_params, *route.dependant.path_params]
    return [
        p
        for p in params
        if int in (p.field_info.annotation, *typing.get_args(p.field_info.annotation))
    ]


def test_every_numeric_parameter_of_every_route_has_a_range():
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    checked = 0
    for route in routes:
        for param in _numeric(route):
            bounds = {type(m).__name__ for m in param.field_info.metadata}
            assert {"Ge", "Le"} <= bounds, f"{route.path}: {param.name} has no range"
            checked += 1
    assert checked >= 9  # year on five routes, inspection, action, user and request ids


@pytest.mark.parametrize(
    "path",
    [
        "/reports/download?report=annual&format=html&year=99999999999",
        "/reports/download?report=summary&year=0",
        "/?year=99999999999",
        "/indicators/REREF_12M?year=-1",
        "/api/indicators?year=99999999999",
        "/inspections/99999999999",
        "/api/inspections/99999999999999999999",
    ],
)
def test_an_out_of_range_number_is_a_400_never_a_500(world, path):
    response = world.sign_in("manager").get(path)
    assert response.status_code == 400, response.text[:300]
    assert "less than or equal" in response.text or "greater than or equal" in response.text


def test_an_out_of_range_record_id_in_a_form_address_is_a_400(world):
    admin = world.sign_in("admin")
    response = admin.post("/users/99999999999", data={"csrf_token": token_for(admin)})
    assert response.status_code == 400
