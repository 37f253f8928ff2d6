"""Assessment, one concern per module: RAG and direction (`rag`), the engine's results and the
basket assessed (`results`), significance and travel (`significance`), trajectories to a
milestone (`trajectory`) and funnel limits (`funnel`). The public names are importable here.
"""

from cscmonitor.assess.funnel import Z998, FunnelPosition, funnel, funnel_limits
from cscmonitor.assess.rag import (
    RAG,
    WITHOUT_VALUE,
    Change,
    Direction,
    change_between,
    direction_of_travel,
    display_decimals,
    rag_rating,
)
from cscmonitor.assess.results import (
    Assessment,
    Computed,
    assess,
    computed_for,
    contract_years_with_results,
)
from cscmonitor.assess.significance import (
    ALPHA,
    Method,
    Observation,
    Significance,
    Standing,
    Travel,
    TravelJudgement,
    compare_proportions,
    compare_rates,
    significance_of_change,
    significant_travel,
    standing_against,
    two_proportion_z,
)
from cscmonitor.assess.trajectory import Outlook, Trajectory, trajectory

__all__ = [
    "ALPHA",
    "RAG",
    "WITHOUT_VALUE",
    "Z998",
    "Assessment",
    "Change",
    "Computed",
    "Direction",
    "FunnelPosition",
    "Method",
    "Observation",
    "Outlook",
    "Significance",
    "Standing",
    "Trajectory",
    "Travel",
    "TravelJudgement",
    "assess",
    "change_between",
    "compare_proportions",
    "compare_rates",
    "computed_for",
    "contract_years_with_results",
    "direction_of_travel",
    "display_decimals",
    "funnel",
    "funnel_limits",
    "rag_rating",
    "significance_of_change",
    "significant_travel",
    "standing_against",
    "trajectory",
    "two_proportion_z",
]
