"""The control chart as a picture: one Vega-Lite spec (Altair), drawn offline to PNG.

It draws what `cscmonitor.spc.control_charts` worked out for one indicator and LA, and says
nothing of its own: the points coloured (and shaped) by their signal, each phase's mean and
process limits, the target, a rule and a label where a phase starts, and in the subtitle the
labels of the two icons, variation and assurance, for the latest point. The alt text says the
same in words; a table of the same rows should follow the picture wherever it is shown.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd

from cscmonitor.indicators.registry import Unit
from cscmonitor.reports.charts import _png, axis_title
from cscmonitor.wording import format_agreed, format_value

WIDTH, HEIGHT = 600, 260
# Okabe-Ito colours (safe for colour-blind readers), in the roles Making Data Count gives them;
# shapes tell the signals apart too.
SIGNALS = {
    "improvement": ("#0072B2", "triangle-up", "Special cause: improvement"),
    "concern": ("#E69F00", "diamond", "Special cause: concern"),
    "neither": ("#CC79A7", "square", "Special cause: neither better nor worse"),
    "": ("#7F7F7F", "circle", "Common cause"),
}
LINES = {
    "Mean": ("#000000", []),
    "Process limits": ("#7F7F7F", [6, 3]),
    "Target": ("#D55E00", [2, 2]),
}


def _points(chart: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(chart["period_end"]).dt.strftime("%Y-%m-%d"),
            "value": chart["value"].astype(float),
            "signal": chart["signal"].map(lambda s: SIGNALS[s][2]),
            "rule": chart["signal_rule"],
        }
    )


def _lines(chart: pd.DataFrame) -> pd.DataFrame:
    """Mean, both limits and the target as lines, one piece per phase so none spans a change."""
    date = pd.to_datetime(chart["period_end"]).dt.strftime("%Y-%m-%d")
    pieces = [
        pd.DataFrame({"date": date, "level": chart[column], "line": name, "piece": piece})
        for column, name, piece in (
            ("mean", "Mean", "mean"),
            ("upper_limit", "Process limits", "upper"),
            ("lower_limit", "Process limits", "lower"),
            ("target", "Target", "target"),
        )
    ]
    lines = pd.concat(pieces, ignore_index=True)
    lines["piece"] = lines["piece"] + " " + pd.concat([chart["phase"]] * 4, ignore_index=True)
    return lines.dropna(subset=["level"])


def spec(chart: pd.DataFrame, title: str, unit: Unit) -> dict[str, Any]:
    """The chart of one indicator and LA (`control_charts` rows) as a Vega-Lite spec."""
    chart = chart.sort_values("period_end")
    points, lines = _points(chart), _lines(chart)
    x = alt.X("date:T", title="Period ending", axis=alt.Axis(format="%b %Y"))
    y_title = axis_title(unit)
    names = [n for n in LINES if n in set(lines["line"])]
    shown = [s for s in SIGNALS.values() if s[2] in set(points["signal"])]
    layers: list[alt.Chart] = [
        alt.Chart(lines)
        .mark_line(interpolate="step" if (chart["chart"] == "p").any() else "linear")
        .encode(
            x=x,
            y=alt.Y("level:Q", title=y_title, scale=alt.Scale(zero=False)),
            detail="piece:N",
            color=alt.Color(
                "line:N",
                title=None,
                scale=alt.Scale(domain=names, range=[LINES[n][0] for n in names]),
                legend=alt.Legend(orient="bottom", symbolType="stroke"),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                title=None,
                scale=alt.Scale(domain=names, range=[LINES[n][1] for n in names]),
                legend=alt.Legend(orient="bottom", symbolType="stroke"),
            ),
        ),
        alt.Chart(points).mark_line(color="#B1B4B6", strokeWidth=1).encode(x=x, y="value:Q"),
        alt.Chart(points)
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color(
                "signal:N",
                title=None,
                scale=alt.Scale(domain=[s[2] for s in shown], range=[s[0] for s in shown]),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            shape=alt.Shape(
                "signal:N",
                title=None,
                scale=alt.Scale(domain=[s[2] for s in shown], range=[s[1] for s in shown]),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            tooltip=["date:T", "value:Q", "signal:N", "rule:N"],
        ),
    ]
    starts = chart.dropna(subset=["phase_start"]).drop_duplicates("phase")
    if not starts.empty:
        phases = pd.DataFrame(
            {
                "date": pd.to_datetime(starts["phase_start"]).dt.strftime("%Y-%m-%d"),
                "phase": starts["phase"],
            }
        )
        rule = alt.Chart(phases).mark_rule(color="#505A5F", strokeDash=[1, 3]).encode(x=x)
        label = (
            alt.Chart(phases)
            .mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=10, color="#505A5F")
            .encode(x=x, y=alt.value(0), text="phase:N")
        )
        layers += [rule, label]
    variation, assurance = icons(chart)
    subtitle = f"Variation: {variation}" + (f" · Assurance: {assurance}" if assurance else "")
    layered = (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent", strokeDash="independent")
        .properties(
            width=WIDTH,
            height=HEIGHT,
            title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
        )
    )
    result: dict[str, Any] = layered.configure(font="DejaVu Sans").to_dict()
    return result


def icons(chart: pd.DataFrame) -> tuple[str, str]:
    """The two icons' labels: variation and assurance at the latest point ("" when none)."""
    if chart.empty:
        return "no points", ""
    last = chart.sort_values("period_end").iloc[-1]
    return str(last["variation"]), str(last["assurance"])


def draw(chart: pd.DataFrame, title: str, unit: Unit) -> bytes:
    """The chart as PNG, drawn offline (vl-convert bundles the renderer)."""
    return _png(json.dumps(spec(chart, title, unit), sort_keys=True))


def describe(chart: pd.DataFrame, title: str, unit: Unit) -> str:
    """Alt text: the chart in words, from the rows it plots."""
    if chart.empty:
        return f"Control chart of {title}: no sound values to plot."
    chart = chart.sort_values("period_end")
    first, last = chart.iloc[0], chart.iloc[-1]
    parts = [
        f"{'p-chart' if last['chart'] == 'p' else 'XmR chart'} of {title}, "
        f"{len(chart)} points from {first['period_end']:%b %Y} to {last['period_end']:%b %Y}."
    ]
    for phase, rows in chart.groupby("phase", sort=False):
        name = str(phase)
        parts.append(
            f"{name[:1].upper()}{name[1:]}: mean {format_value(rows['mean'].iloc[-1], unit)}, "
            f"limits {format_value(rows['lower_limit'].iloc[-1], unit)} to "
            f"{format_value(rows['upper_limit'].iloc[-1], unit)}."
        )
    flagged = chart[chart["signal"] != ""]
    if flagged.empty:
        parts.append("No special cause.")
    for signal, rows in flagged.groupby("signal", sort=False):
        months = ", ".join(f"{d:%b %Y}" for d in rows["period_end"])
        parts.append(f"Special cause ({signal}): {months}.")
    if pd.notna(last["target"]):
        parts.append(f"Target {format_agreed(float(last['target']), unit)}.")
    variation, assurance = icons(chart)
    parts.append(f"Latest point: {variation}" + (f"; {assurance}." if assurance else "."))
    return " ".join(parts)
