"""Changes of social worker for children looked after, from the SSDA903's social worker
episodes (`cla_sw_episodes`, collected from the 2023-24 return).

The return holds social worker episodes only for children looked after on 31 March (903 rules
SW01, SW12), so the 12 months to any other day are not complete: such a period is "lookback
incomplete", and one starting before 1 April 2023 has no value ("no data").
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.common import KEYS, until
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

PLACEHOLDER_PREFIX = "XX"  # a stand-in SW_ID, allowed beside SW registrations (rule SW02)
THREE_OR_MORE = 3


def workers_in_year(tables: Tables, periods: ir.Table) -> ir.Table:
    """Per LA, period and child: the distinct social workers (SW_ID, not `XX` stand-ins) of
    the child's social worker episodes open at some time in the 12 months to period end
    (SW_DECOM on or before the end, SW_DEC blank or on or after the first day), whether or
    not the child was looked after then: `la_code, period…, child_id, workers`."""
    episodes = tables.table("cla_sw_episodes")
    episodes = episodes.filter(
        episodes.sw_id.notnull()
        & ~episodes.sw_id_prefix.fill_null("").startswith(PLACEHOLDER_PREFIX)
    )
    rows = episodes.join(
        periods,
        [
            episodes.start_date <= periods.period_end,
            until(episodes.end_date) >= periods.year_start,
        ],
    )
    return rows.group_by([*KEYS, "child_id"]).aggregate(workers=rows.sw_id.nunique())


@indicator(
    "CLA_SW3PLUS",
    "Looked after with 3 or more social workers in 12 months",
    unit=Unit.PERCENT,
    measure=Measure.WEIGHTED,
    weight="children",
    polarity=Polarity.LOWER,
    source=Source.SSDA903,
    domain=Domain.LOOKED_AFTER,
    framework=dashboard(Framework.WORKFORCE, 67),
    comparator='la_cla_swcount: cla_group "CLA on 31 March", sw_stability "3 or more social '
    'workers during the year", percentage',
    collected_from=dt.date(2023, 4, 1),
    complete_on=(3, 31),
)
def three_or_more_social_workers(tables: Tables, periods: ir.Table) -> ir.Table:
    """Of children looked after at period end (an episode open then, LS not V3/V4), those with
    3 or more distinct SW_ID among their 903 social worker episodes open at some time in the 12
    months to period end (SW_DECOM on or before the end, SW_DEC blank or on or after the first
    day), including episodes while not looked after, as DfE counts every worker assigned in the
    year. A worker who returns counts once. SW_IDs beginning XX (stand-ins the 903 allows beside
    SW registrations, rule SW02) are not counted (choice). A child with no such episode leaves
    the denominator (choice: DfE's 2024 total, 83,300, is below the 83,530 looked after); these
    children are the data-quality count, listed in the figure's records ("explain this figure")
    with `workers` 0 and outside the denominator. Complete only for periods ending 31 March from
    2023-24, as the return holds episodes only for children looked after on 31 March; any other
    period end is "lookback incomplete"."""
    cohort = looked_after_at_end(tables, periods)
    cohort = cohort.select(*KEYS, "child_id", "decom", "ls")
    counts = workers_in_year(tables, periods)
    counts = counts.select(
        _la=counts.la_code,
        _start=counts.period_start,
        _end=counts.period_end,
        _child=counts.child_id,
        workers=counts.workers,
    )
    joined = cohort.left_join(
        counts,
        [
            cohort.la_code == counts._la,
            cohort.period_start == counts._start,
            cohort.period_end == counts._end,
            cohort.child_id == counts._child,
        ],
    )
    workers = joined.workers.fill_null(0)
    return joined.select(
        *KEYS,
        "child_id",
        "decom",
        "ls",
        workers=workers,
        children=ibis.literal(1),
        counted=workers >= THREE_OR_MORE,
        in_denominator=workers > 0,
    )
