"""The audit trail: every create, change and delete of a record, written as part of its flush.

Session events write one `audit_log` row per changed record with the actor, the time and the
record before and after, so no service can forget to. The log is append-only three times
over: the ORM refuses to change or delete its rows, bulk UPDATE/DELETE statements on it are
refused, and the migration adds database triggers that refuse them too (SQLite and PostgreSQL).

The log is also hash-chained, so an edit or a deletion made around all that (a dropped
trigger, a hand-edited file) is found: each row carries the hash of the row before it and its
own hash over its content and that link; `audit_head` holds the newest row's id and hash, so
rows removed from the end are found too (`verify`, `cscmonitor audit verify`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import AuditEntry, AuditHead, Base, utcnow

ACTOR_KEY = "cscmonitor.actor"
# The link before the first row.
GENESIS = "0" * 64
# What a row's hash covers (its id is not: the chain's order is the link).
CHAINED = ("at", "actor", "actor_role", "entity", "entity_id", "action", "before", "after")

# Actions the services write beside the records' own create/update/delete (at most ten
# characters, the column's width).
SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
REFUSED = "refused"
CREATE = "create"
UPDATE = "update"
UPLOAD = "upload"
ACCEPT = "accept"
ROLLBACK = "rollback"
EXPORT = "export"
VIEW = "view"
REQUEST = "request"
APPROVE = "approve"
REFUSE = "refuse"
WITHDRAW = "withdraw"


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


def _json(value: Any) -> Any:
    """The value as a JSON column gives it back (tuples as lists, keys as text)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def chain_hash(previous: str, row: Mapping[Any, Any]) -> str:
    """The hash of one audit row: its content and the hash of the row before it."""
    at = row["at"]
    content = {key: row[key] for key in CHAINED} | {
        "at": at.isoformat() if isinstance(at, dt.datetime) else at
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous}:{text}".encode()).hexdigest()


def _append(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add rows to the end of the chain, in this transaction.

    The head row is updated first: that takes its lock (a row lock on PostgreSQL, the write
    lock on SQLite), so one writer at a time reads the newest hash and extends the chain.
    """
    head = AuditHead
    connection.execute(update(head).where(head.id == 1).values(last_id=head.last_id))
    previous = connection.execute(select(head.last_hash).where(head.id == 1)).scalar_one()
    chained = []
    for row in rows:
        values = dict(row) | {"before": _json(row["before"]), "after": _json(row["after"])}
        values["prev_hash"], values["row_hash"] = previous, chain_hash(previous, values)
        previous = values["row_hash"]
        chained.append(values)
    ids = connection.execute(
        insert(AuditEntry).returning(AuditEntry.id, sort_by_parameter_order=True), chained
    ).scalars()
    connection.execute(
        update(head).where(head.id == 1).values(last_id=max(ids), last_hash=previous)
    )


def record_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write audit rows for changes made outside the ORM (bulk inserts), in the same transaction."""
    if rows:
        _append(session.connection(), rows)


def note(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """One audit row for something that is not a record's change (a sign-in, a refusal, an
    export), written in the caller's transaction."""
    record_rows(
        session, [entry_row(actor, entity, entity_id[:40], action, None, dict(detail or {}))]
    )


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
    _append(session.connection(), values)


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


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: rows read, the head it checked against, and every break."""

    rows: int
    head_id: int
    head_hash: str
    breaks: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(session: Session, anchors: Iterable[str] = ()) -> ChainReport:
    """Walk the chain in id order: an edited row no longer matches its hash, a removed row
    leaves the next one linked to a hash that is not its predecessor's, rows removed from the
    end leave the head pointing past the last row; `anchors` (heads noted earlier, elsewhere)
    must each still be in the chain, which finds a rewritten history."""
    table = AuditEntry.__table__
    head = session.execute(select(AuditHead.last_id, AuditHead.last_hash)).one()
    wanted = set(anchors)
    breaks: list[str] = []
    previous, previous_id, rows = GENESIS, None, 0
    result = session.execute(
        select(table).order_by(table.c.id).execution_options(yield_per=2000)
    ).mappings()
    for row in result:
        rows += 1
        after = f"row {previous_id}" if previous_id is not None else "the start of the log"
        if row["prev_hash"] != previous:
            breaks.append(
                f"row {row['id']}: not linked to {after}: a row between them was removed, "
                "or that row was changed"
            )
        if chain_hash(row["prev_hash"], row) != row["row_hash"]:
            breaks.append(f"row {row['id']}: its content no longer matches its hash: it was edited")
        wanted.discard(row["row_hash"])
        previous, previous_id = row["row_hash"], row["id"]
    if (previous_id or 0) != head.last_id or (rows and previous != head.last_hash):
        breaks.append(
            f"the log ends at row {previous_id or 0} but the newest row written was "
            f"row {head.last_id}: rows were removed from the end (or the head was changed)"
        )
    breaks += [f"the noted head {anchor} is no longer in the log" for anchor in sorted(wanted)]
    return ChainReport(rows, head.last_id, head.last_hash, tuple(breaks))


# Audit rows that change no governance record: views, exports, sign-ins and refusals, and the
# web accounts' own tables (a session touched on each request).
NOT_GOVERNANCE_ACTIONS = (VIEW, EXPORT, SIGN_IN, SIGN_OUT, REFUSED)
NOT_GOVERNANCE_ENTITIES = ("web_users", "web_sessions", "web_signin_failures")


class GovernanceVersion:
    """A cheap version of the governance records: it changes with any write to them (every
    write is audited) and not with audit-only rows, such as a view of "explain this figure".

    The version is the newest governance audit row's id and hash. Called with a session, it
    reads the one-row `audit_head`; only when the log has grown since the last call does it
    look at the new rows, newest first, so a page costs one primary-key read. One per records
    database (the rows seen are remembered); safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: tuple[int, str] | None = None  # audit_head when last read
        self._version = "0"

    def __call__(self, session: Session) -> str:
        head = session.execute(
            select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
        ).one_or_none()
        if head is None or head.last_id is None:
            return "0"
        with self._lock:
            seen, version = self._seen, self._version
        if seen == (head.last_id, head.last_hash):
            return version
        after = seen[0] if seen is not None and head.last_id > seen[0] else 0
        entry = AuditEntry
        newest = session.execute(
            select(entry.id, entry.row_hash)
            .where(
                entry.id > after,
                entry.action.not_in(NOT_GOVERNANCE_ACTIONS),
                entry.entity.not_in(NOT_GOVERNANCE_ENTITIES),
            )
            .order_by(entry.id.desc())
            .limit(1)
        ).one_or_none()
        if newest is not None:
            version = f"{newest.id}:{newest.row_hash}"
        elif not after:
            version = "0"
        with self._lock:
            if self._seen is None or head.last_id >= self._seen[0]:
                self._seen, self._version = (head.last_id, head.last_hash), version
        return version
