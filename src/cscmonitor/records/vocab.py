"""The closed lists of codes records use (statuses, kinds, roles), checked in the services.

They are stored as text, so adding a code here needs no migration.
"""

from __future__ import annotations

from collections.abc import Collection

from cscmonitor.records.errors import RecordsError


def words(code: str) -> str:
    """A stored code as words: `agreed_in_principle` → `agreed in principle`."""
    return code.replace("_", " ")


PARTY_ROLES = ("council", "trust", "other")
# Who may act on a change request or write commentary: the two contracting parties.
ACTING_ROLES = ("council", "trust")

MILESTONE_KINDS = ("performance_direction", "milestone")
MILESTONE_STATUSES = ("not_started", "on_track", "at_risk", "met", "missed")

ACTION_STATUSES = ("not_started", "in_progress", "complete")

PRIORITY_KINDS = ("strategic_priority", "joint_focus", "innovation")
PRIORITY_STATUSES = ("planned", "active", "complete", "stopped")

BUDGET_STATUSES = ("indicative", "approved")

# The annual review's budget adjustments (the seed's Schedule 3) and the sign each must have:
# +1 adds to the budget, -1 takes from it, 0 either.
ADJUSTMENT_SIGNS = {
    "pay_inflation": 1,
    "price_inflation": 1,
    "change_in_law": 0,
    "demand": 0,
    "savings_contribution": -1,
    "other": 0,
}

CHANGE_KINDS = ("basket_change", "service_transfer", "contract_variation", "other")


def check(value: str, allowed: Collection[str], what: str) -> str:
    """`value` if it is one of `allowed`; otherwise an error listing them."""
    if value not in allowed:
        raise RecordsError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


def check_text(value: str | None, what: str) -> str:
    """Non-blank text, stripped."""
    if value is None or not value.strip():
        raise RecordsError(f"{what} must not be blank")
    return value.strip()
