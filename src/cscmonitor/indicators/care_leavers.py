"""Care leavers aged 19 to 21, from the SSDA903 OC3 table.

A 903 return holds an OC3 record for each care leaver whose 17th to 21st birthday falls in
its collection year (1 April to 31 March); the record describes the young person around
that birthday. So a record belongs to the birthday in its own return's year, and it is in
a period's cohort when that birthday is the 19th, 20th or 21st and falls in the period.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, months_after
from cscmonitor.indicators.framework import Framework, dashboard, serves
from cscmonitor.indicators.registry import (
    Domain,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)

AGES = (19, 20, 21)
# ACTIV codes for education, employment or training. F3/P3 (training or employment) were
# replaced by F4/P4 and F5/P5 from the 2021-22 return; DfE counts both as EET.
EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
# DfE's care leaver tables leave out young people who have died and those who have returned
# home to their parents for 6 months or more: they are not the LA's care leavers to support.
OUT_OF_COHORT = ("DIED", "RHOM")
# ACCOM first letters whose suitability DfE does not judge: gone abroad (G), deported (H),
# residence not known (R). Its suitability totals leave them out: for England 2025, 38,190
# young people aged 19-21 against 38,440 in the activity totals.
SUITABILITY_NOT_KNOWN = ("G", "H", "R")


def suitability_cohort(rows: ir.Table) -> ir.Table:
    """Care leaver records less those gone abroad, deported or whose residence is not known
    (ACCOM beginning G, H or R); a blank ACCOM or 0 (no information) stays in."""
    first = rows.accommodation.substr(0, 1)
    return rows.filter(~first.isin(SUITABILITY_NOT_KNOWN).fill_null(False))


def leavers_cohort(tables: Tables, periods: ir.Table, ages: tuple[int, ...] = AGES) -> ir.Table:
    """OC3 records, once per period holding the birthday they report on, when that birthday
    is one of `ages` (the 19th, 20th or 21st unless told)."""
    oc3 = tables.table("cla_oc3")
    children = tables.table("cla_children").select(
        la_code_c="la_code", child_id_c="child_id", birth_date_c="birth_date"
    )
    returns = tables.table("returns")
    returns = returns.filter(returns.kind == "ssda903").select(
        la_code_r="la_code", year_r="year", year_from="period_start", year_to="period_end"
    )
    oc3 = oc3.join(
        returns, [oc3.la_code == returns.la_code_r, oc3.return_year == returns.year_r]
    ).left_join(children, [oc3.la_code == children.la_code_c, oc3.child_id == children.child_id_c])
    # The OC3 row's own date of birth; the Header's where the OC3 row has none.
    born = oc3.birth_date.coalesce(oc3.birth_date_c)
    birthday = ibis.null("date")
    for age in reversed(ages):
        day = months_after(born, 12 * age)
        birthday = ibis.ifelse((day >= oc3.year_from) & (day <= oc3.year_to), day, birthday)
    leavers = oc3.select(
        "la_code",
        "child_id",
        "return_year",
        "in_touch",
        "activity",
        "accommodation",
        birth_date=born,
        birthday=birthday,
    )
    leavers = leavers.filter(
        leavers.birthday.notnull() & ~leavers.in_touch.isin(OUT_OF_COHORT).fill_null(False)
    )
    cohort = leavers.join(
        periods,
        [leavers.birthday >= periods.period_start, leavers.birthday <= periods.period_end],
    )
    return cohort.select(
        *KEYS,
        "child_id",
        "return_year",
        "birth_date",
        "birthday",
        "in_touch",
        "activity",
        "accommodation",
    )


@indicator(
    "CL_EET",
    "Care leavers aged 19–21 in education, employment or training",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.CARE_LEAVERS,
    framework=dashboard(Framework.STABLE_HOMES, 53),
    comparator='care_leavers_activity 19–21 "Total in education, employment or training"',
)
def in_education_employment_or_training(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of OC3 records for care leavers whose 19th, 20th or 21st birthday falls in the period,
    those with ACTIV F1, P1, F2, P2, F4, P4, F5 or P5 (and F3 or P3, the training or
    employment codes of returns up to 2020-21). A record reports on the birthday in its own
    return's year (1 April to 31 March), so each birthday is counted from the record made for
    it. Date of birth from the OC3 record, else the Header. Young people not in touch and
    those whose activity is not known stay in the denominator; as in DfE's tables, those who
    have died (IN_TOUCH DIED) or returned home for 6 months or more (RHOM) are left out."""
    rows = leavers_cohort(tables, periods)
    return rows.mutate(counted=rows.activity.isin(EET))


@indicator(
    "CL_SUITABLE",
    "Care leavers aged 19–21 in suitable accommodation",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.CARE_LEAVERS,
    framework=dashboard(Framework.STABLE_HOMES, 55),
    comparator='care_leavers_accommodation 19–21 "Accommodation considered suitable"',
)
def in_suitable_accommodation(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CL_EET cohort less young people gone abroad (ACCOM beginning G), deported (H) or
    whose residence is not known (R), as DfE's suitability tables leave them out; counted:
    ACCOM ending in 1 (considered suitable). Unsuitable accommodation (ending in 2), no
    information (0) and blank stay in the denominator."""
    rows = suitability_cohort(leavers_cohort(tables, periods))
    return rows.mutate(counted=rows.accommodation.endswith("1"))


@indicator(
    "CL_IN_TOUCH",
    "Care leavers in touch",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.HIGHER,
    source=Source.SSDA903,
    domain=Domain.CARE_LEAVERS,
    framework=serves(
        Framework.STABLE_HOMES,
        "Keeping in touch is the ground of a care leaver's support: quality of life for care "
        "experienced people (#52–55), the cohort of #53.",
    ),
)
def in_touch(tables: Tables, periods: ir.Table) -> ir.Table:
    """The CL_EET cohort; counted: IN_TOUCH YES. A young person who refuses contact (REFU) or
    no longer needs services (NREQ) is known to the LA but not in touch, so stays in the
    denominator uncounted, as does NO (not in touch)."""
    rows = leavers_cohort(tables, periods)
    return rows.mutate(counted=rows.in_touch == "YES")
