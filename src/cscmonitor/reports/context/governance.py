"""Inspections, action plans, milestones, priorities and change requests, as reports show them.

The records services read them as at a date into plain values (`records.governance_facts`);
the report contexts take them from here.
"""

from __future__ import annotations

from cscmonitor.records.governance_facts import (
    ActionLine,
    ChangeLine,
    InspectionLine,
    MilestoneLine,
    PriorityLine,
    action_plan,
    change_requests,
    inspections_in,
    milestones,
    priorities,
)

__all__ = [
    "ActionLine",
    "ChangeLine",
    "InspectionLine",
    "MilestoneLine",
    "PriorityLine",
    "action_plan",
    "change_requests",
    "inspections_in",
    "milestones",
    "priorities",
]
