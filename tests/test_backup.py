"""Backup and restore: records (SQLite and PostgreSQL), the current snapshot, never the key."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.ingest import ingest
from cscmonitor.records import audit, contracts, db, editions
from cscmonitor.records.accounts import seed_demo_users
from cscmonitor.records.audit import Actor
from cscmonitor.records.editions import Freeze, FrozenFile
from cscmonitor.records.roles import Role
from cscmonitor.records.yamlio import load_demo
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse
from tests.records.conftest import _postgres_url

INGEST = Path(__file__).parent / "data" / "ingest"
KEY = "backup-test-key-not-secret"
runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty records databases of the kind: the installation's, and one to restore into."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
        return
    url = _postgres_url()  # skips, saying how to run it, without CSCMONITOR_TEST_DATABASE_URL
    admin = db.make_engine(url)
    schemas = [f"test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield tuple(  # type: ignore[misc]
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={s}"})
            .render_as_string(hide_password=False)
            for s in schemas
        )
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def cli(data_dir: Path, database: str, *args: str):
    return runner.invoke(
        app,
        [*args, "--data-dir", str(data_dir)],
        env={"CSCMONITOR_PSEUDONYM_KEY": KEY, "CSCMONITOR_DATABASE_URL": database},
    )


def rows_by_table(url: str) -> dict[str, list[tuple]]:
    engine = db.make_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as connection:
            return {
                t.name: [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key))]
                for t in metadata.sorted_tables
                if t.name != "alembic_version"
            }
    finally:
        engine.dispose()


def installation(data_dir: Path, url: str, monkeypatch) -> Settings:
    """The demo's records (contract, inspections, finance, accounts) and two snapshots."""
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", url)
    settings = Settings(_env_file=None, data_dir=data_dir, pseudonym_key=SecretStr(KEY))
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.transaction(engine, Actor("backup test")) as session:
        load_demo(session)
    seed_demo_users(engine)
    engine.dispose()
    ingest([INGEST / "cin" / "CIN_Census_2017.xml"], settings)
    ingest([INGEST / "early_help"], settings, la_code="999")
    return settings


def sign_an_edition_from(url: str, snapshot: str, frozen: Path) -> None:
    engine = db.make_engine(url)
    council, trust = Actor("Damian Allen", "council"), Actor("Paul Moffat", "trust")
    with db.transaction(engine, trust) as session:
        contract = contracts.get_contract(session)
        edition = editions.open_edition(session, contract, "annual", 1, trust, Role.TRUST_MANAGER)
        editions.submit(session, edition, trust, Role.TRUST_MANAGER)
        editions.agree(session, edition, council, Role.COUNCIL_OFFICER)
        data = frozen.read_bytes()
        files = (
            FrozenFile(
                "pdf", hashlib.sha256(data).hexdigest(), len(data), "editions/1/" + frozen.name
            ),
        )
        editions.sign(
            session,
            edition,
            council,
            Role.COUNCIL_OFFICER,
            [editions.signer(contract, "Jo Miller"), editions.signer(contract, "Paul Moffat")],
            dt.date(2016, 1, 29),
            completeness=lambda: [],
            freeze=lambda _edition: Freeze(snapshot, files),
        )
    engine.dispose()


def test_backup_and_restore_round_trip(database_urls, tmp_path, monkeypatch):
    source_url, target_url = database_urls
    settings = installation(tmp_path / "data", source_url, monkeypatch)
    held = rows_by_table(source_url)
    assert held["contracts"] and held["audit_log"]  # something worth restoring
    # An edition signed from snapshot 0001 (0002 is current), with its frozen file; the
    # rendering is stood in for here (tests/reports/test_editions.py signs for real).
    frozen = settings.data_dir / "editions" / "1" / "annual-review-1.pdf"
    frozen.parent.mkdir(parents=True, mode=0o700)
    frozen.write_bytes(b"%PDF-1.7 signed")
    frozen.chmod(0o600)
    sign_an_edition_from(source_url, "0001", frozen)
    held = rows_by_table(source_url)

    made = cli(settings.data_dir, source_url, "backup", "--to", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    backup = tmp_path / "backup"
    contents = json.loads((backup / "backup.json").read_text())
    # The current snapshot, and 0001 because a signed edition was made from it.
    assert (contents["snapshot"], contents["signed_snapshots"]) == ("0002", ["0001"])
    assert sorted(p.name for p in (backup / "warehouse").iterdir()) == ["0001", "0002"]
    assert (backup / "warehouse" / "0002" / "manifest.json").exists()
    # Never the key: not as a file, not anywhere in a file.
    assert not list(backup.rglob("*.key"))
    assert not any(KEY.encode() in p.read_bytes() for p in backup.rglob("*") if p.is_file())

    restored_dir = tmp_path / "restored"
    back = cli(restored_dir, target_url, "restore", "--from", str(backup))
    assert back.exit_code == 0, back.output
    checked = cli(restored_dir, target_url, "verify")
    assert checked.exit_code == 0, checked.output
    assert (
        "snapshot 0002 (current)" in checked.output and "is the warehouse's key" in checked.output
    )
    # The signed edition's file and snapshot come back as they were, the file still private.
    assert [s.id for s in Warehouse(restored_dir / "warehouse").snapshots()] == ["0001", "0002"]
    back_again = restored_dir / "editions" / "1" / "annual-review-1.pdf"
    assert back_again.read_bytes() == b"%PDF-1.7 signed"
    assert back_again.stat().st_mode & 0o777 == 0o600
    # Every record, with its id, as it was; the warehouse reads the same rows.
    assert rows_by_table(target_url) == held
    before, after = Warehouse(settings.warehouse_dir), Warehouse(restored_dir / "warehouse")
    for name in ("cin_referrals", "eh_episodes"):
        assert after.read(name).equals(before.read(name))
    # A record made after the restore gets the next id (PostgreSQL's sequences moved on).
    engine = db.make_engine(target_url)
    with db.transaction(engine, Actor("after restore")) as session:
        audit.note(session, Actor("after restore"), "note", "test", "1")
    with engine.connect() as connection:
        newest = connection.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    engine.dispose()
    assert newest == max(row[0] for row in held["audit_log"]) + 1


def test_restore_refuses_a_damaged_backup_or_an_installation_in_use(
    database_urls, tmp_path, monkeypatch
):
    source_url, target_url = database_urls
    settings = installation(tmp_path / "data", source_url, monkeypatch)
    backup = tmp_path / "backup"
    assert cli(settings.data_dir, source_url, "backup", "--to", str(backup)).exit_code == 0
    # Into the installation it came from: refused, nothing touched.
    in_use = cli(settings.data_dir, source_url, "restore", "--from", str(backup))
    assert in_use.exit_code == 2 and "already holds a warehouse" in in_use.output
    # A damaged file in the backup: named, and nothing restored.
    part = backup / "warehouse" / "0002" / "cin_referrals.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    damaged = cli(tmp_path / "new", target_url, "restore", "--from", str(backup))
    assert damaged.exit_code == 2
    assert "warehouse/0002/cin_referrals.parquet missing or damaged" in damaged.output
    assert not (tmp_path / "new" / "warehouse").exists()
    engine = db.make_engine(target_url)
    assert db.schema_revision(engine) is None
    engine.dispose()


def test_backup_refuses_a_damaged_snapshot_and_a_folder_inside_the_data(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    settings = installation(tmp_path / "data", url, monkeypatch)
    inside = cli(settings.data_dir, url, "backup", "--to", str(settings.data_dir / "b"))
    assert inside.exit_code == 2 and "inside the data directory" in inside.output
    part = settings.warehouse_dir / "snapshots" / "0002" / "eh_episodes.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    refused = cli(settings.data_dir, url, "backup", "--to", str(tmp_path / "b"))
    assert refused.exit_code == 2
    assert "snapshot 0002: table eh_episodes is damaged" in refused.output
    assert not (tmp_path / "b").exists()
    with db.make_engine(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(text("contracts"))).scalar()
