"""The demand fan chart as a picture: one Vega-Lite spec (Altair), drawn offline to PNG.

The children looked after as the returns show them, then the forecast (median) with
its 80% and 95% intervals, as `reports/context/demand.py` worked them out. The alt text says
the same in words; a table of the forecast follows the picture wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from cscmonitor.reports.charts import _png

WIDTH, HEIGHT = 600, 260
# Okabe-Ito colours (safe for colour-blind readers); the forecast line is dashed too.
HISTORY, FORECAST = "#000000", "#0072B2"


@dataclass(frozen=True)
class FanMonth:
    on: dt.date
    median: int
    lower80: int
    upper80: int
    lower95: int
    upper95: int


@dataclass(frozen=True)
class FanChart:
    title: str
    history: tuple[tuple[dt.date, int], ...]
    months: tuple[FanMonth, ...]


def spec(chart: FanChart) -> dict[str, Any]:
    """The chart as a Vega-Lite specification (plain data, no network)."""
    # The fan opens from the last count the returns show.
    opening = [FanMonth(d, v, v, v, v, v) for d, v in chart.history[-1:]]
    bands = pd.DataFrame(
        [
            {
                "date": m.on.isoformat(),
                "lower80": m.lower80,
                "upper80": m.upper80,
                "lower95": m.lower95,
                "upper95": m.upper95,
            }
            for m in (*opening, *chart.months)
        ]
    )
    start = [(chart.history[-1][0], chart.history[-1][1])] if chart.history else []
    lines = pd.DataFrame(
        [
            {"date": d.isoformat(), "value": v, "series": "Children looked after"}
            for d, v in chart.history
        ]
        + [
            {"date": d.isoformat(), "value": v, "series": "Forecast (median)"}
            for d, v in start + [(m.on, m.median) for m in chart.months]
        ],
        columns=["date", "value", "series"],
    )
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y"))
    title = "Children looked after"
    names = ["Children looked after", "Forecast (median)"]
    layers = [
        alt.Chart(bands)
        .mark_area(opacity=0.15, color=FORECAST)
        .encode(x=x, y=alt.Y("lower95:Q", title=title), y2="upper95:Q"),
        alt.Chart(bands)
        .mark_area(opacity=0.3, color=FORECAST)
        .encode(x=x, y=alt.Y("lower80:Q", title=title), y2="upper80:Q"),
        alt.Chart(lines)
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=[HISTORY, FORECAST]),
                legend=alt.Legend(orient="bottom", symbolType="stroke"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=[[1, 0], [6, 3]]),
                legend=alt.Legend(orient="bottom", symbolType="stroke"),
            ),
        ),
    ]
    layered = alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.TitleParams(
            chart.title,
            anchor="start",
            subtitle="Shaded: the 80% (darker) and 95% intervals of the simulated paths",
        ),
    )
    result: dict[str, Any] = layered.configure(font="DejaVu Sans").to_dict()
    return result


def draw(chart: FanChart) -> bytes:
    """The chart as PNG, drawn offline (once per process for the same figures)."""
    return _png(json.dumps(spec(chart), sort_keys=True))


def describe(chart: FanChart, months: Sequence[FanMonth]) -> str:
    """Alt text: the history's span and level, and the forecast at the months given."""
    parts = [f"Fan chart of {chart.title[:1].lower() + chart.title[1:]}."]
    if chart.history:
        (first, v0), (last, v1) = chart.history[0], chart.history[-1]
        parts.append(
            f"The returns show {v0:,} children looked after on {first:%d %B %Y} and "
            f"{v1:,} on {last:%d %B %Y}."
        )
    for m in months:
        parts.append(
            f"Forecast for {m.on:%d %B %Y}: {m.median:,} (80% interval {m.lower80:,} to "
            f"{m.upper80:,}; 95% interval {m.lower95:,} to {m.upper95:,})."
        )
    return " ".join(parts)
