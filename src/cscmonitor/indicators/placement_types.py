"""Where children looked after at period end live: foster care, secure and children's homes, and
independent or semi-independent living or supported accommodation (National Framework
outcome 4: stable, loving homes).

The PLACE codes of each group, and the years each is collected in, are data (`code_years.csv`):
registered supported accommodation (K3) from the 2024-25 return, where H5 and P2 are still
valid beside it; H5 and P2 no more from 2025-26. Codes are read in the collection year of the
period end.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.code_years import collection_year, in_list
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.registry import (
    Domain,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)

COMPARATOR = 'la_cla_on_31_march_by_characteristics: "Placement" / "{}", children_percent'


def _placed_in(tables: Tables, periods: ir.Table, name: str) -> ir.Table:
    rows = looked_after_at_end(tables, periods)
    rows = rows.mutate(end_year=collection_year(rows.period_end))
    rows = in_list(rows, "placement", "end_year", name)
    return rows.select(
        "la_code",
        "period_start",
        "period_end",
        "child_id",
        "decom",
        "place",
        "placement",
        counted=rows[f"in_{name}"],
    )


@indicator(
    "CLA_FOSTER",
    "Children looked after living in foster care",
    framework=dashboard(Framework.STABLE_HOMES, 48),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator=COMPARATOR.format("Foster placements"),
)
def in_foster_care(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end (an episode open then whose LS is not V3/V4),
    those whose placement at period end is a foster placement (PLACE U1–U6). The placement at
    period end is the PLACE of the open episode or, when that is a temporary placement
    (T0–T4), of the latest earlier episode of the same period of care that is not (a choice);
    a child with none stays in the denominator."""
    return _placed_in(tables, periods, "placement_foster")


@indicator(
    "CLA_RESI",
    "Children looked after living in secure homes and children's homes",
    framework=dashboard(Framework.STABLE_HOMES, 49),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator=COMPARATOR.format("Secure homes and children's homes"),
)
def in_childrens_homes(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CLA_FOSTER cohort and placement at period end; counted: secure children's homes and
    children's homes (PLACE K1, K2)."""
    return _placed_in(tables, periods, "placement_resi")


@indicator(
    "CLA_SUPPORTED",
    "Children looked after living in independent or semi-independent arrangements or "
    "supported accommodation",
    framework=dashboard(Framework.STABLE_HOMES, 50),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator=COMPARATOR.format(
        "Independent and semi-independent living arrangements/supported accommodation"
    ),
)
def in_supported_accommodation(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CLA_FOSTER cohort and placement at period end; counted: semi-independent living
    (H5) and independent living (P2) in returns to 2024-25, registered supported
    accommodation (K3) from 2024-25, read in the collection year of the period end.
    Unregistered former semi-independent provision after 28 October 2023 is coded Z1, other
    placements, and does not count."""
    return _placed_in(tables, periods, "placement_supported")
