"""The audit trail: every create, change and delete of a record, written as part of its flush.

Session events write one `audit_log` row per changed record with the actor, the time and the
record before and after, so no service can forget to. The log is append-only three times
over: the ORM refuses to change or delete its rows, bulk UPDATE/DELETE statements on it are
refused, and the migration adds database triggers that refuse them too (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import AuditEntry, Base, utcnow

ACTOR_KEY = "cscmonitor.actor"


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a person's name and, when acting for one, the party's role."""

    name: str
    role: str | None = None


class AuditLogIsAppendOnly(RecordsError):
    """An attempt to change or delete an audit row."""


def _plain(value: Any) -> Any:
    """A column value as JSON can hold it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(record: Base) -> list[str]:
    return [attr.key for attr in sa_inspect(type(record)).column_attrs]


def plain_row(values: dict[str, Any]) -> dict[str, Any]:
    """Insert values as JSON can hold them."""
    return {key: _plain(value) for key, value in values.items()}


def snapshot(record: Base) -> dict[str, Any]:
    """The record's column values as they are held in the session (no database round trip)."""
    held = sa_inspect(record).dict
    return {key: _plain(held[key]) for key in _columns(record) if key in held}


def _before(record: Base) -> dict[str, Any]:
    """The record's column values before the changes this flush wrote."""
    values = snapshot(record)
    for key in _columns(record):
        history = get_history(record, key)
        if history.deleted:
            values[key] = _plain(history.deleted[0])
    return values


def _entity_id(record: Base) -> str:
    # From the instance: during the flush a new record has its key but not yet its identity.
    key = sa_inspect(type(record)).primary_key_from_instance(record)
    return "/".join(str(part) for part in key)


def current_actor(session: Session) -> Actor:
    """The actor the session's writes are audited as."""
    actor = session.info.get(ACTOR_KEY)
    if not isinstance(actor, Actor):
        raise RecordsError("records can only be changed by a named actor (use db.transaction)")
    return actor


def entry_row(
    actor: Actor,
    entity: str,
    entity_id: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """One audit row as values for an insert."""
    return {
        "at": at or utcnow(),
        "actor": actor.name,
        "actor_role": actor.role,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
    }


def record_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write audit rows for changes made outside the ORM (bulk inserts), in the same transaction."""
    if rows:
        session.execute(insert(AuditEntry), list(rows))


def _refuse_changes_to_the_log(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    touched = [r for r in (*session.dirty, *session.deleted) if isinstance(r, AuditEntry)]
    if any(session.is_modified(r) for r in touched if r in session.dirty) or any(
        r in session.deleted for r in touched
    ):
        raise AuditLogIsAppendOnly("the audit log is append-only: its rows cannot be changed")


def _write_entries(session: Session, _context: UOWTransaction) -> None:
    def records(held: Iterable[object]) -> list[Base]:
        return [r for r in held if isinstance(r, Base) and not isinstance(r, AuditEntry)]

    changes: list[tuple[Base, str, dict[str, Any] | None, dict[str, Any] | None]] = []
    for record in records(session.new):
        changes.append((record, "create", None, snapshot(record)))
    for record in records(session.dirty):
        if session.is_modified(record, include_collections=False):
            before, after = _before(record), snapshot(record)
            if before != after:
                changes.append((record, "update", before, after))
    for record in records(session.deleted):
        changes.append((record, "delete", snapshot(record), None))
    if not changes:
        return
    actor, now = current_actor(session), utcnow()
    values = [
        entry_row(actor, r.__tablename__, _entity_id(r), action, before, after, at=now)
        for r, action, before, after in changes
    ]
    # Core, not session.add: objects cannot be added to a session while it flushes.
    session.connection().execute(insert(AuditEntry), values)


def _refuse_bulk_changes_to_the_log(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is sa_inspect(AuditEntry):
        raise AuditLogIsAppendOnly("the audit log is append-only: its rows cannot be changed")


def install(session_class: type[Session] = Session) -> None:
    """Listen to every session's flushes (idempotent)."""
    from sqlalchemy import event

    for name, listener in (
        ("before_flush", _refuse_changes_to_the_log),
        ("after_flush", _write_entries),
        ("do_orm_execute", _refuse_bulk_changes_to_the_log),
    ):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)


def entries(
    session: Session, entity: str | None = None, entity_id: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest audit rows first, optionally for one entity (table) or one record."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query))


install()
