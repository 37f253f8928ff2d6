"""Care leavers aged 17 and 18, from the SSDA903 OC3 table (National Framework outcome 4).

A record reports on the birthday in its own return's year, as for 19 to 21 (`care_leavers`).
The education, employment or training codes, and the years each is collected in, are data
(`code_years.csv`): F3 and P3 to 2020-21, F4, P4, F5 and P5 from 2021-22.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cscmonitor.indicators.care_leavers import leavers_cohort, suitability_cohort
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

AGES = (17, 18)


@indicator(
    "CL_EET_17_18",
    "Care leavers aged 17–18 in education, employment or training",
    framework=dashboard(Framework.STABLE_HOMES, 52),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.CARE_LEAVERS,
    comparator='la_care_leavers_activity: care_leaver_age "17 to 18 years", breakdown "Total in '
    'education, employment or training", care_leaver_percent',
)
def young_in_education_employment_or_training(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of OC3 records for young people whose 17th or 18th birthday falls in the period, less
    those who have died (IN_TOUCH DIED) or returned home for 6 months or more (RHOM), those
    with ACTIV F1, P1, F2, P2, F4, P4, F5 or P5, or F3 or P3 in returns to 2020-21 (read in
    the record's own return year). Not in touch (NO), refused contact (REFU), no longer
    needing services (NREQ) and activity not known (0 or blank) stay in the denominator."""
    rows = in_list(leavers_cohort(tables, periods, AGES), "activity", "return_year", "activity_eet")
    return rows.mutate(counted=rows.in_activity_eet).drop("in_activity_eet")


@indicator(
    "CL_SUITABLE_17_18",
    "Care leavers aged 17–18 in suitable accommodation",
    framework=dashboard(Framework.STABLE_HOMES, 54),
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.CARE_LEAVERS,
    comparator='la_care_leavers_accommodation_suitability: care_leaver_age "17 to 18 years", '
    'breakdown "Accommodation considered suitable", care_leaver_percent',
)
def young_in_suitable_accommodation(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CL_EET_17_18 cohort less young people gone abroad (ACCOM beginning G), deported (H)
    or whose residence is not known (R); counted: ACCOM ending in 1 (considered suitable).
    No information (ACCOM 0) and blank stay in the denominator."""
    rows = suitability_cohort(leavers_cohort(tables, periods, AGES))
    return rows.mutate(counted=rows.accommodation.endswith("1"))
