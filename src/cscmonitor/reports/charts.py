"""Trend charts: one Vega-Lite spec per indicator (Altair), drawn offline to PNG by vl-convert.

A chart is drawn once per report and the same picture goes into every format (a data URI in
HTML and PDF, a picture in DOCX). It shows the rolling-12-month figure with its 95% confidence
band, the target and the edge of the tolerance, and England's and the statistical neighbours'
published figures. Series differ by dash as well as colour; the alt text says what the chart
shows, and a table of the same figures always follows it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any, assert_never

import altair as alt
import pandas as pd

from cscmonitor.indicators.registry import Unit
from cscmonitor.wording import format_agreed, format_value

WIDTH, HEIGHT, SCALE = 600, 260, 2.0
# Okabe-Ito colours, safe for colour-blind readers; dashes tell the lines apart too.
STYLES = {
    "figure": ("#0072B2", []),
    "England": ("#E69F00", [6, 3]),
    "Statistical neighbours (mean)": ("#009E73", [2, 2]),
    "Target": ("#000000", [1, 0]),
    "Edge of tolerance": ("#D55E00", [8, 4]),
}


@dataclass(frozen=True)
class TrendPoint:
    end: dt.date
    value: float | None  # None: no figure, or suppressed
    lower: float | None
    upper: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class TrendChart:
    title: str
    unit: Unit
    place: str  # whose figure: the LA's name
    points: tuple[TrendPoint, ...]
    target: float | None = None
    tolerance_edge: float | None = None
    england: tuple[tuple[dt.date, float], ...] = ()
    neighbours: tuple[tuple[dt.date, float], ...] = ()

    @property
    def figure_label(self) -> str:
        return f"{self.place} (rolling 12 months)"


def axis_title(unit: Unit) -> str:
    match unit:
        case Unit.PERCENT:
            return "Per cent"
        case Unit.PER_10K:
            return "Per 10,000 children"
        case Unit.DAYS:
            return "Days"
        case Unit.RATIO:
            return "Ratio"
        case Unit.COUNT:
            return "Count"
        case Unit.MEAN:
            return "Mean score"
        case _:
            assert_never(unit)


def _lines(chart: TrendChart) -> pd.DataFrame:
    rows: list[dict[str, Any]] = [
        {"date": p.end.isoformat(), "value": p.value, "series": chart.figure_label}
        for p in chart.points
    ]
    rows += [{"date": d.isoformat(), "value": v, "series": "England"} for d, v in chart.england]
    rows += [
        {"date": d.isoformat(), "value": v, "series": "Statistical neighbours (mean)"}
        for d, v in chart.neighbours
    ]
    if chart.points:
        first, last = chart.points[0].end.isoformat(), chart.points[-1].end.isoformat()
        for name, level in (("Target", chart.target), ("Edge of tolerance", chart.tolerance_edge)):
            if level is not None:
                rows += [{"date": day, "value": level, "series": name} for day in (first, last)]
    return pd.DataFrame(rows, columns=["date", "value", "series"])


def _legend() -> alt.Legend:
    # The same legend on colour and dash, so Vega-Lite merges them into one with dashed keys.
    return alt.Legend(orient="bottom", columns=2, labelLimit=320, symbolType="stroke")


def spec(chart: TrendChart) -> dict[str, Any]:
    """The chart as a Vega-Lite specification (plain data, no network)."""
    lines = _lines(chart)
    names = [n for n in [chart.figure_label, *STYLES] if n in set(lines["series"])]
    colours = [STYLES.get(n, STYLES["figure"])[0] for n in names]
    dashes = [STYLES.get(n, STYLES["figure"])[1] for n in names]
    x = alt.X("date:T", title="Rolling 12 months to", axis=alt.Axis(format="%b %Y"))
    y = alt.Y("value:Q", title=axis_title(chart.unit), scale=alt.Scale(zero=False))
    band = pd.DataFrame(
        [
            {"date": p.end.isoformat(), "lower": p.lower, "upper": p.upper}
            for p in chart.points
            if p.lower is not None and p.upper is not None
        ],
        columns=["date", "lower", "upper"],
    )
    layers = [
        alt.Chart(band)
        .mark_area(opacity=0.18, color=STYLES["figure"][0])
        .encode(x=x, y=alt.Y("lower:Q", title=axis_title(chart.unit)), y2="upper:Q"),
        alt.Chart(lines)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=colours),
                legend=_legend(),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=dashes),
                legend=_legend(),
            ),
        ),
    ]
    layered = alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT, title=alt.TitleParams(chart.title, anchor="start")
    )
    result: dict[str, Any] = layered.configure(font="DejaVu Sans").to_dict()
    return result


@functools.lru_cache(maxsize=256)
def _png(spec_json: str) -> bytes:
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(json.loads(spec_json), scale=SCALE))


def draw(chart: TrendChart) -> bytes:
    """The chart as PNG, drawn offline; the same chart is drawn only once per process."""
    return _png(json.dumps(spec(chart), sort_keys=True))


def describe(chart: TrendChart) -> str:
    """Alt text: what the chart shows, in words, from the figures it plots."""
    shown = [p for p in chart.points if p.value is not None]
    span = (
        f"{chart.points[0].end:%b %Y} to {chart.points[-1].end:%b %Y}" if chart.points else "none"
    )
    parts = [
        f"Line chart of {chart.title[:1].lower() + chart.title[1:]} for {chart.place}, "
        f"rolling 12 months to each quarter end, {span}."
    ]
    if shown:
        first, last = shown[0], shown[-1]
        assert first.value is not None and last.value is not None
        low = min(shown, key=lambda p: p.value or 0.0)
        high = max(shown, key=lambda p: p.value or 0.0)
        parts.append(
            f"It went from {format_value(first.value, chart.unit)} ({first.end:%b %Y}) to "
            f"{format_value(last.value, chart.unit)} ({last.end:%b %Y}); lowest "
            f"{format_value(low.value or 0.0, chart.unit)} ({low.end:%b %Y}), highest "
            f"{format_value(high.value or 0.0, chart.unit)} ({high.end:%b %Y})."
        )
        parts.append("The shaded band is the 95% confidence interval.")
    else:
        parts.append("No figure can be plotted for this period.")
    hidden = sum(p.suppressed for p in chart.points)
    if hidden:
        parts.append(f"{hidden} point(s) are suppressed (small numbers) and not plotted.")
    if chart.target is not None:
        edge = (
            f", edge of tolerance {format_agreed(chart.tolerance_edge, chart.unit)}"
            if chart.tolerance_edge is not None
            else ""
        )
        parts.append(f"Target {format_agreed(chart.target, chart.unit)}{edge}.")
    for name, series in (("England", chart.england), ("Neighbours' mean", chart.neighbours)):
        if series:
            listed = "; ".join(f"{format_value(v, chart.unit)} ({d:%b %Y})" for d, v in series)
            parts.append(f"{name}: {listed}.")
    return " ".join(parts)
