"""The registry as tables: every indicator with its unit, source, domain and framework tag, and
the same grouped by domain or by National Framework outcome and enabler."""

from __future__ import annotations

import pandas as pd

from cscmonitor.indicators.framework import BENCHMARK_ONLY, Framework, grouped
from cscmonitor.indicators.registry import Domain, all_indicators

INDICATOR = "indicator"
PUBLISHED_ONLY = "published only"


def listing(*, by_domain: bool = False) -> pd.DataFrame:
    """One row per indicator (code order); `by_domain` orders them by domain and adds the
    `group` (its label) and `group_code` columns."""
    known = all_indicators()
    if by_domain:
        order = list(Domain)
        known = sorted(known, key=lambda i: order.index(i.domain))
    frame = pd.DataFrame(
        {
            "code": [i.code for i in known],
            "title": [i.title for i in known],
            "unit": [str(i.unit) for i in known],
            "polarity": [str(i.polarity) for i in known],
            "source": [i.source.label for i in known],
            "domain": [str(i.domain) for i in known],
            "framework": [str(i.framework.framework) for i in known],
        }
    )
    if by_domain:
        frame.insert(0, "group", [i.domain.label for i in known])
        frame.insert(1, "group_code", [str(i.domain) for i in known])
    return frame


def framework_listing() -> pd.DataFrame:
    """Every indicator and every benchmark-only dashboard measure under its outcome or enabler,
    in the Framework's order: which dashboard measure each is, or why it sits there."""
    rows: list[tuple[Framework, dict[str, str]]] = [
        (
            i.framework.framework,
            {
                "code": i.code,
                "title": i.title,
                "kind": INDICATOR,
                "dashboard": f"#{i.framework.row}" if i.framework.row is not None else "",
                "why": i.framework.why,
            },
        )
        for i in all_indicators()
    ] + [
        (
            p.framework,
            {
                "code": p.code,
                "title": p.title,
                "kind": PUBLISHED_ONLY,
                "dashboard": f"#{p.rows[0]}" + (f"–{p.rows[-1]}" if len(p.rows) > 1 else ""),
                "why": f"Published in {p.source}",
            },
        )
        for p in BENCHMARK_ONLY
    ]
    return pd.DataFrame(
        [
            {"group": element.label, "group_code": str(element)} | row
            for element, members in grouped(rows, lambda r: r[0])
            for _, row in members
        ]
    )


def without_measures() -> list[str]:
    """The outcomes and enablers no indicator or benchmark-only measure speaks to."""
    tagged = {i.framework.framework for i in all_indicators()} | {
        p.framework for p in BENCHMARK_ONLY
    }
    return [f.label for f in Framework if f not in tagged]
