"""Social work workforce, from worker-level records (docs/workforce.md).

Children's social workers only: workers holding a social work registration, in
any role (case holders, practitioners and managers), as the DfE workforce census
counts them. FTE throughout, but for ethnicity: a headcount, as the census counts it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.common import KEYS, open_at_end
from cscmonitor.indicators.framework import Framework, dashboard
from cscmonitor.indicators.registry import (
    Domain,
    Interval,
    Measure,
    Polarity,
    Source,
    Tables,
    Unit,
    indicator,
)


def social_workers(tables: Tables) -> ir.Table:
    workers = tables.table("sw_workers")
    return workers.filter(workers.registered.fill_null(False) & workers.fte.notnull())


@indicator(
    "SW_AGENCY",
    "Agency social workers",
    unit=Unit.PERCENT,
    measure=Measure.WEIGHTED,
    weight="fte",
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    domain=Domain.WORKFORCE,
    framework=dashboard(Framework.WORKFORCE, 64),
    comparator="csww agency_rate_fte",
)
def agency(tables: Tables, periods: ir.Table) -> ir.Table:
    """Agency FTE in post at period end ÷ (agency FTE + employed FTE in post at period end).
    Registered social workers only, in any role (managers with a registration included), as the
    DfE workforce census counts them. In post on a date: started on or before it and not left by
    it (a worker whose left date is the period end has left)."""
    rows = open_at_end(tables, social_workers(tables), "start_date", "left_date", periods)
    return rows.mutate(counted=rows.agency.fill_null(False), in_denominator=ibis.literal(True))


@indicator(
    "SW_TURNOVER",
    "Social worker turnover",
    unit=Unit.PERCENT,
    measure=Measure.WEIGHTED,
    weight="fte",
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    domain=Domain.WORKFORCE,
    framework=dashboard(Framework.WORKFORCE, 63),
    comparator="csww turnover_rate_fte",
    interval=Interval.POISSON,
)
def turnover(tables: Tables, periods: ir.Table) -> ir.Table:
    """Employed (not agency) FTE leaving in the 12 months to period end ÷ employed FTE in post at
    period end; registered social workers only, as for SW_AGENCY. A leaver's FTE is the FTE they
    worked. It can exceed 100%, so its interval is the exact Poisson one on the leavers."""
    employed = social_workers(tables)
    employed = employed.filter(~employed.agency.fill_null(False))
    in_post = open_at_end(tables, employed, "start_date", "left_date", periods)
    left = employed.join(
        periods,
        [employed.left_date >= periods.year_start, employed.left_date <= periods.period_end],
    )
    # The leavers are the numerator; the workers in post at the end, the denominator.
    shown = [*KEYS, "worker_id", "fte", "start_date", "left_date"]
    yes, no = ibis.literal(True), ibis.literal(False)
    return left.select(*shown, counted=yes, in_denominator=no).union(
        in_post.select(*shown, counted=no, in_denominator=yes)
    )


@indicator(
    "SW_VACANCY",
    "Social worker vacancies",
    unit=Unit.PERCENT,
    measure=Measure.WEIGHTED,
    weight="fte",
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    domain=Domain.WORKFORCE,
    framework=dashboard(Framework.WORKFORCE, 65),
    comparator="csww vacancy_rate_fte",
)
def vacancies(tables: Tables, periods: ir.Table) -> ir.Table:
    """Vacant FTE ÷ (vacant FTE + employed FTE in post) at period end, as the DfE workforce
    census computes its vacancy rate: agency workers are not in the denominator, as the posts they
    cover are counted vacant. Vacant FTE is the vacancies file's row dated on the period end; a
    period whose end has no vacancy count has no value (no denominator), never 0%. Employed FTE
    in post: registered social workers, not agency, as for SW_TURNOVER."""
    counts = tables.table("sw_vacancies")
    counted = counts.join(periods, counts.date == periods.period_end)
    employed = social_workers(tables)
    employed = employed.filter(~employed.agency.fill_null(False))
    in_post = open_at_end(tables, employed, "start_date", "left_date", periods)
    # A period whose end has no vacancy count has no records, so no value (never 0%).
    in_post = in_post.semi_join(counted.select(*KEYS), KEYS)
    nobody = ibis.null().cast("string")
    yes, no = ibis.literal(True), ibis.literal(False)
    return counted.select(
        *KEYS, worker_id=nobody, fte=counted.vacant_fte, counted=yes, in_denominator=yes
    ).union(in_post.select(*KEYS, "worker_id", "fte", counted=no, in_denominator=yes))


@indicator(
    "SW_CASELOAD",
    "Average caseload",
    unit=Unit.RATIO,
    measure=Measure.MEAN,
    value="cases",
    weight="fte",
    polarity=Polarity.LOWER,
    source=Source.WORKFORCE,
    domain=Domain.WORKFORCE,
    framework=dashboard(Framework.WORKFORCE, 66),
    comparator="csww caseload_fte",
    interval=Interval.NONE,
)
def caseload(tables: Tables, periods: ir.Table) -> ir.Table:
    """Cases held ÷ FTE of case holders (employed and agency) at period end, as the DfE workforce
    census computes its average caseload: a case holder is a registered social worker in post
    holding one or more cases, so workers holding none are in neither part. Cases are counted on
    the census date (30 September) of each workers file, kept per census date (`sw_caseloads`), so
    a period must end on a census date to have a value."""
    held = tables.table("sw_caseloads")
    held = held.filter(held.registered.fill_null(False) & held.fte.notnull() & (held.cases > 0))
    return held.join(periods, held.census_date == periods.period_end)


# Ethnicity codes (the 903 and CIN census list) that say the ethnicity is not known.
ETHNICITY_NOT_KNOWN = ("REFU", "NOBT")


@indicator(
    "SW_ETHNIC_MINORITY",
    "Social workers from ethnic minority backgrounds",
    unit=Unit.PERCENT,
    measure=Measure.PROPORTION,
    polarity=Polarity.NEITHER,
    source=Source.WORKFORCE,
    domain=Domain.WORKFORCE,
    framework=dashboard(Framework.WORKFORCE, 68),
    needs="the workers file's ETHNICITY column",
    comparator='csww_role_by_characteristics_inpost: breakdown_topic "Ethnicity major", role '
    '"Total": 100 − "White" inpost_headcount_percentage',
)
def ethnic_minority(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of social workers in post at period end (distinct WORKER_ID, a headcount) who are employed
    (AGENCY 0) and registered (REGISTERED 1), in any ROLE, with a known ETHNICITY (not blank,
    REFU or NOBT), those whose ethnicity code does not begin with W (White British, Irish,
    Traveller of Irish heritage, Gypsy/Roma, any other White background): the dashboard's
    "Non-white", a share of known ethnicity. ETHNICITY is an optional column of the workers
    file: a file without it has no worker of known ethnicity, so the period has no value
    ("insufficient data"), never 0%. A worker with two rows in post takes the ethnicity of the
    later start (choice)."""
    workers = tables.table("sw_workers")
    workers = workers.filter(
        workers.registered.fill_null(False)
        & (workers.agency == ibis.literal(False))
        & workers.ethnicity.notnull()
        & ~workers.ethnicity.isin(ETHNICITY_NOT_KNOWN)
    )
    rows = open_at_end(tables, workers, "start_date", "left_date", periods)
    latest = ibis.window(group_by=[*KEYS, "worker_id"], order_by=ibis.desc("start_date"))
    rows = rows.mutate(_nth=ibis.row_number().over(latest))
    rows = rows.filter(rows._nth == 0)
    return rows.select(
        *KEYS,
        "worker_id",
        "role",
        "ethnicity",
        "start_date",
        counted=~rows.ethnicity.startswith("W"),
    )
