"""The web app's rows in the records' audit log: sign-ins, account changes, uploads, exports,
snapshot moves and every view of child-level data. Record changes audit themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from cscmonitor.records import audit
from cscmonitor.records.audit import Actor

# Actions, at most ten characters (the column's width).
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


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """One audit row, written in the caller's transaction."""
    audit.record_rows(
        session,
        [audit.entry_row(actor, entity, entity_id[:40], action, None, dict(detail or {}))],
    )
