"""The governance pages' content: plain, frozen values the records services read
(`records.governance_views`) inside the request's transaction, rendered after it closes."""

from __future__ import annotations

from cscmonitor.records.governance_views import (
    STATE_LABELS,
    ActionView,
    BudgetView,
    ChangeView,
    CommentView,
    ContractSummary,
    FinancePage,
    InspectionsPage,
    InspectionView,
    MoveOption,
    PositionView,
    RuleView,
    action_item,
    budget_labels,
    change_list,
    change_view,
    commentary,
    contract_summary,
    finance_page,
    inspection,
    inspections_page,
)

__all__ = [
    "STATE_LABELS",
    "ActionView",
    "BudgetView",
    "ChangeView",
    "CommentView",
    "ContractSummary",
    "FinancePage",
    "InspectionView",
    "InspectionsPage",
    "MoveOption",
    "PositionView",
    "RuleView",
    "action_item",
    "budget_labels",
    "change_list",
    "change_view",
    "commentary",
    "contract_summary",
    "finance_page",
    "inspection",
    "inspections_page",
]
