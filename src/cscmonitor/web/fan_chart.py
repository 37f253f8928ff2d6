"""A fan chart as server-side SVG: the history, then the forecast's median with its 80% and
95% bands, drawn as `charts.py` draws the app's other charts (no JavaScript, GOV.UK colours,
a title and description for screen readers; the page shows the same figures in a table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from cscmonitor.web.charts import BLACK, BLUE, GREY, HEIGHT, WIDTH, frame

LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 50


@dataclass(frozen=True)
class Band:
    """One forecast month: the forecast (median) and the ends of the 80% and 95% intervals."""

    on: dt.date
    median: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float


def fan_chart(
    history: Sequence[tuple[dt.date, float]],
    bands: Sequence[Band],
    *,
    key: str,
    title: str,
    description: str,
    prefix: str = "",
) -> Markup:
    """History as a solid grey line, the median as a blue one from the last history point,
    the 95% band pale and the 80% band darker behind it; a rule marks the origin."""
    if not bands:
        return Markup("")
    days = [d for d, _ in history] + [b.on for b in bands]
    first, last = min(days), max(days)
    values = [v for _, v in history] + [v for b in bands for v in (b.lower95, b.upper95)]
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = max(0.0, low - pad), high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    total = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days / total * plot_w

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * plot_h

    # The fan opens from the last count the returns show.
    fan = [Band(d, v, v, v, v, v) for d, v in history[-1:]] + list(bands)

    def area(upper: Sequence[float], lower: Sequence[float], opacity: float) -> str:
        top = " ".join(f"{x(b.on):.1f},{y(v):.1f}" for b, v in zip(fan, upper, strict=True))
        bottom = " ".join(
            f"{x(b.on):.1f},{y(v):.1f}" for b, v in zip(reversed(fan), reversed(lower), strict=True)
        )
        return f'<polygon points="{top} {bottom}" fill="{BLUE}" fill-opacity="{opacity}"/>'

    parts = frame(
        key, title, description, height=HEIGHT, bottom=BOTTOM, left=LEFT,
        values=(low, high, y, lambda t: f"{prefix}{t:,.0f}"), days=(first, last, x),
    )  # fmt: skip
    parts.append(area([b.upper95 for b in fan], [b.lower95 for b in fan], 0.15))
    parts.append(area([b.upper80 for b in fan], [b.lower80 for b in fan], 0.3))
    if history:
        line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in history)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{BLACK}" stroke-width="2.5"/>')
        origin = x(history[-1][0])
        parts.append(
            f'<line x1="{origin:.1f}" x2="{origin:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="{GREY}" stroke-dasharray="4 3"/>'
        )
    start = [f"{x(history[-1][0]):.1f},{y(history[-1][1]):.1f}"] if history else []
    median = " ".join(start + [f"{x(b.on):.1f},{y(b.median):.1f}" for b in bands])
    parts.append(
        f'<polyline points="{median}" fill="none" stroke="{BLUE}" stroke-width="2.5" '
        f'stroke-dasharray="8 4"/>'
    )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{BLACK}"/>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{BLACK}"/>'
    )
    legend_y = HEIGHT - 12
    legend = (
        (BLACK, "", 1.0, "What the returns show"),
        (BLUE, ' stroke-dasharray="6 3"', 1.0, "Forecast (median)"),
        (BLUE, "", 0.3, "80% interval"),
        (BLUE, "", 0.15, "95% interval"),
    )
    legend_x = LEFT
    for colour, dash, opacity, name in legend:
        if opacity < 1:
            parts.append(
                f'<rect x="{legend_x}" y="{legend_y - 9}" width="18" height="10" '
                f'fill="{colour}" fill-opacity="{opacity}"/>'
            )
        else:
            parts.append(
                f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" '
                f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        parts.append(
            f'<text x="{legend_x + 22}" y="{legend_y}" class="app-chart__legend">'
            f"{escape(name)}</text>"
        )
        legend_x += 34 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
