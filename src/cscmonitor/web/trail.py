"""The web app's rows in the records' audit log: sign-ins, uploads, exports, snapshot moves,
refused requests and every view of child-level data. Record changes audit themselves."""

from __future__ import annotations

import threading

from cscmonitor.records.audit import (
    ACCEPT,
    CREATE,
    EXPORT,
    REFUSED,
    ROLLBACK,
    SIGN_IN,
    SIGN_OUT,
    UPDATE,
    UPLOAD,
    VIEW,
)
from cscmonitor.records.audit import note as record

# The views of child-level records a process audits are written one at a time, first come
# first served (pages and API alike): the records take one writer at a time anyway (SQLite's
# write lock, the audit chain's head row on PostgreSQL), and waiting in SQLite's driver is
# sleep-and-retry, with sleeps up to 100 ms, which gave explain its slowest answers under load
# (docs/web.md, Load). Held only around the view's one audit row; nothing is computed under it.
VIEW_WRITES = threading.Lock()

__all__ = [
    "ACCEPT",
    "CREATE",
    "EXPORT",
    "REFUSED",
    "ROLLBACK",
    "SIGN_IN",
    "SIGN_OUT",
    "UPDATE",
    "UPLOAD",
    "VIEW",
    "VIEW_WRITES",
    "record",
]
