"""The National Framework tags: every indicator and benchmark-only measure sits under the outcome
or enabler DfE's dashboard puts it, read here from the bundled list independently."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from cscmonitor.indicators.framework import (
    BENCHMARK_ONLY,
    Framework,
    Kind,
    Tag,
    dashboard,
    dashboard_measures,
    grouped,
    serves,
)
from cscmonitor.indicators.registry import (
    REGISTRY,
    Domain,
    Measure,
    Polarity,
    Source,
    Unit,
    all_indicators,
    indicator,
)


def _csv_rows() -> dict[int, str]:
    """Row number -> the dashboard's own outcome or enabler text, straight from the file."""
    path = resources.files("cscmonitor").joinpath(
        "data", "framework", "dfe_csc_dashboard_metrics.csv"
    )
    return {
        int(r["sort_order"]): r["accordion_text"]
        for r in csv.DictReader(path.open(encoding="utf-8"))
    }


def test_every_dashboard_measure_sits_under_the_outcome_or_enabler_the_dashboard_names():
    rows = _csv_rows()
    measures = dashboard_measures()
    assert [m.row for m in measures] == list(range(1, 69))
    for m in measures:
        # "Outcome 2: Children and young people are safe …" or "Enabler: Leaders drive …"
        assert rows[m.row] == m.framework.label
    # Every outcome and enabler but multi-agency working has a dashboard measure.
    assert {m.framework for m in measures} == set(Framework) - {Framework.MULTI_AGENCY}


def test_outcomes_are_numbered_as_the_dashboard_numbers_them():
    assert Framework.SAFE.label.startswith("Outcome 2: ")
    assert Framework.FAMILY_NETWORK.label.startswith("Outcome 3: ")
    assert [f.kind for f in Framework].count(Kind.OUTCOME) == 4
    assert [f.kind for f in Framework].count(Kind.ENABLER) == 3
    assert all(f.description for f in Framework)


def test_every_registered_indicator_is_tagged():
    for ind in all_indicators():
        assert isinstance(ind.framework, Tag), ind.code
        assert ind.framework.why, ind.code


def test_an_indicator_citing_a_dashboard_row_sits_where_the_file_puts_that_row():
    rows = _csv_rows()
    cited = [i for i in all_indicators() if i.framework.row is not None]
    for ind in cited:
        assert rows[ind.framework.row] == ind.framework.framework.label, ind.code
    # The dashboard measures computed today: INDICATORS-FRAMEWORK.md's "Already defined" and
    # the measures it defines (the seventeen factors at assessment are rows 26–42, in the
    # dashboard's order, which is not the census's).
    factors = [
        "AF_DA_CHILD",
        "AF_DA_PARENT",
        "AF_DA_PERSON",
        "AF_EMOTIONAL",
        "AF_FAITH",
        "AF_NEGLECT",
        "AF_PHYS_ADULT",
        "AF_PHYS_CHILD",
        "AF_PHYS_UNKNOWN",
        "AF_SEX_ADULT",
        "AF_SEX_CHILD",
        "AF_SEX_UNKNOWN",
        "AF_CCE",
        "AF_CSE",
        "AF_GANGS",
        "AF_MISSING",
        "AF_TRAFFICKING",
    ]
    assert {i.code: i.framework.row for i in cited} == {
        **{code: row for row, code in enumerate(factors, start=26)},
        "CLA_START_RATE": 3,
        "UASC_START_RATE": 5,
        "UASC_END_RATE": 6,
        "CLA_SCHOOL_MOVE": 7,
        "CLA_CEASE_SGO": 43,
        "CLA_CEASE_CAO": 44,
        "ADOPT_DECISION_MATCH": 47,
        "CLA_FOSTER": 48,
        "CLA_RESI": 49,
        "CLA_SUPPORTED": 50,
        "CLA_SDQ": 51,
        "CL_EET_17_18": 52,
        "CL_SUITABLE_17_18": 54,
        "CIN_RATE": 1,
        "REREF_12M": 2,
        "CLA_RATE": 4,
        "CPP_REPEAT": 23,
        "CPP_OPEN_2Y": 24,
        "CLA_3PLUS": 45,
        "CLA_20MILES": 46,
        "CL_EET": 53,
        "CL_SUITABLE": 55,
        "SW_TURNOVER": 63,
        "SW_AGENCY": 64,
        "SW_VACANCY": 65,
        "SW_CASELOAD": 66,
        "CLA_SW3PLUS": 67,
        "SW_ETHNIC_MINORITY": 68,
    }


def test_benchmark_only_measures_are_the_dashboards_published_rows():
    rows = _csv_rows()
    for published in BENCHMARK_ONLY:
        assert {rows[r] for r in published.rows} == {published.framework.label}, published.code
    # INDICATORS-FRAMEWORK.md's benchmark-only table: #8–22, #25, #56–62.
    held = sorted(r for p in BENCHMARK_ONLY for r in p.rows)
    assert held == [*range(8, 23), 25, *range(56, 63)]
    # No dashboard row is both computed and only published.
    assert not set(held) & {i.framework.row for i in all_indicators()}


def _register(code: str, **tag: Tag) -> None:
    indicator(
        code,
        "A test indicator",
        unit=Unit.PERCENT,
        polarity=Polarity.LOWER,
        source=Source.SSDA903,
        measure=Measure.PROPORTION,
        domain=Domain.LOOKED_AFTER,
        **tag,
    )(lambda tables, periods: periods)


def test_the_registry_refuses_an_indicator_without_a_tag_or_with_a_wrong_one():
    with pytest.raises(TypeError, match="framework"):
        _register("TEST_UNTAGGED")
    # #45 (three or more placements) is outcome 4's, not outcome 1's.
    with pytest.raises(ValueError, match=r"TEST_WRONG: the dashboard puts #45 .* under 'Outcome 4"):
        _register("TEST_WRONG", framework=dashboard(Framework.STAY_TOGETHER, 45))
    with pytest.raises(ValueError, match="TEST_BLANK: a framework tag cites"):
        _register("TEST_BLANK", framework=serves(Framework.SAFE, "  "))
    with pytest.raises(ValueError, match="TEST_BOTH: a framework tag cites"):
        _register("TEST_BOTH", framework=Tag(Framework.SAFE, row=23, reason="both"))
    with pytest.raises(KeyError, match="no measure #99"):
        _register("TEST_ROW", framework=dashboard(Framework.SAFE, 99))
    with pytest.raises(ValueError, match="TEST_PLAIN: framework= takes a framework tag"):
        _register("TEST_PLAIN", framework=Framework.SAFE)  # type: ignore[arg-type]
    assert not {c for c in REGISTRY if c.startswith("TEST_")}


def test_grouping_keeps_the_frameworks_order_and_each_groups_own_order():
    items = [("b", Framework.WORKFORCE), ("a", Framework.SAFE), ("c", Framework.SAFE)]
    assert grouped(items, lambda i: i[1]) == [
        (Framework.SAFE, [("a", Framework.SAFE), ("c", Framework.SAFE)]),
        (Framework.WORKFORCE, [("b", Framework.WORKFORCE)]),
    ]
    every = grouped(items, lambda i: i[1], keep_empty=True)
    assert [f for f, _ in every] == list(Framework)
    assert dict(every)[Framework.MULTI_AGENCY] == []
