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


# Each child's episodes counted, prepared once for the rules that read it.
COUNTED = ("test_counted", "SELECT child_id, count(*) AS n FROM cla_episodes GROUP BY child_id")


def _episodes(*children: str):
    rows = [
        {"_location": f"row {i + 2}", "child_id": child, "decom": "2015-05-01"}
        for i, child in enumerate(children)
    ]
    return make_return("ssda903", 2016, {"cla_episodes": rows})


@pytest.mark.parametrize("materialise_rows", [500_000, 0])
def test_rules_read_the_tables_prepared_for_them(
    monkeypatch: pytest.MonkeyPatch, materialise_rows: int
):
    """C1 has two episodes and C2 one: the rule reading the prepared counts finds C1's two
    rows (the join gives each of C1's rows its count, 2), whether the counts are made once
    (a return of 3 rows, at most 500,000) or where the rule reads them (at most 0)."""
    monkeypatch.setattr("cscmonitor.returns.checks.rule.MATERIALISE_ROWS", materialise_rows)
    many = Rule(
        "TEST_MANY",
        "ssda903",
        Severity.WARNING,
        "{value} episodes",
        ("cla_episodes",),
        "SELECT e._location, 'CHILD' AS field, c.n AS value FROM cla_episodes e "
        "JOIN test_counted c USING (child_id) WHERE c.n > 1",
        prepared=(COUNTED,),
    )
    found = run(_episodes("C1", "C1", "C2"), [many]).table.to_pylist()
    assert [(p["location"], p["message"]) for p in found] == [
        ("row 2", "2 episodes"),
        ("row 3", "2 episodes"),
    ]


def test_a_prepared_table_that_fails_leaves_each_rule_reading_it_its_own_problem():
    """The child id C1 is no date: each rule reading the dates says it could not check,
    naming the value, as it would had it cast them itself; the other rule runs."""
    failing = ("test_failing", "SELECT CAST(child_id AS DATE) AS d FROM cla_episodes")
    reads = [
        Rule(
            f"TEST_READS_{n}",
            "ssda903",
            Severity.ERROR,
            "never shown",
            ("cla_episodes",),
            "SELECT 'file' AS _location, '' AS field, d AS value FROM test_failing",
            prepared=(failing,),
        )
        for n in (1, 2)
    ]
    found = run(_episodes("C1"), [*reads, RULES["CLA_DEC_BEFORE_DECOM"]]).table.to_pylist()
    assert [p["rule"] for p in found] == ["TEST_READS_1", "TEST_READS_2"]
    assert all("could not check" in p["message"] and "C1" in p["message"] for p in found)


def test_one_prepared_name_one_query():
    one = Rule("TEST_P1", "early_help", Severity.ERROR, "m", ("eh_episodes",), "SELECT 1",
               prepared=(("test_p", "SELECT 1"),))  # fmt: skip
    other = Rule("TEST_P2", "early_help", Severity.ERROR, "m", ("eh_episodes",), "SELECT 1",
                 prepared=(("test_p", "SELECT 2"),))  # fmt: skip
    with pytest.raises(ValueError, match="two queries for the prepared table test_p"):
        register(one, other)
    assert "TEST_P1" not in REGISTRY
