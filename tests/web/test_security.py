"""Sessions, CSRF, sign-in rate limiting, cookies, headers, limits and settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cscmonitor.records.accounts import find_user, unit
from cscmonitor.records.accounts_models import WebSession
from cscmonitor.records.accounts_signin import token_id
from cscmonitor.records.audit import Actor, entries
from cscmonitor.records.db import transaction
from cscmonitor.web import security
from cscmonitor.web.app import create_app
from cscmonitor.web.config import InsecureSettings, WebSettings
from tests.web.conftest import PASSWORDS, csrf_of, token_for


def _settings(**values: object) -> WebSettings:
    return WebSettings(_env_file=None, **values)


# Settings ---------------------------------------------------------------------------------


def test_outside_development_the_app_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(InsecureSettings, match="CSCMONITOR_SECRET_KEY is not set"):
        create_app(_settings(environment="production"))


@pytest.mark.parametrize("key", ["changethis", "short-key"])
def test_outside_development_a_weak_secret_key_is_refused(key: str) -> None:
    with pytest.raises(InsecureSettings, match="too weak"):
        _settings(environment="production", secret_key=key).check()


def test_in_development_no_key_is_needed_and_a_random_one_is_used() -> None:
    settings = _settings(environment="development")
    settings.check()
    assert len(settings.secret()) == 32


def test_demo_accounts_cannot_sign_in_outside_development(make_world) -> None:
    world = make_world(environment="production", secure_cookies=False)
    client = world.client()
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": "manager", "password": PASSWORDS["manager"], "csrf_token": token},
    )
    assert response.status_code == 400
    assert "not right" in response.text


# Sessions ---------------------------------------------------------------------------------


def test_the_session_cookie_is_http_only_same_site_and_secure_outside_development(
    make_world,
) -> None:
    world = make_world(secure_cookies=True)
    client = world.client("https://testserver")
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token},
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{security.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_the_database_holds_a_keyed_hash_of_the_session_token_never_the_token(world) -> None:
    client = world.sign_in("viewer")
    token = client.cookies[security.SESSION_COOKIE]
    with unit(world.app.state.web.engine) as session:
        held = list(session.scalars(select(WebSession.id)))
    assert token not in held
    assert token_id(SECRET_BYTES(world), token) in held


def SECRET_BYTES(world) -> bytes:
    return world.settings.secret()


def test_a_session_idle_longer_than_the_limit_ends(world) -> None:
    client = world.sign_in("viewer")
    assert client.get("/inspections").status_code == 200
    world.clock.advance(minutes=29)
    assert client.get("/inspections").status_code == 200  # and that visit renews it
    world.clock.advance(minutes=29)
    assert client.get("/inspections").status_code == 200
    world.clock.advance(minutes=31)
    response = client.get("/inspections")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/inspections"


def test_a_session_ends_after_its_maximum_age_however_busy(world) -> None:
    client = world.sign_in("viewer")
    for _ in range(12 * 4 - 1):
        world.clock.advance(minutes=15)
        assert client.get("/api/me").status_code == 200
    world.clock.advance(minutes=16)
    assert client.get("/api/me").status_code == 401


def test_signing_out_ends_the_session_even_for_a_copied_cookie(world) -> None:
    client = world.sign_in("viewer")
    stolen = client.cookies[security.SESSION_COOKIE]
    assert client.post("/sign-out", data={"csrf_token": token_for(client)}).status_code == 303
    other = world.client()
    other.cookies.set(security.SESSION_COOKIE, stolen)
    assert other.get("/api/me").status_code == 401


def test_deactivating_an_account_ends_its_sessions(world) -> None:
    viewer = world.sign_in("viewer")
    admin = world.sign_in("admin")
    with unit(world.app.state.web.engine) as session:
        viewer_id = find_user(session, "viewer").id
    response = admin.post(
        f"/users/{viewer_id}", data={"csrf_token": token_for(admin), "active": "no"}
    )
    assert response.status_code == 303
    assert viewer.get("/api/me").status_code == 401


def test_sign_in_returns_only_to_a_path_on_this_site(world) -> None:
    client = world.client()
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={
            "username": "viewer",
            "password": PASSWORDS["viewer"],
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


# CSRF -------------------------------------------------------------------------------------


def test_a_form_without_the_csrf_token_is_refused(world) -> None:
    client = world.sign_in("manager")
    response = client.post(
        "/change-requests/CV-2016-01/moves", data={"to_state": "proposed", "reason": "go"}
    )
    assert response.status_code == 403
    assert "did not come from this service" in response.text
    assert "Proposed" not in client.get("/change-requests/CV-2016-01").text.split("History")[0]


def test_a_token_from_another_session_is_refused(world) -> None:
    manager = world.sign_in("manager")
    other = world.sign_in("manager")
    response = manager.post(
        "/change-requests/CV-2016-01/moves",
        data={"to_state": "proposed", "reason": "go", "csrf_token": token_for(other)},
    )
    assert response.status_code == 403


def test_the_api_needs_the_token_in_a_header(world) -> None:
    client = world.sign_in("manager")
    body = {"to_state": "proposed", "reason": "go"}
    assert client.post("/api/change-requests/CV-2016-01/moves", json=body).status_code == 403
    response = client.post(
        "/api/change-requests/CV-2016-01/moves",
        json=body,
        headers={"X-CSRF-Token": token_for(client)},
    )
    assert response.status_code == 200
    assert response.json()["state_code"] == "proposed"


def test_the_sign_in_form_needs_its_pre_session_token(world) -> None:
    client = world.client()
    response = client.post("/sign-in", data={"username": "viewer", "password": PASSWORDS["viewer"]})
    assert response.status_code == 403


# Rate limiting ----------------------------------------------------------------------------


def _attempt(client, username: str, password: str) -> int:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"username": username, "password": password, "csrf_token": token}
    )
    return int(response.status_code)


def test_after_five_failures_even_the_right_password_waits_for_the_window(world) -> None:
    client = world.client()
    assert [_attempt(client, "viewer", "wrong password!") for _ in range(5)] == [400] * 5
    assert _attempt(client, "viewer", PASSWORDS["viewer"]) == 429
    world.clock.advance(minutes=16)
    assert _attempt(client, "viewer", PASSWORDS["viewer"]) == 303


def test_sign_ins_and_failures_are_audited(world) -> None:
    client = world.client()
    _attempt(client, "viewer", "wrong password!")
    world.sign_in("viewer")
    with transaction(world.app.state.web.engine, Actor("test")) as session:
        actions = [e.action for e in entries(session, entity="web_users", limit=5)]
    assert actions[:2] == ["sign_in", "refused"]


# Headers and limits -----------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(world) -> None:
    response = world.client().get("/sign-in")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_a_request_body_over_the_limit_is_refused(world) -> None:
    client = world.sign_in("admin")
    response = client.post(
        "/users", data={"csrf_token": token_for(client), "full_name": "x" * (300 << 10)}
    )
    assert response.status_code == 413


def test_an_upload_over_its_limit_is_refused(make_world) -> None:
    world = make_world(upload_max_mb=1)
    client = world.sign_in("analyst")
    response = client.post(
        "/data/uploads",
        data={"csrf_token": token_for(client)},
        files={"files": ("big.csv", b"a,b\n" * (600 << 10), "text/csv")},
    )
    assert response.status_code == 413
