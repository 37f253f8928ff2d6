"""bench/basket_profile.py times each indicator of a basket and sums them by family (the
seconds are not checked; the rows and the sums are)."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.bench.conftest import load_bench
from tests.conftest import DATA

from cscmonitor.ingest import ingest

# A 903, a CIN census and a workforce return of LA 999; no early help return.
HELD = [DATA / "placements", DATA / "ingest" / "cin", DATA / "ingest" / "workforce"]


def test_each_indicator_is_timed_once_and_the_families_add_up(settings, capsys):
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "CLA_FOSTER", "CIN_RATE", "AF_NEGLECT", "SW_AGENCY"]
    # EH_REREF reads the early help return, which no LA holds: as in `compute`, not queried.
    assert bench.main([*codes, "EH_REREF", "--warehouse", str(settings.warehouse_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    indicators = lines[2 : lines.index("")]  # the first table, after its header and rule
    timed = [line.split("|")[1].strip() for line in indicators]
    assert sorted(timed) == sorted(codes)
    families = {
        cells[0]: int(cells[1])
        for line in lines
        if line.startswith("| ")
        and (cells := [c.strip() for c in line.strip("|").split("|")])
        and cells[1].isdigit()
    }
    assert families == {
        "assessment factors": 1,
        "children looked after": 2,
        "referrals, assessments and plans": 1,
        "other": 1,
        "all": 5,
    }
    # Only LA 111, which holds no return: nothing is queried, and the sums are nil.
    assert bench.main([*codes, "--warehouse", str(settings.warehouse_dir), "--las", "111"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "" and "| all | 0 | 0.0 | |" in lines


def test_operators_are_summed_by_kind_and_by_indicator(settings, capsys):
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "SW_AGENCY"]
    argv = [*codes, "--warehouse", str(settings.warehouse_dir), "--operators"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    kinds, pairs = out.split("| operator | seconds | share |")[1].split("| operator | indicator |")
    # Every query scans a table and groups its rows by LA and period.
    shown = {line.split("|")[1].strip() for line in kinds.splitlines() if line.startswith("| ")}
    assert {"TABLE_SCAN", "HASH_GROUP_BY"} <= shown
    named = {line.split("|")[2].strip() for line in pairs.splitlines()[2:] if line.startswith("| ")}
    assert named == set(codes)


@pytest.mark.spark
def test_on_spark_each_query_is_split_into_its_planning_and_its_run(settings, capsys):
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    ingest(HELD, settings, la_code="999")
    bench = load_bench("basket_profile")
    codes = ["CLA_3PLUS", "SW_AGENCY"]
    argv = [*codes, "--warehouse", str(settings.warehouse_dir), "--backend", "pyspark"]
    assert bench.main([*argv, "--las", "999", "--operators"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "| indicator | build | compile | plan | run | total |"
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2 : lines.index("")]]
    assert sorted(row[0] for row in rows) == sorted(codes)
    # Each total is the sum of its four parts, as printed to two places.
    for row in rows:
        parts = [float(cell) for cell in row[1:5]]
        assert abs(sum(parts) - float(row[5])) <= 0.03
    # --operators: Spark's timers from the executed plans, by kind (no shares: they
    # overlap) and by indicator; every query runs whole stages of generated code.
    kinds, pairs = out.split("| operator | seconds |\n")[1].split("| operator | indicator |")
    shown = {line.split("|")[1].strip() for line in kinds.splitlines() if line.startswith("| ")}
    assert "WholeStageCodegen: duration" in shown
    assert all(" time" in kind or "duration" in kind for kind in shown)
    named = {line.split("|")[2].strip() for line in pairs.splitlines()[2:] if line.startswith("| ")}
    assert named == set(codes)
    assert bench.SPARK_OVERLAP in out


class _Scala:
    """The little of py4j's view of Scala that SparkTimers calls: sequences, options, maps."""

    def __init__(self, items=(), value=None):
        self.items, self.value = list(items), value

    def iterator(self):
        items = iter(self.items)
        sentinel = object()
        state = {"next": next(items, sentinel)}

        class It:
            def hasNext(_):
                return state["next"] is not sentinel

            def next(_):
                found, state["next"] = state["next"], next(items, sentinel)
                return found

        return It()

    def isDefined(self):
        return self.value is not None

    def get(self):
        return self.value

    def _2(self):
        return self.value


class _Metric:
    def __init__(self, id, name, kind, value):
        self._id, self._name, self._kind, self.value_ = id, name, kind, value

    def id(self):
        return self._id

    def name(self):
        return _Scala(value=self._name)

    def metricType(self):
        return self._kind

    def value(self):
        return self.value_


class _Node:
    def __init__(self, name, metrics=(), children=(), **beneath):
        self.name, self.metric_list, self.kids, self.beneath = name, metrics, children, beneath
        self.getClass = lambda: type("C", (), {"getSimpleName": lambda _: name})()

    def metrics(self):
        return _Scala(_Scala(value=metric) for metric in self.metric_list)

    def children(self):
        return _Scala(self.kids)

    def subqueries(self):
        return _Scala(self.beneath.get("subqueries", ()))

    def __getattr__(self, attr):  # executedPlan, plan, relation, cachedPlan, child
        return lambda: self.beneath[attr]


def test_spark_timers_count_a_cached_plan_once_against_the_query_that_made_it():
    bench = load_bench("basket_profile")
    # A cached intermediate: a whole stage of 4,000 ms holding an aggregation of 1,500 ms,
    # and a shuffle write of 2 s in nanoseconds; rows (a sum, not a timer) are not times.
    aggregate = _Metric(1, "time in aggregation build", "timing", 1500)
    cached = _Node(
        "WholeStageCodegenExec",
        [_Metric(2, "duration", "timing", 4000)],
        [_Node("HashAggregateExec", [aggregate, _Metric(3, "rows", "sum", 10**6)])],
    )
    written = _Metric(4, "shuffle write time", "nsTiming", 2 * 10**9)
    shuffle = _Node("ShuffleExchangeExec", [written])
    relation = _Node("InMemoryRelation", cachedPlan=cached)

    def query(id, ms):  # a query reading the cache and a reused exchange under its stages
        scan = _Node("InMemoryTableScanExec", relation=relation)
        reused = _Node("ReusedExchangeExec", child=shuffle)
        top = _Node("SortExec", [_Metric(id, "sort time", "timing", ms)], [scan, reused])
        stage = _Node("ResultQueryStageExec", plan=top)
        return _Node("AdaptiveSparkPlanExec", executedPlan=stage)

    operators = Counter()
    timers = bench.SparkTimers(operators)
    timers.add(query(10, 250), "FIRST")
    # The second reads the same cache and exchange; its own sort is all it adds, and the
    # cached aggregation's later gain of 500 ms (say, a partition recomputed) is its.
    aggregate.value_ = 2000
    timers.add(query(11, 750), "SECOND")
    assert operators == {
        ("WholeStageCodegen: duration", "FIRST"): 4.0,
        ("HashAggregate: time in aggregation build", "FIRST"): 1.5,
        ("ShuffleExchange: shuffle write time", "FIRST"): 2.0,
        ("Sort: sort time", "FIRST"): 0.25,
        ("Sort: sort time", "SECOND"): 0.75,
        ("HashAggregate: time in aggregation build", "SECOND"): 0.5,
    }
