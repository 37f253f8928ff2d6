"""`cscmonitor indicators`: a framework column, and the list grouped by outcome and enabler."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.indicators.framework import BENCHMARK_ONLY, Framework
from cscmonitor.indicators.registry import all_indicators, by_framework

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, ["indicators", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_list_has_each_indicators_framework_tag():
    rows = json.loads(_run("--format", "json"))
    assert {r["code"]: r["framework"] for r in rows} == {
        i.code: str(i.framework.framework) for i in all_indicators()
    }
    assert next(r for r in rows if r["code"] == "CPP_REPEAT")["framework"] == "safe"


def test_grouped_by_framework_every_measure_is_under_its_outcome_in_order():
    rows = list(csv.DictReader(io.StringIO(_run("--by", "framework", "--format", "csv"))))
    # Every indicator and every benchmark-only measure, once.
    assert sorted(r["code"] for r in rows) == sorted(
        [i.code for i in all_indicators()] + [p.code for p in BENCHMARK_ONLY]
    )
    # Groups come in the Framework's order, each as one run of rows.
    runs = [
        r["group_code"]
        for n, r in enumerate(rows)
        if n == 0 or rows[n - 1]["group_code"] != r["group_code"]
    ]
    order = [str(f) for f in Framework]
    assert runs == sorted(set(runs), key=order.index)  # no group twice, none out of order
    by_code = {r["code"]: r for r in rows}
    assert by_code["CLA_3PLUS"]["group"] == Framework.STABLE_HOMES.label
    assert by_code["CLA_3PLUS"]["dashboard"] == "#45"
    assert by_code["OFSTED_LEADERSHIP"]["group_code"] == "leaders"
    assert by_code["OFSTED_LEADERSHIP"]["kind"] == "published only"
    assert by_code["OFSTED_LEADERSHIP"]["dashboard"] == "#59–62"
    # A measure the dashboard lacks says why it is where it is.
    assert "#41" in by_code["CLA_MISSING"]["why"]


def test_the_grouped_table_has_one_table_per_group_and_names_the_empty_ones():
    text = _run("--by", "framework")
    shown = [f for f in Framework if f.label in text]
    # Multi-agency working has no computed or published measure yet; Outcome 3 has the two
    # ways of ceasing care into the family network (CLA_CEASE_SGO, CLA_CEASE_CAO).
    empty = text.split("No measure yet: ")[1]
    assert Framework.MULTI_AGENCY.label in empty
    assert Framework.FAMILY_NETWORK.label not in empty
    assert "CLA_CEASE_SGO" in text
    assert set(shown) == set(Framework)


def test_grouped_by_domain():
    rows = json.loads(_run("--by", "domain", "--format", "json"))
    assert rows[0]["group_code"] == "referrals"
    assert {r["group_code"] for r in rows} == {str(i.domain) for i in all_indicators()}


def test_reports_group_their_own_items_by_the_indicator_each_names():
    panels = [("SW_AGENCY", "a"), ("CIN_RATE", "b"), ("CLA_3PLUS", "c"), ("REREF_12M", "d")]
    groups = by_framework(panels, lambda p: p[0])
    assert groups == [
        (Framework.STAY_TOGETHER, [("CIN_RATE", "b"), ("REREF_12M", "d")]),
        (Framework.STABLE_HOMES, [("CLA_3PLUS", "c")]),
        (Framework.WORKFORCE, [("SW_AGENCY", "a")]),
    ]
