"""Children who ceased to be looked after through a special guardianship order or a residence
or child arrangements order (National Framework outcome 3: supported by the family network).

The reason codes, and the years each is collected in, are data (`code_years.csv`): E43 and E44
became E45 to E48 from the 2018-19 return.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.care_events import ceased
from cscmonitor.indicators.code_years import in_list
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


def _ceased_by(tables: Tables, periods: ir.Table, name: str) -> ir.Table:
    rows = in_list(ceased(tables, periods), "rec", "dec_year", name)
    return rows.mutate(counted=rows[f"in_{name}"]).drop(f"in_{name}")


@indicator(
    "CLA_CEASE_SGO",
    "Ceased to be looked after through a special guardianship order",
    framework=dashboard(Framework.FAMILY_NETWORK, 43),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='la_children_who_ceased_during_the_year: "Reason episode ceased" / "Special '
    'guardianship order", children_percent',
)
def ceased_through_sgo(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children who ceased to be looked after in the period (an episode with DEC in the
    period, REC not X1, LS not V3/V4; each child once, at its last such DEC, as DfE counts
    "only the last occasion"), those whose ceasing episode's REC is a special guardianship
    order in the year of the DEC: E45, E46, E47 or E48 from the 2018-19 return, E43 or E44
    in returns to 2017-18."""
    return _ceased_by(tables, periods, "cease_sgo")


@indicator(
    "CLA_CEASE_CAO",
    "Ceased to be looked after through a residence or child arrangements order",
    framework=dashboard(Framework.FAMILY_NETWORK, 44),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    comparator='la_children_who_ceased_during_the_year: "Reason episode ceased" / "Residence '
    'order or child arrangement order granted", children_percent',
)
def ceased_through_cao(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CLA_CEASE_SGO cohort; counted: the ceasing episode's REC is E41 (residence order or
    child arrangements order granted)."""
    return _ceased_by(tables, periods, "cease_cao")
