"""Server-side SVG charts: a sparkline for a tile, a trend chart and a control chart.

No JavaScript and nothing from elsewhere: each chart is markup in the page, with a title and
description for screen readers, and every page that shows one shows its figures in a table
too. Colours are the GOV.UK palette; shape and line style also tell the series apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

BLUE, BLACK, GREY, GREEN, ORANGE, PURPLE = (
    "#1d70b8",
    "#0b0c0c",
    "#505a5f",
    "#00703c",
    "#f47738",
    "#4c2c92",
)


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def sparkline(
    values: Sequence[float | None], *, label: str, width: int = 160, height: int = 40
) -> Markup:
    """A small line of the values in order; gaps where a value is missing."""
    known = _finite(values)
    if len(known) < 2:
        return Markup("")
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)

    def y(v: float) -> float:
        return height - 3 - (v - low) / span * (height - 6)

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            runs.append([])
            continue
        runs[-1].append(f"{2 + i * step:.1f},{y(v):.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        for run in runs
        if len(run) > 1
    )
    last_index = max(i for i, v in enumerate(values) if v is not None and math.isfinite(v))
    last = values[last_index]
    assert last is not None
    dot = f'<circle cx="{2 + last_index * step:.1f}" cy="{y(last):.1f}" r="3" fill="{BLUE}"/>'
    return Markup(
        f'<svg class="app-sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" focusable="false">'
        f"{lines}{dot}</svg>"
    )


@dataclass(frozen=True)
class Point:
    on: dt.date
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]
    colour: str
    marker: str  # circle, square, triangle
    line: bool = True


@dataclass(frozen=True)
class Reference:
    """A horizontal line (a target) with an optional band beside it (the tolerance)."""

    name: str
    value: float
    band_to: float | None = None


WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 50


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    match kind:
        case "diamond":
            return (
                f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
                f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
            )
        case "square":
            return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
        case "triangle":
            return (
                f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} '
                f'{x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
            )
        case _:
            return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    ticks, v = [], first
    while v <= high + 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def frame(
    ident: str,
    title: str,
    description: str,
    *,
    height: int,
    bottom: int,
    values: tuple[float, float, Callable[[float], float], Callable[[float], str]],
    days: tuple[dt.date, dt.date, Callable[[dt.date], float]],
    left: int = LEFT,
    year_lines: bool = False,
) -> list[str]:
    """What every chart starts with: the svg element with its title and description, the value
    gridlines labelled on the left, and each 1 January labelled below (with a faint line)."""
    low, high, y, label = values
    first, last, x = days
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" focusable="false">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for tick in _ticks(low, high):
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" class="app-chart__tick">'
            f"{escape(label(tick))}</text>"
        )
    for year in range(first.year, last.year + 1):
        day = dt.date(year, 1, 1)
        if not first <= day <= last:
            continue
        tx = x(day)
        if year_lines:
            parts.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP}" y2="{height - bottom}" '
                f'stroke="#f3f2f1" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{tx:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'class="app-chart__tick">{year}</text>'
        )
    return parts


def trend_chart(
    series: Sequence[Series],
    references: Sequence[Reference],
    *,
    title: str,
    description: str,
    unit_suffix: str = "",
) -> Markup:
    """Values over time with confidence intervals, a target line and tolerance band."""
    points = [p for s in series for p in s.points if p.value is not None]
    if not points:
        return Markup("")
    days = [p.on for p in points]
    first, last = min(days), max(days)
    if first == last:
        first -= dt.timedelta(days=90)
        last += dt.timedelta(days=90)
    values = [v for p in points for v in (p.value, p.low, p.high) if v is not None]
    for r in references:
        values += [r.value] + ([r.band_to] if r.band_to is not None else [])
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = max(0.0, low - pad) if low >= 0 else low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    total = (last - first).days

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days / total * plot_w

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * plot_h

    parts = frame(
        "chart", title, description, height=HEIGHT, bottom=BOTTOM, year_lines=True,
        values=(low, high, y, lambda t: f"{t:g}{unit_suffix}"), days=(first, last, x),
    )  # fmt: skip
    for r in references:
        ry = y(r.value)
        if r.band_to is not None:
            top, bottom = sorted((y(r.value), y(r.band_to)))
            parts.append(
                f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" '
                f'fill="{ORANGE}" fill-opacity="0.15"/>'
            )
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ry:.1f}" y2="{ry:.1f}" '
            f'stroke="{GREEN}" stroke-width="2" stroke-dasharray="8 4"/>'
        )
    for s in series:
        known = [p for p in s.points if p.value is not None]
        with_ci = [p for p in known if p.low is not None and p.high is not None]
        if len(with_ci) > 1:
            upper = " ".join(
                f"{x(p.on):.1f},{y(p.high):.1f}" for p in with_ci if p.high is not None
            )
            lower = " ".join(
                f"{x(p.on):.1f},{y(p.low):.1f}" for p in reversed(with_ci) if p.low is not None
            )
            parts.append(
                f'<polygon points="{upper} {lower}" fill="{s.colour}" fill-opacity="0.12"/>'
            )
        if s.line and len(known) > 1:
            path = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in known if p.value is not None)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5"/>'
            )
        for p in known:
            assert p.value is not None
            parts.append(_marker(s.marker, x(p.on), y(p.value), s.colour))
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{BLACK}"/>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{BLACK}"/>'
    )
    legend_x = LEFT
    legend_y = HEIGHT - 12
    for s in series:
        parts.append(_marker(s.marker, legend_x + 5, legend_y - 4, s.colour))
        parts.append(
            f'<text x="{legend_x + 14}" y="{legend_y}" class="app-chart__legend">'
            f"{escape(s.name)}</text>"
        )
        legend_x += 24 + 7 * len(s.name)
    for r in references:
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{GREEN}" stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{legend_x + 22}" y="{legend_y}" class="app-chart__legend">'
            f"{escape(r.name)}</text>"
        )
        legend_x += 30 + 7 * len(r.name)
    parts.append("</svg>")
    return Markup("".join(parts))


# A control chart's points by signal: colour, marker and legend (docs/spc.md); the shape
# repeats what the colour says.
SIGNAL_STYLES = {
    "improvement": (BLUE, "triangle", "Special cause: improvement"),
    "concern": (ORANGE, "diamond", "Special cause: concern"),
    "neither": (PURPLE, "square", "Special cause: neither"),
    "": (GREY, "circle", "Common cause"),
}


@dataclass(frozen=True)
class Marked:
    """A control chart's point and its signal (improvement, concern, neither or "")."""

    on: dt.date
    value: float
    signal: str


@dataclass(frozen=True)
class Phase:
    """One phase of a control chart: its start (None for the series' start) and, at each of
    its points, the mean and process limits (a p-chart's limits vary with the cohort)."""

    name: str
    starts: dt.date | None
    ends: tuple[dt.date, ...]
    mean: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]


def control_chart(
    points: Sequence[Marked],
    phases: Sequence[Phase],
    target: float | None,
    *,
    ident: str,
    title: str,
    description: str,
    unit_suffix: str = "",
) -> Markup:
    """A control chart: points coloured (and shaped) by signal, each phase's mean and limits,
    the target, and a rule where each phase starts. `ident` keeps its ids unique on a page."""
    if not points:
        return Markup("")
    first, last = min(p.on for p in points), max(p.on for p in points)
    if first == last:
        first -= dt.timedelta(days=30)
        last += dt.timedelta(days=30)
    values = [p.value for p in points] + ([target] if target is not None else [])
    values += _finite([v for ph in phases for v in (*ph.lower, *ph.upper)])
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = low - pad, high + pad
    height, bottom = HEIGHT + 20, BOTTOM + 20  # room for two rows of legend
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - bottom
    total = (last - first).days

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days / total * plot_w

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * plot_h

    def line(days: Sequence[dt.date], levels: Sequence[float], style: str) -> str:
        path = " ".join(
            f"{x(d):.1f},{y(v):.1f}" for d, v in zip(days, levels, strict=True) if math.isfinite(v)
        )
        return f'<polyline points="{path}" fill="none" {style}/>'

    parts = frame(
        ident, title, description, height=height, bottom=bottom,
        values=(low, high, y, lambda t: f"{t:g}{unit_suffix}"), days=(first, last, x),
    )  # fmt: skip
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{GREEN}" stroke-width="2" stroke-dasharray="8 4"/>'
        )
    for ph in phases:
        parts.append(line(ph.ends, ph.mean, f'stroke="{BLACK}" stroke-width="1.5"'))
        for edge in (ph.lower, ph.upper):
            parts.append(line(ph.ends, edge, f'stroke="{GREY}" stroke-dasharray="6 3"'))
        if ph.starts is not None and first <= ph.starts <= last:
            px = x(ph.starts)
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{TOP}" y2="{height - bottom}" '
                f'stroke="{GREY}" stroke-dasharray="1 3"/>'
                f'<text x="{px + 3:.1f}" y="{TOP + 10}" class="app-chart__legend">'
                f"{escape(ph.name)}</text>"
            )
    ordered = sorted(points, key=lambda p: p.on)
    parts.append(
        line(
            [p.on for p in ordered], [p.value for p in ordered], 'stroke="#b1b4b6" stroke-width="1"'
        )
    )
    for p in ordered:
        colour, marker, _name = SIGNAL_STYLES[p.signal]
        parts.append(_marker(marker, x(p.on), y(p.value), colour))
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{height - bottom}" stroke="{BLACK}"/>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{height - bottom}" y2="{height - bottom}" '
        f'stroke="{BLACK}"/>'
    )
    legend_x, legend_y = LEFT, height - 26
    for signal in [s for s in SIGNAL_STYLES if s in {p.signal for p in points}]:
        colour, marker, name = SIGNAL_STYLES[signal]
        parts.append(_marker(marker, legend_x + 5, legend_y - 4, colour))
        parts.append(
            f'<text x="{legend_x + 14}" y="{legend_y}" class="app-chart__legend">'
            f"{escape(name)}</text>"
        )
        legend_x += 24 + 7 * len(name)
    legend_x, legend_y = LEFT, height - 6
    keys = [("Mean", BLACK, ""), ("Process limits", GREY, "6 3")]
    keys += [("Target", GREEN, "6 3")] if target is not None else []
    for name, colour, dash in keys:
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{legend_x + 22}" y="{legend_y}" class="app-chart__legend">'
            f"{escape(name)}</text>"
        )
        legend_x += 30 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
