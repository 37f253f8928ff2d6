"""The rule engine: a rule that fails becomes one "could not check" problem; the rest still run."""

from __future__ import annotations

import pytest

from cscmonitor.returns.checks import RULES, Rule, register, run
from cscmonitor.returns.checks.rule import RULES as REGISTRY
from cscmonitor.returns.issues import Severity
from tests.returns.conftest import make_return

BROKEN = Rule(
    "TEST_BROKEN",
    "ssda903",
    Severity.ERROR,
    "never shown",
    ("cla_episodes",),
    "SELECT _location, 'DEC' AS field, CAST('x' AS DATE) AS value FROM cla_episodes",
)


def test_a_rule_that_fails_is_reported_and_the_others_run():
    parsed = make_return(
        "ssda903",
        2016,
        {
            "cla_episodes": [
                {
                    "_location": "row 2",
                    "child_id": "C1",
                    "decom": "2015-05-01",
                    "dec": "2015-04-01",
                    "rec": "E4A",
                }
            ]
        },
    )
    found = run(parsed, [BROKEN, RULES["CLA_DEC_BEFORE_DECOM"]]).table.to_pylist()
    assert [(p["rule"], p["location"], p["severity"]) for p in found] == [
        ("TEST_BROKEN", "file", "warning"),
        ("CLA_DEC_BEFORE_DECOM", "row 2", "error"),
    ]
    assert found[0]["message"].startswith("could not check TEST_BROKEN: ")
    assert found[0]["file"] == "cla_episodes.csv"


def test_rules_register_through_the_same_door_as_the_built_in_ones():
    extra = Rule(
        "TEST_EXTRA",
        "early_help",
        Severity.WARNING,
        "m",
        ("eh_episodes",),
        "SELECT _location, 'X' AS field, '' AS value FROM eh_episodes WHERE false",
    )
    register(extra)
    try:
        assert RULES["TEST_EXTRA"] is extra
        with pytest.raises(ValueError, match="two rules with code TEST_EXTRA"):
            register(extra)
    finally:
        del REGISTRY["TEST_EXTRA"]


def test_absent_tables_are_empty_not_an_error():
    parsed = make_return("cin", 2016, {})
    assert len(run(parsed)) == 0


def test_message_placeholders_become_sql():
    rule = Rule("T", "cin", Severity.ERROR, "it's {a} and {b}", ("x",), "SELECT 1")
    assert rule.message_sql() == (
        "concat('it''s ', coalesce(CAST(r.\"a\" AS VARCHAR), 'blank'), ' and ', "
        "coalesce(CAST(r.\"b\" AS VARCHAR), 'blank'))"
    )


def test_rules_a_few_to_a_query_find_what_one_query_finds(monkeypatch: pytest.MonkeyPatch):
    """Episodes with three rules' problems: the rules grouped one, two or all to a query
    list the same problems in the same order, and count the same ones not listed (cap 1)."""
    from cscmonitor.returns.checks import rule as engine

    parsed = make_return(
        "ssda903",
        2016,
        {
            "cla_episodes": [
                # C1: ends before it starts (CLA_DEC_BEFORE_DECOM), twice: one listed.
                {"_location": "row 2", "child_id": "C1", "decom": "2015-05-01",
                 "dec": "2015-04-01", "rec": "E4A"},
                {"_location": "row 3", "child_id": "C1", "decom": "2015-08-01",
                 "dec": "2015-07-01", "rec": "E4A"},
                # C2: REC given with no DEC (CLA_REC_WITHOUT_DEC).
                {"_location": "row 4", "child_id": "C2", "decom": "2015-06-01", "rec": "X1"},
            ]
        },
    )  # fmt: skip
    codes = ("CLA_REC_WITHOUT_DEC", "CLA_DEC_BEFORE_DECOM", "CLA_X1_NOT_CHAINED")
    chosen = [RULES[c] for c in codes]
    found = []
    for size in (1, 2, 100):
        monkeypatch.setattr(engine, "RULES_PER_QUERY", size)
        problems = run(parsed, chosen, cap=1)
        found.append((problems.table.to_pylist(), problems.counts()))
    assert found[0] == found[1] == found[2]
    rules = [(p["rule"], p["location"]) for p in found[0][0]]
    assert ("CLA_DEC_BEFORE_DECOM", "row 2") in rules and ("CLA_REC_WITHOUT_DEC", "row 4") in rules
    assert ("CLA_DEC_BEFORE_DECOM", "row 3") not in rules  # past the cap: counted only
