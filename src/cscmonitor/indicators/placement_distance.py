"""Children looked after placed more than 20 miles from home (National Framework outcome 4:
stable, loving homes near where they belong), from the SSDA903 episodes' placement distance.

The distance is the 903's `PL_DISTANCE`: the straight line in miles between the home and
placement postcodes' grid references, to one decimal place. Ingest takes it from the return
where the return gives it (999.9 there means not known) and otherwise works it out from
HOME_POST and PL_POST through the installation's postcode lookup before the postcodes are
reduced (docs/postcodes.md); `cla_episodes.placement_distance_miles`, blank when not known.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.common import KEYS
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

MILES = 20.0


@indicator(
    "CLA_20MILES",
    "Children looked after placed more than 20 miles from home",
    framework=dashboard(Framework.STABLE_HOMES, 46),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    needs="PL_DISTANCE or a postcode lookup",
    comparator='la_cla_on_31_march_by_characteristics: "Distance between home and placement" '
    '/ "Placed more than 20 miles from home", children_percent',
)
def placed_over_20_miles(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end (an episode open then whose LS is not V3/V4),
    those whose open episode's placement is more than 20.0 miles from home (PL_DISTANCE > 20.0,
    the open episode's own, temporary placements included). A child whose distance is not
    known (postcode blank or not in the postcode lookup, a PL_DISTANCE of 999.9, or no lookup
    and no PL_DISTANCE) stays in the denominator, as DfE's "distance not known or not
    recorded" does. But where no child of the council's cohort has a known distance (a return
    without PL_DISTANCE read with no postcode lookup), the cohort is left out whole: the
    period has no value ("insufficient data"), not a false 0%. The validation report's
    CLA_DISTANCE_NOT_KNOWN says how many are not known."""
    rows = looked_after_at_end(tables, periods)
    # A snapshot written before distances were kept has no such column: none is known (a
    # column of nulls, so the window below still has a column to aggregate).
    if "placement_distance_miles" not in rows.columns:
        rows = rows.mutate(placement_distance_miles=ibis.null("float64"))
    miles = rows.placement_distance_miles
    # Whether any distance is known for the council and period: if none, no figure at all.
    any_known = miles.notnull().cast("int8").max().over(ibis.window(group_by=KEYS))
    rows = rows.filter(any_known == 1)
    miles = rows.placement_distance_miles
    return rows.select(
        *KEYS,
        "child_id",
        "decom",
        "place",
        "placement_distance_miles",
        counted=(miles > MILES).fill_null(False),
    )
