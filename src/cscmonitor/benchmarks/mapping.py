"""Which published figure benchmarks which indicator: dataset, measure and filter values.

Each comparator names the published value, and the counts behind it (numerator and the
measures whose sum is the denominator), so a significance test and a pooled figure can be
made from published data. Filters list every filter column of the dataset, so one row per
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


@dataclass(frozen=True)
class Comparator:
    code: str
    title: str
    comparator: str  # as INDICATORS.md and the registry write it
    unit: Unit
    polarity: Polarity
    interval: Interval
    numerator: Measure
    denominator: tuple[Measure, ...]
    value: Measure | None = None  # None: value = numerator / denominator × scale

    @property
    def scale(self) -> float:
        return self.unit.scale

    @property
    def datasets(self) -> frozenset[str]:
        parts = [self.numerator, *self.denominator, *([self.value] if self.value else [])]
        return frozenset(p.dataset for p in parts)


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


def _leavers(row: str) -> dict[str, str]:
    return {"care_leaver_age": LEAVERS_19_21, "breakdown": row}


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
    Comparator(
        "CLA_RATE",
        "Children looked after per 10,000 at period end",
        "cla_number_and_rate rate_per_10000",
        Unit.PER_10K,
        Polarity.NEITHER,
        Interval.POISSON,
        value=Measure(
            "cla_rate",
            "rate_per_10000",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        numerator=Measure(
            "cla_rate",
            "children_count",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        denominator=(
            Measure(
                "cla_rate",
                "population_estimate",
                {"population_type": "Children looked after on 31 March each year"},
            ),
        ),
    ),
    Comparator(
        "CLA_3PLUS",
        "Children looked after with three or more placements in the year",
        'placement_stability "With 3 or more placements during the year"',
        Unit.PERCENT,
        Polarity.LOWER,
        Interval.WILSON,
        value=Measure(
            "placement_stability",
            "children_percent",
            _placement(CLA_AT_31_MARCH, "With 3 or more placements during the year"),
        ),
        numerator=Measure(
            "placement_stability",
            "children_count",
            _placement(CLA_AT_31_MARCH, "With 3 or more placements during the year"),
        ),
        denominator=(
            Measure(
                "placement_stability",
                "children_count",
                _placement(CLA_AT_31_MARCH, "Total children"),
            ),
        ),
    ),
    Comparator(
        "CLA_LT_STABLE",
        "Long-term placement stability",
        'placement_stability "Living with the same carer for at least 2 years"',
        Unit.PERCENT,
        Polarity.HIGHER,
        Interval.WILSON,
        value=Measure(
            "placement_stability",
            "children_percent",
            _placement(LONG_TERM, "Living with the same carer for at least 2 years"),
        ),
        numerator=Measure(
            "placement_stability",
            "children_count",
            _placement(LONG_TERM, "Living with the same carer for at least 2 years"),
        ),
        denominator=(
            Measure(
                "placement_stability", "children_count", _placement(LONG_TERM, "Total children")
            ),
        ),
    ),
    Comparator(
        "CL_EET",
        "Care leavers aged 19–21 in education, employment or training",
        'care_leavers_activity 19–21 "Total in education, employment or training"',
        Unit.PERCENT,
        Polarity.HIGHER,
        Interval.WILSON,
        value=Measure(
            "care_leavers_activity",
            "care_leaver_percent",
            _leavers("Total in education, employment or training"),
        ),
        numerator=Measure(
            "care_leavers_activity",
            "care_leaver_count",
            _leavers("Total in education, employment or training"),
        ),
        denominator=(Measure("care_leavers_activity", "care_leaver_count", _leavers("Total")),),
    ),
    Comparator(
        "CL_SUITABLE",
        "Care leavers aged 19–21 in suitable accommodation",
        'care_leavers_accommodation 19–21 "Accommodation considered suitable"',
        Unit.PERCENT,
        Polarity.HIGHER,
        Interval.WILSON,
        value=Measure(
            "care_leavers_accommodation",
            "care_leaver_percent",
            _leavers("Accommodation considered suitable"),
        ),
        numerator=Measure(
            "care_leavers_accommodation",
            "care_leaver_count",
            _leavers("Accommodation considered suitable"),
        ),
        denominator=(
            Measure(
                "care_leavers_accommodation", "care_leaver_count", _leavers("Suitability total")
            ),
        ),
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

BY_CODE: dict[str, Comparator] = {c.code: c for c in COMPARATORS}

# Indicators whose DfE comparator exists but whose table is not bundled yet, and why.
FACTOR_CODES = tuple(factors()["indicator"])
_LATER = "not mapped yet (National Framework benchmarks, issue #15 item 4)"
_ABSENT = "is not in the package's data/ees"
NOT_BUNDLED: dict[str, str] = {
    "ICPC_15WD": "c4 (initial conferences by days from S47 start) is not in reference/ees",
    "CLA_START_RATE": f"cla_number_and_rate, children starting to be looked after: {_LATER}",
    "CL_EET_17_18": f"la_care_leavers_activity, 17 to 18 years: {_LATER}",
    "CL_SUITABLE_17_18": f"la_care_leavers_accommodation_suitability, 17 to 18 years: {_LATER}",
    "UASC_START_RATE": f"la_children_who_started_to_be_looked_after_during_the_year {_ABSENT}",
    "UASC_END_RATE": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_FOSTER": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_RESI": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_SUPPORTED": f"la_cla_on_31_march_by_characteristics {_ABSENT}",
    "CLA_CEASE_SGO": f"la_children_who_ceased_during_the_year {_ABSENT}",
    "CLA_CEASE_CAO": f"la_children_who_ceased_during_the_year {_ABSENT}",
    "S47_ICPC": f"c4_children_in_need_section_47s_and_icpcs {_ABSENT}",
    "ADOPT_DECISION_MATCH": (
        f"national_cla_adopted_average_time_between_adoption_process_stages {_ABSENT}"
    ),
    "CLA_SDQ": f"la_conviction_health_outcome_cla {_ABSENT}",
    "CLA_SCHOOL_MOVE": f"la_cla_school_moves {_ABSENT}",
    **dict.fromkeys(FACTOR_CODES, f"c3_factors_identified_at_end_of_assessment {_ABSENT}"),
}


def comparator_for(code: str) -> Comparator:
    """The published comparator of an indicator; KeyError naming those that have one."""
    try:
        return BY_CODE[code]
    except KeyError:
        known = ", ".join(sorted(BY_CODE))
        raise KeyError(f"no published comparator for {code!r}; mapped: {known}") from None


def parts_table(comparators: tuple[Comparator, ...] = COMPARATORS) -> pd.DataFrame:
    """One row per (indicator, role, measure): the rows of the tidy table each comparator reads."""
    rows = []
    for c in comparators:
        roles = [("numerator", c.numerator)] + [("denominator", d) for d in c.denominator]
        if c.value is not None:
            roles.append(("value", c.value))
        rows += [
            {
                "code": c.code,
                "role": role,
                "dataset": m.dataset,
                "measure": m.measure,
                "filters": filters_key(m.filters),
            }
            for role, m in roles
        ]
    parts = pd.DataFrame(rows)
    parts["parts"] = parts.groupby(["code", "role"])["measure"].transform("size")
    return parts
