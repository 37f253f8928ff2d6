"""The roles a web account holds, and what each means for the records and for child data.

Which role may do what in the web app is `web.permissions`' table; whether a role sees
child-level data is decided here, because the two-person rules of `accounts` depend on it
(a test keeps the table and `sees_child_data` in step).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TRUST_ANALYST = "trust_analyst"
    TRUST_MANAGER = "trust_manager"
    COUNCIL_OFFICER = "council_officer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def party(self) -> str | None:
        """The contracting party the role acts for, in the records' terms (or none)."""
        match self:
            case Role.TRUST_ANALYST | Role.TRUST_MANAGER:
                return "trust"
            case Role.COUNCIL_OFFICER:
                return "council"
            case Role.ADMIN | Role.VIEWER:
                return None

    @property
    def sees_child_data(self) -> bool:
        """Whether the role sees child-level data (pseudonymised rows, validation reports
        quoting returns): the Trust processes it; everyone else sees aggregates."""
        match self:
            case Role.TRUST_ANALYST | Role.TRUST_MANAGER:
                return True
            case Role.ADMIN | Role.COUNCIL_OFFICER | Role.VIEWER:
                return False


LABELS = {
    Role.ADMIN: "Administrator",
    Role.TRUST_ANALYST: "Trust analyst",
    Role.TRUST_MANAGER: "Trust manager",
    Role.COUNCIL_OFFICER: "Council officer",
    Role.VIEWER: "Viewer",
}
