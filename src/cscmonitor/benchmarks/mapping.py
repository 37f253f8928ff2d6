"""Which published figure benchmarks which indicator: dataset, measure and filter values.

Each comparator names the published value, and the counts behind it (numerator and the
measures whose sum is the denominator), so a significance test and a pooled figure can be
made from published data. A published mean (the SDQ score) or duration (adoption timings)
has no counts: its comparator names the value alone. An indicator whose DfE table is not
bundled has no comparator, and `no_benchmark_reason` says why.

Filters list every filter column of the dataset, so one row per
place and year matches; a newer release that adds a filter column shows "no figure" rather
than a wrong one. Polarity and unit follow `INDICATORS.md`; for registered indicators a test
checks they agree with the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from cscmonitor.benchmarks.ees import filters_key
from cscmonitor.indicators.code_years import factors
from cscmonitor.indicators.registry import Interval, Polarity, Unit


@dataclass(frozen=True)
class Measure:
    dataset: str
    measure: str
    filters: Mapping[str, str] = field(default_factory=dict)
    factor: float = 1.0  # the published figure × factor is in the indicator's unit


@dataclass(frozen=True)
class Comparator:
    code: str
    title: str
    comparator: str  # as INDICATORS.md and the registry write it
    unit: Unit
    polarity: Polarity
    interval: Interval
    numerator: Measure | None = None
    denominator: tuple[Measure, ...] = ()
    value: Measure | None = None  # None: value = numerator / denominator × scale
    bounds: tuple[float, float] | None = None  # the range a figure can take (default: unit's)
    england_only: bool = False  # DfE publishes no LA or regional figures

    def __post_init__(self) -> None:
        if self.value is None and (self.numerator is None or not self.denominator):
            raise ValueError(f"{self.code}: a comparator needs a value or both counts")

    @property
    def scale(self) -> float:
        return self.unit.scale

    @property
    def range(self) -> tuple[float, float]:
        """The values a figure can take: 0–100 for a percentage, 0–10,000 per 10,000."""
        if self.bounds is not None:
            return self.bounds
        if self.unit in (Unit.PERCENT, Unit.PER_10K):
            return (0.0, self.unit.scale)
        return (0.0, float("inf"))

    @property
    def parts(self) -> tuple[tuple[str, Measure], ...]:
        """(role, measure) for every published measure the comparator reads."""
        counted = () if self.numerator is None else (("numerator", self.numerator),)
        below = tuple(("denominator", d) for d in self.denominator)
        shown = () if self.value is None else (("value", self.value),)
        return counted + below + shown

    @property
    def datasets(self) -> frozenset[str]:
        return frozenset(m.dataset for _, m in self.parts)


REFERRALS = {"category": "Referrals and Re-referrals"}
REPEAT_PLANS = {"category": "Child Protection Plans which are a second or subsequent plan"}
PLAN_LENGTH = {"category": "Child Protection Plans by length of time"}
CHILDREN_IN_NEED = {"category": "Children in Need"}
POPULATION = Measure(
    "population", "population_estimate", {"age_group": "Children aged 0 to 17 years"}
)
CLA_AT_31_MARCH = "CLA on 31 March"
LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)
LEAVERS_19_21 = "19 to 21 years"


def _placement(group: str, row: str) -> dict[str, str]:
    return {"cla_group": group, "placement_stability": row}


def _leavers(row: str, age: str = LEAVERS_19_21) -> dict[str, str]:
    return {"care_leaver_age": age, "breakdown": row}


LEAVERS_17_18 = "17 to 18 years"
FACTORS = {"category": "Factors identified at the end of assessment"}
MID_YEAR_MOVES = "With one or more mid-year moves during the year"
SDQ = "Ages 5 to 16 years with SDQ score"
DECISION_TO_MATCH = (
    "2. Average time between decision that child should be placed for adoption and matching "
    "of child and adopters"
)
# A month in days (365.25 / 12): DfE publishes adoption timings in years and months.
DAYS_PER_MONTH = 30.4375


def _moves(row: str) -> dict[str, str]:
    return {"cla_group": CLA_AT_31_MARCH, "move_measure": "Mid-year moves", "school_stability": row}


def _workers(row: str) -> dict[str, str]:
    return {"cla_group": CLA_AT_31_MARCH, "sw_stability": row}


def _share(
    code: str,
    title: str,
    comparator: str,
    polarity: Polarity,
    dataset: str,
    columns: tuple[str, str],
    counted: dict[str, str],
    total: dict[str, str],
) -> Comparator:
    """A published percentage of a cohort: DfE's percentage (`columns[0]`) for the rows
    `counted`, and the counts (`columns[1]`) of those rows over the `total` row."""
    percent, count = columns
    return Comparator(
        code,
        title,
        comparator,
        Unit.PERCENT,
        polarity,
        Interval.WILSON,
        value=Measure(dataset, percent, counted),
        numerator=Measure(dataset, count, counted),
        denominator=(Measure(dataset, count, total),),
    )


def _cla_rate(code: str, title: str, comparator: str, population_type: str) -> Comparator:
    """A rate per 10,000 children from cla_number_and_rate: DfE's rate, its count and the
    population DfE divided by."""
    rows = {"population_type": population_type}
    return Comparator(
        code,
        title,
        comparator,
        Unit.PER_10K,
        Polarity.NEITHER,
        Interval.POISSON,
        value=Measure("cla_rate", "rate_per_10000", rows),
        numerator=Measure("cla_rate", "children_count", rows),
        denominator=(Measure("cla_rate", "population_estimate", rows),),
    )


def _factor(code: str, column: str, factor: str) -> Comparator:
    """An assessment factor: c3 episodes with the factor ÷ ONS children aged 0–17 × 10,000."""
    return Comparator(
        code,
        f"Episodes with {factor} identified at assessment per 10,000",
        f"c3_factors_identified_at_end_of_assessment: {column} ÷ ONS population aged 0–17 × 10,000",
        Unit.PER_10K,
        Polarity.NEITHER,
        Interval.POISSON,
        numerator=Measure("c3", column, FACTORS),
        denominator=(POPULATION,),
    )


COMPARATORS: tuple[Comparator, ...] = (
    Comparator(
        "REF_RATE",
        "Referrals per 10,000 children",
        "c1 referral_count ÷ population",
        Unit.PER_10K,
        Polarity.NEITHER,
        Interval.POISSON,
        numerator=Measure("c1", "referral_count", REFERRALS),
        denominator=(POPULATION,),
    ),
    Comparator(
        "REREF_12M",
        "Re-referrals within 12 months",
        "c1 rereferral_percent",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("c1", "rereferral_percent", REFERRALS),
        numerator=Measure("c1", "rereferral_count", REFERRALS),
        denominator=(Measure("c1", "referral_count", REFERRALS),),
    ),
    Comparator(
        "REF_NFA",
        "Referrals with no further action",
        "c1 no_further_action_percent",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("c1", "no_further_action_percent", REFERRALS),
        numerator=Measure("c1", "no_further_action_count", REFERRALS),
        denominator=(Measure("c1", "referral_count", REFERRALS),),
    ),
    Comparator(
        "CIN_RATE",
        "Children in need per 10,000 at period end",
        "b1 At31_episodes ÷ population",
        Unit.PER_10K,
        Polarity.NEITHER,
        Interval.POISSON,
        numerator=Measure("b1", "At31_episodes", CHILDREN_IN_NEED),
        denominator=(POPULATION,),
    ),
    Comparator(
        "CPP_REPEAT",
        "Child protection plans for a second or subsequent time",
        "d3 CPP_subsequent_percent",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("d3", "CPP_subsequent_percent", REPEAT_PLANS),
        numerator=Measure("d3", "CPP_subsequent", REPEAT_PLANS),
        denominator=(Measure("d3", "CPP_start", REPEAT_PLANS),),
    ),
    Comparator(
        "CPP_OPEN_2Y",
        "Plans open at period end lasting 2 years or more",
        "d5 2_years_or_more_percent",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("d5", "2_years_or_more_percent", PLAN_LENGTH),
        numerator=Measure("d5", "2_years_or_more", PLAN_LENGTH),
        denominator=(Measure("d5", "CPP_At31", PLAN_LENGTH),),
    ),
    _cla_rate(
        "CLA_RATE",
        "Children looked after per 10,000 at period end",
        "cla_number_and_rate rate_per_10000",
        "Children looked after on 31 March each year",
    ),
    _share(
        "CLA_3PLUS",
        "Children looked after with three or more placements in the year",
        'placement_stability "With 3 or more placements during the year"',
        Polarity.LOWER,
        "placement_stability",
        ("children_percent", "children_count"),
        _placement(CLA_AT_31_MARCH, "With 3 or more placements during the year"),
        _placement(CLA_AT_31_MARCH, "Total children"),
    ),
    _share(
        "CLA_LT_STABLE",
        "Long-term placement stability",
        'placement_stability "Living with the same carer for at least 2 years"',
        Polarity.HIGHER,
        "placement_stability",
        ("children_percent", "children_count"),
        _placement(LONG_TERM, "Living with the same carer for at least 2 years"),
        _placement(LONG_TERM, "Total children"),
    ),
    _share(
        "CL_EET",
        "Care leavers aged 19–21 in education, employment or training",
        'care_leavers_activity 19–21 "Total in education, employment or training"',
        Polarity.HIGHER,
        "care_leavers_activity",
        ("care_leaver_percent", "care_leaver_count"),
        _leavers("Total in education, employment or training"),
        _leavers("Total"),
    ),
    _share(
        "CL_SUITABLE",
        "Care leavers aged 19–21 in suitable accommodation",
        'care_leavers_accommodation 19–21 "Accommodation considered suitable"',
        Polarity.HIGHER,
        "care_leavers_accommodation",
        ("care_leaver_percent", "care_leaver_count"),
        _leavers("Accommodation considered suitable"),
        _leavers("Suitability total"),
    ),
    _cla_rate(
        "CLA_START_RATE",
        "Children starting to be looked after per 10,000",
        'cla_number_and_rate_per_10k_children: population_type "Children starting to be looked '
        'after each year", rate_per_10000',
        "Children starting to be looked after each year",
    ),
    _share(
        "CLA_SCHOOL_MOVE",
        "Looked after with a mid-year school move",
        'la_cla_school_moves: cla_group "CLA on 31 March", move_measure "Mid-year moves", '
        'school_stability "With one or more mid-year moves during the year", percentage',
        Polarity.LOWER,
        "cla_school_moves",
        ("percentage", "number"),
        _moves(MID_YEAR_MOVES),
        _moves("Total children"),
    ),
    Comparator(
        "CLA_SDQ",
        "Average SDQ score",
        'la_conviction_health_outcome_cla: "Ages 5 to 16 years with SDQ score" / "SDQ average '
        'score", value in children_count',
        Unit.MEAN,
        Polarity.LOWER,
        Interval.NORMAL,
        value=Measure(
            "cla_health",
            "children_count",
            {"characteristic": SDQ, "breakdown": "SDQ average score"},
        ),
        bounds=(0.0, 40.0),  # the SDQ's total difficulties score
    ),
    Comparator(
        "ADOPT_DECISION_MATCH",
        "Decision to place for adoption to match",
        'national_cla_adopted_average_time_between_adoption_process_stages: cla_group "Age on '
        'starting final period of care", stage_of_adoption_process "2. Average time between '
        'decision that child should be placed for adoption and matching of child and adopters", '
        'age_start_poc "Total", number yy:mm as yy × 12 + mm months (England only)',
        Unit.DAYS,
        Polarity.LOWER,
        Interval.NONE,
        # Published in years and months (read as months); days = months × 365.25 / 12.
        value=Measure(
            "adoption_stages",
            "number",
            {
                "cla_group": "Age on starting final period of care",
                "stage_of_adoption_process": DECISION_TO_MATCH,
                "age_start_poc": "Total",
            },
            factor=DAYS_PER_MONTH,
        ),
        england_only=True,
    ),
    _share(
        "CL_EET_17_18",
        "Care leavers aged 17–18 in education, employment or training",
        'la_care_leavers_activity: care_leaver_age "17 to 18 years", breakdown "Total in '
        'education, employment or training", care_leaver_percent',
        Polarity.HIGHER,
        "care_leavers_activity",
        ("care_leaver_percent", "care_leaver_count"),
        _leavers("Total in education, employment or training", LEAVERS_17_18),
        _leavers("Total", LEAVERS_17_18),
    ),
    _share(
        "CL_SUITABLE_17_18",
        "Care leavers aged 17–18 in suitable accommodation",
        'la_care_leavers_accommodation_suitability: care_leaver_age "17 to 18 years", breakdown '
        '"Accommodation considered suitable", care_leaver_percent',
        Polarity.HIGHER,
        "care_leavers_accommodation",
        ("care_leaver_percent", "care_leaver_count"),
        _leavers("Accommodation considered suitable", LEAVERS_17_18),
        _leavers("Suitability total", LEAVERS_17_18),
    ),
    _share(
        "CLA_SW3PLUS",
        "Looked after with 3 or more social workers in 12 months",
        'la_cla_swcount: cla_group "CLA on 31 March", sw_stability "3 or more social workers '
        'during the year", percentage',
        Polarity.LOWER,
        "cla_swcount",
        ("percentage", "number"),
        _workers("3 or more social workers during the year"),
        _workers("Total children"),
    ),
    Comparator(
        "SW_AGENCY",
        "Agency social workers",
        "csww agency_rate_fte",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("csww", "agency_rate_fte"),
        numerator=Measure("csww", "agency_fte"),
        denominator=(Measure("csww", "agency_fte"), Measure("csww", "inpost_fte")),
    ),
    Comparator(
        "SW_TURNOVER",
        "Social worker turnover",
        "csww turnover_rate_fte",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.POISSON,
        value=Measure("csww", "turnover_rate_fte"),
        numerator=Measure("csww", "leavers_fte"),
        denominator=(Measure("csww", "inpost_fte"),),
    ),
    Comparator(
        "SW_VACANCY",
        "Social worker vacancies",
        "csww vacancy_rate_fte",
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure("csww", "vacancy_rate_fte"),
        numerator=Measure("csww", "vacancy_fte"),
        denominator=(Measure("csww", "vacancy_fte"), Measure("csww", "inpost_fte")),
    ),
    Comparator(
        "SW_CASELOAD",
        "Average caseload",
        "csww caseload_fte",
        Unit.RATIO,
        Polarity.LOWER,
        Interval.NONE,
        value=Measure("csww", "caseload_fte"),
        numerator=Measure("csww", "cases"),
        denominator=(Measure("csww", "case_holders_fte"),),
    ),
)

FACTOR_CODES = tuple(factors()["indicator"])
COMPARATORS += tuple(
    _factor(row.indicator, row.c3_column, row.factor) for row in factors().itertuples(index=False)
)

BY_CODE: dict[str, Comparator] = {c.code: c for c in COMPARATORS}

# Indicators whose DfE comparator is a table the package does not bundle, and which one: they
# have no published benchmark (INDICATORS-FRAMEWORK.md marks these files "nb").
_ABSENT = "is not bundled"
NOT_BUNDLED: dict[str, str] = {
    "ICPC_15WD": "DfE's c4 table (initial conferences by days from S47 start) is not bundled",
    "UASC_START_RATE": f"la_children_who_started_to_be_looked_after_during_the_year {_ABSENT}",
    "UASC_END_RATE": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_FOSTER": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_RESI": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_SUPPORTED": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_20MILES": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_CEASE_SGO": f"la_children_who_ceased_during_the_year {_ABSENT}",
    "CLA_CEASE_CAO": f"la_children_who_ceased_during_the_year {_ABSENT}",
    "S47_ICPC": f"c4_children_in_need_section_47s_and_icpcs {_ABSENT}",
    "SW_ETHNIC_MINORITY": f"csww_role_by_characteristics_inpost_2019_to_2025 {_ABSENT}",
}


def no_benchmark_reason(code: str) -> str | None:
    """Why an indicator has no published benchmark (None when it has one)."""
    if code in BY_CODE:
        return None
    return NOT_BUNDLED.get(code, "DfE publishes no comparator for it")


def comparator_for(code: str) -> Comparator:
    """The published comparator of an indicator; KeyError naming those that have one."""
    try:
        return BY_CODE[code]
    except KeyError:
        known = ", ".join(sorted(BY_CODE))
        raise KeyError(f"no published comparator for {code!r}; mapped: {known}") from None


def parts_table(comparators: tuple[Comparator, ...] = COMPARATORS) -> pd.DataFrame:
    """One row per (indicator, role, measure): the rows of the tidy table each comparator reads."""
    rows = [
        {
            "code": c.code,
            "role": role,
            "dataset": m.dataset,
            "measure": m.measure,
            "filters": filters_key(m.filters),
            "factor": m.factor,
        }
        for c in comparators
        for role, m in c.parts
    ]
    parts = pd.DataFrame(rows)
    parts["parts"] = parts.groupby(["code", "role"])["measure"].transform("size")
    return parts
