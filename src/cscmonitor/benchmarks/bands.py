"""Quartile bands among LAs, with polarity, as DfE's local authority interactive tool draws them.

Method (LAIT, dfe-analytical-services/local-authority-interactive-tool `R/fn_analysis.R`,
`calculate_quartile_band` and `calculate_rank`): within each group (indicator and year), take
the LAs with a value; the cut-points are R's `quantile` of their values at 25%, 50% and 75%
(Hyndman and Fan type 7, linear interpolation between order statistics: Excel
`QUARTILE.INC`, the numpy and pandas default). The four value ranges are closed on their upper
side: lowest (≤ Q1), (Q1, Q2], (Q2, Q3], highest (> Q3). Lower is better: the lowest range is A
and the highest D. Higher is better: the letters are reversed, the highest range A.

So a value equal to a cut-point falls in the range below it: when lower is better that is the
better band, when higher is better the worse band, as LAIT does. Tied LAs always share a band.
A figure outside the LAs' range (a computed figure can be) takes the end range it lies beyond
(LAIT, banding only published LAs, never meets one). Rank 1 is the best value (the lowest when
lower is better, the highest when higher is better); tied LAs share the best rank of the tie
("min"). Polarity "neither" gets no band and no rank (LAIT shows "-").
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


def _ranges_below(values: pd.Series, cuts: Sequence[pd.Series | float]) -> pd.Series:
    """0 for a value at or below Q1, 1 for (Q1, Q2], 2 for (Q2, Q3], 3 above Q3."""
    below = pd.Series(0, index=values.index)
    for q in cuts:  # three cut-points
        below += (values > q + _TOLERANCE).astype(int)
    return below


def _letters(ranges: pd.Series, sign: pd.Series, known: pd.Series) -> np.ndarray:
    """Band letters from value ranges: as they are when lower is better, reversed when higher."""
    index = ranges.where(sign > 0, 3 - ranges)
    ok = known & sign.notna()
    letters = np.array(BANDS, dtype=object)[index.fillna(0).astype(int).to_numpy()]
    letters[~ok.to_numpy()] = None
    return letters


def quartile_bands(
    frame: pd.DataFrame, by: Sequence[str], *, value: str = "value", polarity: str = "polarity"
) -> pd.DataFrame:
    """Band, rank, count ranked and the three cut-points (in value terms) for every row.

    Rows without a value, or whose polarity is "neither", get no band. Returns a frame on the
    same index with `band, rank, ranked, limit_a, limit_b, limit_c`: the cut-points Q1, Q2, Q3
    from band A's side (Q1 first when lower is better, Q3 first when higher is better).
    """
    sign = frame[polarity].map(polarity_sign).astype(float)
    values = frame[value].astype(float)
    keys = [frame[c] for c in by]
    grouped = values.groupby(keys, dropna=False)
    q1, q2, q3 = (grouped.transform("quantile", q) for q in (0.25, 0.5, 0.75))
    band = _letters(_ranges_below(values, (q1, q2, q3)), sign, values.notna())
    # Rank on "badness" (lower always better), so one ascending rank serves both polarities.
    bad = (values * sign).groupby(keys, dropna=False)
    higher = sign < 0
    return pd.DataFrame(
        {
            "band": pd.Series(band, index=frame.index, dtype=object),
            "rank": bad.rank(method="min"),
            "ranked": bad.transform("count").where((values * sign).notna()),
            "limit_a": q1.where(~higher, q3).where(sign.notna()),
            "limit_b": q2.where(sign.notna()),
            "limit_c": q3.where(~higher, q1).where(sign.notna()),
        },
        index=frame.index,
    )


def band_for(
    value: float | None, limits: Sequence[float | None], polarity: Polarity | str
) -> str | None:
    """The band of one value given a year's cut-points as `quartile_bands` gives them
    (`limit_a, limit_b, limit_c`, from band A's side): the same rule, for a computed figure."""
    sign = polarity_sign(polarity)
    if value is None or np.isnan(sign) or any(limit is None for limit in limits):
        return None
    cuts = sorted(float(limit) for limit in limits if limit is not None)
    below = sum(value > cut + _TOLERANCE for cut in cuts)
    return BANDS[below if sign > 0 else 3 - below]
