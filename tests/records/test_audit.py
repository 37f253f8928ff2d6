"""The audit trail: every create, change and delete, with before and after; never edited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from cscmonitor.records import audit, contracts
from cscmonitor.records.audit import Actor, AuditLogIsAppendOnly
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import AuditEntry, Milestone

MANAGER = Actor("Contract Manager", "council")


def _milestone_entries(session):
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "milestones").order_by(AuditEntry.id)
        )
    )


def test_create_change_and_delete_are_recorded_with_who_before_and_after(doncaster):
    with doncaster.unit(MANAGER) as session:
        milestone = contracts.add_milestone(
            session, doncaster.contract(session), "Ofsted: Good", due_date=dt.date(2017, 10, 31)
        )
        milestone_id = milestone.id
    with doncaster.unit(Actor("Trust Analyst", "trust")) as session:
        contracts.set_milestone_status(session, session.get(Milestone, milestone_id), "on_track")
    with doncaster.unit(MANAGER) as session:
        session.delete(session.get(Milestone, milestone_id))
    with doncaster.unit() as session:
        created, changed, deleted = _milestone_entries(session)
    assert (created.action, created.actor, created.actor_role) == (
        "create",
        "Contract Manager",
        "council",
    )
    assert created.entity_id == str(milestone_id)
    assert created.before is None
    assert created.after is not None
    assert (created.after["title"], created.after["due_date"], created.after["status"]) == (
        "Ofsted: Good",
        "2017-10-31",
        "not_started",
    )
    assert (changed.action, changed.actor) == ("update", "Trust Analyst")
    assert changed.before is not None and changed.after is not None
    assert (changed.before["status"], changed.after["status"]) == ("not_started", "on_track")
    assert changed.before["title"] == changed.after["title"] == "Ofsted: Good"
    assert (deleted.action, deleted.after) == ("delete", None)
    assert deleted.before is not None and deleted.before["status"] == "on_track"
    assert isinstance(created.at, dt.datetime)


def test_a_refused_change_leaves_no_audit_row(doncaster):
    before = doncaster.counts()["audit_log"]
    with pytest.raises(RecordsError), doncaster.unit() as session:
        contract = doncaster.contract(session)
        contracts.add_milestone(session, contract, "Fine")
        contracts.add_milestone(session, contract, "Bad", status="sort of")
    assert doncaster.counts()["audit_log"] == before


def test_records_cannot_be_written_without_an_actor(doncaster):
    from sqlalchemy.orm import Session

    with Session(doncaster.engine) as session, pytest.raises(RecordsError, match="named actor"):
        contracts.add_milestone(session, contracts.get_contract(session), "Anonymous")


def test_audit_rows_cannot_be_changed_through_the_orm(doncaster):
    with pytest.raises(AuditLogIsAppendOnly), doncaster.unit() as session:
        entry = session.scalars(select(AuditEntry)).first()
        assert entry is not None
        entry.actor = "Someone else"
        session.flush()
    with pytest.raises(AuditLogIsAppendOnly), doncaster.unit() as session:
        session.delete(session.scalars(select(AuditEntry)).first())
        session.flush()


@pytest.mark.parametrize(
    "statement",
    [update(AuditEntry).values(actor="Someone else"), delete(AuditEntry)],
    ids=["update", "delete"],
)
def test_bulk_statements_on_the_audit_log_are_refused(doncaster, statement):
    before = doncaster.counts()
    with pytest.raises(AuditLogIsAppendOnly), doncaster.unit() as session:
        session.execute(statement)
    assert doncaster.counts() == before


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_log SET actor = 'Someone else'", "DELETE FROM audit_log"]
)
def test_the_database_itself_refuses_to_change_audit_rows(doncaster, sql):
    before = doncaster.counts()
    with pytest.raises(DBAPIError, match="audit_log is append-only"), doncaster.engine.begin() as c:
        c.execute(text(sql))
    assert doncaster.counts() == before


def test_entries_list_newest_first_and_filter_by_record(doncaster):
    with doncaster.unit() as session:
        newest = audit.entries(session, limit=3)
        assert [e.id for e in newest] == sorted((e.id for e in newest), reverse=True)
        contract_id = str(doncaster.contract(session).id)
        (created,) = audit.entries(session, entity="contracts", entity_id=contract_id)
        assert created.action == "create"
        assert created.after is not None and created.after["la_code"] == "371"
