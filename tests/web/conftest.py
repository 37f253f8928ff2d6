"""The web tests' world: the demo's returns, warehouse and records, built once per run.

Each test gets its own copy of the data directory (warehouse and records are small), an app
on it with a clock the test can move, and signed-in clients for each demo role.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rich.console import Console

from cscmonitor.demo import run_demo
from cscmonitor.records import db
from cscmonitor.records.accounts import DEMO_USERS, seed_demo_users
from cscmonitor.records.models import utcnow
from cscmonitor.settings import Settings
from cscmonitor.web.app import create_app
from cscmonitor.web.config import WebSettings

# The records tests' fixture: an empty database on SQLite and on PostgreSQL.
from tests.records.conftest import empty_engine as empty_engine

SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORDS = {username: password for _role, username, _name, password in DEMO_USERS}
ROLE_USERS = {str(role): username for role, username, _name, _password in DEMO_USERS}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output: returns, data (warehouse, records with demo accounts), report."""
    out = tmp_path_factory.mktemp("web-demo")
    run_demo(out, console=Console(quiet=True))
    engine = db.make_engine(db.database_url(Settings(data_dir=out / "data")))
    db.upgrade(engine)
    seed_demo_users(engine)
    engine.dispose()
    return out


class Clock:
    """A clock tests move: now, plus whatever they add."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()
        self.stopped: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return (self.stopped or utcnow()) + self.offset

    def stop(self) -> None:
        """Hold time still, so a test that reads a remaining wait sees it exactly."""
        self.stopped = utcnow()

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@dataclass
class World:
    data_dir: Path
    returns_dir: Path
    app: FastAPI
    clock: Clock
    settings: WebSettings

    def client(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.app, base_url=base_url, follow_redirects=False)

    def sign_in(self, username: str, password: str | None = None) -> TestClient:
        client = self.client()
        sign_in(client, username, PASSWORDS[username] if password is None else password)
        return client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str) -> TestClient:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303, response.text[:500]
    return client


def token_for(client: TestClient) -> str:
    """The CSRF token of the signed-in client's session (from a page)."""
    return csrf_of(client.get("/change-requests").text)


@pytest.fixture
def make_world(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., World]:
    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)

    def make(**settings: object) -> World:
        data = tmp_path / f"data-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(demo_dir / "data", data)
        clock = Clock()
        web = WebSettings(
            _env_file=None,
            **({"environment": "development", "secret_key": SECRET} | settings),
        )
        app = create_app(web, Settings(_env_file=None, data_dir=data), clock=clock)
        return World(data, demo_dir / "returns", app, clock, web)

    return make


@pytest.fixture
def world(make_world: Callable[..., World]) -> Iterator[World]:
    made = make_world()
    yield made
    made.app.state.web.engine.dispose()
