"""The smaller parts: charts, the GOV.UK assets, the migration, the CLI, docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from typer.testing import CliRunner

from cscmonitor.records import db
from cscmonitor.records.accounts_models import AccountBase
from cscmonitor.records.models import Base
from cscmonitor.web import charts
from cscmonitor.web.assets import GOVUK_FRONTEND_VERSION, AssetsError, copy_assets
from cscmonitor.web.permissions import markdown_table

DOCS = Path(__file__).parents[2] / "docs" / "web.md"


def test_a_sparkline_leaves_gaps_for_missing_values() -> None:
    svg = str(charts.sparkline([1.0, 2.0, None, 3.0, 4.0], label="trend"))
    assert svg.count("<polyline") == 2 and 'aria-label="trend"' in svg


def test_a_sparkline_needs_two_values() -> None:
    assert str(charts.sparkline([None, 1.0], label="x")) == ""


def test_the_trend_chart_is_titled_and_escapes_text() -> None:
    points = tuple(charts.Point(dt.date(2015, m, 1), float(m), m - 0.5, m + 0.5) for m in (3, 6, 9))
    svg = str(
        charts.trend_chart(
            [charts.Series("A <b>", points, charts.BLUE, "circle")],
            [charts.Reference("Target", 5.0, 6.0)],
            title="T & T",
            description="D",
        )
    )
    assert '<title id="chart-title">T &amp; T</title>' in svg
    assert "A &lt;b&gt;" in svg and "<b>" not in svg
    assert svg.count("<circle") == 3 + 1 and "stroke-dasharray" in svg  # points and legend


def _node_modules(tmp_path: Path, version: str) -> Path:
    package = tmp_path / "node_modules" / "govuk-frontend"
    dist = package / "dist" / "govuk"
    (dist / "assets" / "fonts").mkdir(parents=True)
    (dist / "govuk-frontend.min.css").write_text("body{}")
    (dist / "govuk-frontend.min.js").write_text("export function initAll(){}")
    (dist / "assets" / "fonts" / "bold.woff2").write_bytes(b"font")
    (package / "package.json").write_text(json.dumps({"version": version}))
    return tmp_path / "node_modules"


def test_assets_are_copied_from_the_pinned_npm_package(tmp_path: Path) -> None:
    target = copy_assets(_node_modules(tmp_path, GOVUK_FRONTEND_VERSION), tmp_path / "govuk")
    assert (target / "govuk-frontend.min.css").read_text() == "body{}"
    assert (target / "assets" / "fonts" / "bold.woff2").exists()
    assert (target / "VERSION").read_text().strip() == GOVUK_FRONTEND_VERSION


def test_another_version_of_the_assets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssetsError, match="the macros follow"):
        copy_assets(_node_modules(tmp_path, "5.0.0"), tmp_path / "govuk")


def test_pages_load_nothing_from_elsewhere(world) -> None:
    client = world.sign_in("manager")
    for path in ("/", "/indicators/REREF_12M", "/data", "/finance", "/change-requests"):
        page = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources and all(s.startswith(("/", "#")) for s in sources), path


def test_the_stylesheet_the_pages_link_is_served(world) -> None:
    from cscmonitor.web.assets import installed_version

    if installed_version() is None:
        pytest.skip("GOV.UK Frontend assets not installed: run the set-up (make install)")
    client = world.client()
    assert client.get("/static/govuk/govuk-frontend.min.css").status_code == 200
    css = client.get("/static/govuk/govuk-frontend.min.css").text
    font = re.search(r"url\((/assets/fonts/[^)]+\.woff2)\)", css)
    assert font and client.get(font.group(1)).status_code == 200


def test_the_migrations_make_exactly_the_account_models_and_go_back(empty_engine) -> None:
    db.upgrade(empty_engine)
    assert db.schema_revision(empty_engine) == "0007"  # the head
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        both = [Base.metadata, AccountBase.metadata]
        assert compare_metadata(context, both) == []  # type: ignore[arg-type]
    db.downgrade(empty_engine, "0001")
    assert not {"web_users", "web_sessions"} & set(inspect(empty_engine).get_table_names())
    db.upgrade(empty_engine)
    assert db.schema_revision(empty_engine) == "0007"


def test_accounts_and_sessions_work_on_both_databases(empty_engine) -> None:
    from cscmonitor.records.accounts import create_user, unit
    from cscmonitor.records.accounts_signin import SignedIn, Signin, SigninPolicy
    from cscmonitor.records.audit import Actor

    db.upgrade(empty_engine)
    accounts = Signin(SigninPolicy(), b"k" * 40)
    with unit(empty_engine) as session:
        create_user(session, Actor("test"), "jo", "Jo", "viewer", "a long password")
    with unit(empty_engine) as session:
        signed = accounts.sign_in(session, "jo", "a long password", "127.0.0.1")
    assert isinstance(signed, SignedIn)
    with unit(empty_engine) as session:
        held = accounts.session_for(session, signed.token)
        assert held is not None and held.user.username == "jo"


def test_users_create_bootstraps_the_first_admin(tmp_path: Path, monkeypatch) -> None:
    from cscmonitor.web.cli import users_app

    monkeypatch.delenv("CSCMONITOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("CSCMONITOR_NEW_PASSWORD", "first admin password")
    runner = CliRunner()
    made = runner.invoke(users_app, ["create", "root", "--data-dir", str(tmp_path)])
    assert made.exit_code == 0, made.output
    again = runner.invoke(users_app, ["create", "root", "--data-dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
    listed = runner.invoke(users_app, ["list", "--data-dir", str(tmp_path)])
    assert listed.stdout.startswith("root\tadmin\tactive")


def test_serve_refuses_outside_development_without_a_secret(tmp_path: Path, monkeypatch) -> None:
    import typer

    from cscmonitor.web.cli import serve

    monkeypatch.setenv("CSCMONITOR_ENVIRONMENT", "production")
    monkeypatch.delenv("CSCMONITOR_SECRET_KEY", raising=False)
    app = typer.Typer()
    app.command()(serve)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "CSCMONITOR_SECRET_KEY is not set" in result.output


def test_docs_hold_the_permission_table_as_the_code_has_it() -> None:
    assert markdown_table() in DOCS.read_text()
