"""The basket's assessment as a plain table (for the terminal, CSV and JSON): values, RAG and
how each moved; the travel verdict with its significance is the figure model's."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cscmonitor.assess import Assessment


def assessment_table(assessments: Sequence[Assessment]) -> pd.DataFrame:
    """One row per basket indicator: computed baseline year and latest year beside the terms."""
    return pd.DataFrame(
        {
            "indicator": [a.indicator.code for a in assessments],
            "baseline_period": [a.baseline_year.period.label for a in assessments],
            "baseline_value": [a.baseline_year.usable_value for a in assessments],
            "contract_year": [a.year for a in assessments],
            "latest_value": [a.latest.usable_value for a in assessments],
            "latest_status": [a.latest.status for a in assessments],
            "target": [a.target for a in assessments],
            "tolerance": [a.tolerance for a in assessments],
            "rag": [str(a.rag) for a in assessments],
            # How the value moved as displayed, not a judgement: the significance-aware travel
            # is the figure model's (`cscmonitor figures`), so no second verdict is printed here.
            "change": [str(a.change) for a in assessments],
            "reported_baseline": [a.reported.baseline if a.reported else None for a in assessments],
            "reported_latest": [a.reported_latest for a in assessments],
        }
    )
