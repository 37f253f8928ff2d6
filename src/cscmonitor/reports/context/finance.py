"""The money from the records: spend against budget with the risk share, and next year's budget.

The records services compute them into plain values (`records.money_facts`); the report
contexts take them from here.
"""

from __future__ import annotations

from cscmonitor.records.money_facts import BudgetPlan, MoneyPosition, next_budget, positions

__all__ = ["BudgetPlan", "MoneyPosition", "next_budget", "positions"]
