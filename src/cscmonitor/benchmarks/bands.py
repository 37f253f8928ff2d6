"""Quartile bands among LAs, with polarity: band A is the best quarter, D the worst.

Method (as DfE's benchmarking tools present it, A = best): within each group (indicator and
year), take the LAs with a value; compute the three quartile cut-points by linear
interpolation between order statistics (Hyndman and Fan type 7: Excel `QUARTILE.INC`, the
numpy and pandas default). An LA is in band A when its value is at or better than the first
cut-point on the indicator's good side, B at or better than the median, C at or better than
the third, else D. A value equal to a cut-point takes the better band, so tied LAs always
share a band. Rank 1 is the best value; tied LAs share the best rank of the tie ("min").
Indicators whose polarity is "neither" get no band and no rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

import numpy as np
import pandas as pd

from cscmonitor.indicators.registry import Polarity

BANDS = ("A", "B", "C", "D")
# Published values carry one or two decimals; interpolation can land a hair off a tie.
_TOLERANCE = 1e-9


def polarity_sign(polarity: Polarity | str) -> float:
    """+1 when lower is better, -1 when higher is better, NaN when neither."""
    match Polarity(polarity):
        case Polarity.LOWER:
            return 1.0
        case Polarity.HIGHER:
            return -1.0
        case Polarity.NEITHER:
            return float("nan")
        case other:
            assert_never(other)


def quartile_bands(
    frame: pd.DataFrame, by: Sequence[str], *, value: str = "value", polarity: str = "polarity"
) -> pd.DataFrame:
    """Band, rank, count ranked and the band limits (in value terms) for every row.

    Rows without a value, or whose polarity is "neither", get no band. Returns a frame on
    the same index with `band, rank, ranked, limit_a, limit_b, limit_c`: a value at or better
    than `limit_a` is in band A, and so on.
    """
    sign = frame[polarity].map(polarity_sign).astype(float)
    # "Badness": lower is always better, so one set of cut-points serves both polarities.
    bad = frame[value].astype(float) * sign
    keys = [frame[c] for c in by]
    grouped = bad.groupby(keys, dropna=False)
    q1, q2, q3 = (grouped.transform("quantile", q) for q in (0.25, 0.5, 0.75))
    # Index into the bands: 0 for A … 3 for D; the worse side of every cut-point adds one.
    worse = sum((bad > q + _TOLERANCE).astype(int) for q in (q1, q2, q3))
    band = np.where(bad.notna(), np.array(BANDS, dtype=object)[worse.to_numpy()], None)
    return pd.DataFrame(
        {
            "band": pd.Series(band, index=frame.index, dtype=object),
            "rank": grouped.rank(method="min"),
            "ranked": grouped.transform("count").where(bad.notna()),
            "limit_a": q1 * sign,
            "limit_b": q2 * sign,
            "limit_c": q3 * sign,
        },
        index=frame.index,
    )
