"""THE permission table: which role may do what. Every route declares one permission.

This module is the one place access is decided (`allowed`); `deps.require` enforces it and
`tests/web/test_permissions.py` tries every route as every role against this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cscmonitor.records.roles import Role


class Permission(StrEnum):
    VIEW_PERFORMANCE = "view_performance"  # dashboard, indicators, benchmarks
    VIEW_CHILD_RECORDS = "view_child_records"  # "explain this figure": child-level rows
    WRITE_COMMENTARY = "write_commentary"
    VIEW_DATA = "view_data"  # the list of warehouse snapshots
    UPLOAD_RETURNS = "upload_returns"  # upload, read the validation report, accept
    ROLLBACK_SNAPSHOT = "rollback_snapshot"
    VIEW_GOVERNANCE = "view_governance"  # inspections, action plans, finance, change requests
    UPDATE_ACTIONS = "update_actions"  # progress on action-plan items
    RECORD_FINANCE = "record_finance"  # forecasts and outturn
    EDIT_FORECAST = "edit_forecast"  # forecast scenarios and unit costs
    DRAFT_CHANGE = "draft_change"
    MOVE_CHANGE = "move_change"  # for the user's party; the workflow says which moves
    DRAFT_EDITION = "draft_edition"  # open a new draft edition of a report
    MOVE_EDITION = "move_edition"  # submit, send back, agree, sign: `records.editions` says which
    EXPORT_REPORTS = "export_reports"
    WRITE_NARRATIVE = "write_narrative"  # a report's sections, for the user's party only
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"


A, TA, TM, CO, V = (
    Role.ADMIN,
    Role.TRUST_ANALYST,
    Role.TRUST_MANAGER,
    Role.COUNCIL_OFFICER,
    Role.VIEWER,
)
EVERYONE = frozenset(Role)

# Why each row is as it is:
# - child-level records (pseudonymised rows, validation reports quoting cells of returns) are
#   the Trust's to see: it processes them; the Council and board members see aggregates;
# - an administrator runs the installation and its accounts, not the contract: no child-level
#   data, no governance writes, but rollback of a bad snapshot;
# - a change request moves only for a contracting party; `records.changes` decides which party
#   may make which move, so only council officers can agree one and only the Trust proposes;
# - a report's words are written for a party: `records.narrative` lets trust roles write the
#   Trust's sections and council officers the Council's; administrators and viewers read;
# - a report edition is drafted by either party's drafters and moved by a trust manager or a
#   council officer; `records.editions.MOVES` decides which role makes which move;
# - viewers (board members) read and download reports and change nothing.
TABLE: Mapping[Permission, frozenset[Role]] = {
    Permission.VIEW_PERFORMANCE: EVERYONE,
    Permission.VIEW_CHILD_RECORDS: frozenset({TA, TM}),
    Permission.WRITE_COMMENTARY: frozenset({TA, TM, CO}),
    Permission.VIEW_DATA: frozenset({A, TA, TM, CO}),
    Permission.UPLOAD_RETURNS: frozenset({TA, TM}),
    Permission.ROLLBACK_SNAPSHOT: frozenset({A, TM}),
    Permission.VIEW_GOVERNANCE: EVERYONE,
    Permission.UPDATE_ACTIONS: frozenset({TA, TM, CO}),
    Permission.RECORD_FINANCE: frozenset({TM, CO}),
    Permission.EDIT_FORECAST: frozenset({TA, TM, CO}),
    Permission.DRAFT_CHANGE: frozenset({TA, TM, CO}),
    Permission.MOVE_CHANGE: frozenset({TM, CO}),
    Permission.DRAFT_EDITION: frozenset({TA, TM, CO}),
    Permission.MOVE_EDITION: frozenset({TM, CO}),
    Permission.EXPORT_REPORTS: EVERYONE,
    Permission.WRITE_NARRATIVE: frozenset({TA, TM, CO}),
    Permission.MANAGE_USERS: frozenset({A}),
    Permission.VIEW_AUDIT: frozenset({A}),
}


# What shows child-level data: exactly the roles whose `Role.sees_child_data` the two-person
# rules guard hold these (a test keeps them in step).
CHILD_DATA = frozenset({Permission.VIEW_CHILD_RECORDS, Permission.UPLOAD_RETURNS})


def allowed(role: Role, permission: Permission) -> bool:
    """Whether `role` holds `permission`: the only access decision the app makes."""
    return role in TABLE[permission]


def permissions_of(role: Role) -> frozenset[Permission]:
    return frozenset(p for p, roles in TABLE.items() if role in roles)


def markdown_table() -> str:
    """The table as markdown, for docs/web.md (a test keeps the two the same)."""
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(r.label for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = " | ".join("✓" if r in TABLE[permission] else "" for r in roles)
        lines.append(f"| `{permission}` | {marks} |")
    return "\n".join(lines)
