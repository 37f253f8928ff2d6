"""The audit log's hash chain: any edit or removal of rows is found, on SQLite and PostgreSQL.

The tampering goes around every guard the application has (the triggers are lifted, as an
attacker with the database's owner rights would), so only the chain can find it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from cscmonitor.records import audit, contracts, db
from cscmonitor.records.audit import GENESIS, Actor, chain_hash
from cscmonitor.records.audit_cli import audit_app
from cscmonitor.records.models import AuditEntry, AuditHead

MANAGER = Actor("Contract Manager", "council")


def _tamper(engine: Engine, *statements: str) -> None:
    """Run SQL on the audit log with its append-only triggers lifted, then put them back."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            for event in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER audit_log_no_{event}"))
        for statement in statements:
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            for event in ("update", "delete"):
                connection.execute(
                    text(
                        f"CREATE TRIGGER audit_log_no_{event} BEFORE {event.upper()} ON audit_log "
                        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    )
                )


def _verify(records, anchors: tuple[str, ...] = ()) -> audit.ChainReport:
    with records.unit() as session:
        return audit.verify(session, anchors)


def _ids(records) -> list[int]:
    with records.unit() as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


@pytest.fixture
def logged(doncaster):
    """The Doncaster contract (its creation is audited row by row) and three milestones."""
    with doncaster.unit(MANAGER) as session:
        for month in (3, 6, 9):
            contracts.add_milestone(
                session, doncaster.contract(session), f"M{month}", due_date=dt.date(2017, month, 1)
            )
    return doncaster


def test_a_log_written_by_the_services_is_whole(logged):
    report = _verify(logged)
    ids = _ids(logged)
    assert report.intact, report.breaks
    assert report.rows == len(ids) > 10
    assert report.head_id == ids[-1]
    with logged.unit() as session:
        first = session.get(AuditEntry, ids[0])
        assert first.prev_hash == GENESIS  # the first row links to the start of the log


def test_an_edited_row_is_found(logged):
    third = _ids(logged)[2]
    _tamper(logged.engine, f"UPDATE audit_log SET actor = 'Someone Else' WHERE id = {third}")
    report = _verify(logged)
    assert report.breaks == (f"row {third}: its content no longer matches its hash: it was edited",)


def test_a_row_removed_from_the_middle_is_found(logged):
    ids = _ids(logged)
    _tamper(logged.engine, f"DELETE FROM audit_log WHERE id = {ids[4]}")
    report = _verify(logged)
    assert report.breaks == (
        f"row {ids[5]}: not linked to row {ids[3]}: a row between them was removed, "
        "or that row was changed",
    )


def test_rows_removed_from_the_end_are_found(logged):
    ids = _ids(logged)
    _tamper(logged.engine, f"DELETE FROM audit_log WHERE id >= {ids[-2]}")
    report = _verify(logged)
    assert report.breaks == (
        f"the log ends at row {ids[-3]} but the newest row written was row {ids[-1]}: rows "
        "were removed from the end (or the head was changed)",
    )


def test_a_rewritten_history_is_found_from_a_head_noted_earlier(logged):
    noted = _verify(logged).head_hash
    ids = _ids(logged)
    # The attacker removes a row, then recomputes every later hash and the head: the chain
    # alone is whole again, but the head noted earlier is no longer in it.
    _tamper(logged.engine, f"DELETE FROM audit_log WHERE id = {ids[1]}")
    with logged.engine.begin() as connection:
        rows = connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))
        previous, statements = GENESIS, []
        for row in rows.mappings():
            own = chain_hash(previous, row)
            statements.append(
                f"UPDATE audit_log SET prev_hash = '{previous}', row_hash = '{own}' "
                f"WHERE id = {row['id']}"
            )
            previous = own
    _tamper(logged.engine, *statements, f"UPDATE audit_head SET last_hash = '{previous}'")
    assert _verify(logged).intact
    assert _verify(logged, (noted,)).breaks == (f"the noted head {noted} is no longer in the log",)


def test_migration_0003_chains_the_rows_already_held(empty_engine):
    db.upgrade(empty_engine, "0002")
    with empty_engine.begin() as connection:
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, actor_role, entity, entity_id, action, "
                    "before, after) VALUES (:at, 'Old Hand', NULL, 'contracts', :id, 'create', "
                    "NULL, :after)"
                ),
                {"at": dt.datetime(2026, 1, 1, 9, n), "id": str(n), "after": f'{{"n": {n}}}'},
            )
    db.upgrade(empty_engine)
    from sqlalchemy.orm import Session

    with Session(empty_engine) as session:
        report = audit.verify(session)
        assert report.intact and report.rows == 3
        assert session.scalar(select(func.count()).select_from(AuditHead)) == 1
        # and the next row written extends the same chain
        session.info[audit.ACTOR_KEY] = MANAGER
        audit.note(session, MANAGER, audit.EXPORT, "reports", "1")
        session.commit()
        assert audit.verify(session).intact and audit.verify(session).rows == 4


def test_audit_verify_exits_1_naming_each_break(logged, monkeypatch):
    url = logged.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", url)
    runner = CliRunner()
    whole = runner.invoke(audit_app, ["verify"])
    assert whole.exit_code == 0, whole.output
    assert whole.stdout.startswith("audit log intact: ")
    third = _ids(logged)[2]
    _tamper(logged.engine, f"UPDATE audit_log SET action = 'view' WHERE id = {third}")
    broken = runner.invoke(audit_app, ["verify"])
    assert broken.exit_code == 1
    assert f"row {third}: its content no longer matches its hash" in broken.output
