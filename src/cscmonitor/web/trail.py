"""The web app's rows in the records' audit log: sign-ins, uploads, exports, snapshot moves,
refused requests and every view of child-level data. Record changes audit themselves."""

from __future__ import annotations

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
    "record",
]
