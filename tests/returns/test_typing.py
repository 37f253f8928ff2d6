"""Typing whole columns: dates in every form a return arrives in, numbers, booleans, code lists."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.codes import LISTS
from cscmonitor.returns.columns import Where, to_bool, to_date, to_number
from cscmonitor.returns.schema import Column, Kind, build, check_codes

D = dt.date


def where(n: int) -> Where:
    return Where("f.csv", "t", pa.array([f"row {i + 2}" for i in range(n)]))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01/02/2015", D(2015, 2, 1)),
        ("2015-02-01", D(2015, 2, 1)),
        ("1/2/2015", D(2015, 2, 1)),
        ("2015-2-1", D(2015, 2, 1)),
        (" 01/02/2015 ", D(2015, 2, 1)),
        ("01-02-2015", D(2015, 2, 1)),
        ("01.02.2015", D(2015, 2, 1)),
        ("2015/02/01", D(2015, 2, 1)),
        ("01/02/2015 00:00:00", D(2015, 2, 1)),  # Excel's midnight after a date
        ("2015-02-01 00:00:00", D(2015, 2, 1)),
        ("2015-02-01T13:45:00", D(2015, 2, 1)),
        ("01-Feb-2015", D(2015, 2, 1)),
        ("1 February 2015", D(2015, 2, 1)),
        ("42036", D(2015, 2, 1)),  # Excel's serial number for 1 February 2015
        ("29/02/2016", D(2016, 2, 29)),
    ],
)
def test_dates_in_the_forms_returns_arrive_in(text, expected):
    dates, problems = to_date(pa.array([text]), where=where(1), field="DOB")
    assert dates.to_pylist() == [expected]
    assert problems.num_rows == 0


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2015",  # no such day: never rolled over into March
        "29/02/2015",
        "2015-02-30",
        "01/02/15",  # a two-digit year could be 1915 or 2015
        "0015-01-01",  # a typing slip, not a date a record can hold
        "2215-01-01",
        "13/13/2015",
        "not a date",
        "123",  # too small to be an Excel date
        "9999999",
    ],
)
def test_text_that_is_not_a_date_is_blanked_and_listed(text):
    dates, problems = to_date(pa.array([None, text]), where=where(2), field="DOB")
    assert dates.to_pylist() == [None, None]
    assert problems.select(["location", "field", "value", "rule", "severity"]).to_pylist() == [
        {
            "location": "row 3",
            "field": "DOB",
            "value": text,
            "rule": "DATE_FORMAT",
            "severity": "error",
        }
    ]


def test_partial_dates_are_accepted_as_unknown_where_allowed():
    text = pa.array(["zz/zz/2015", "zz/06/2015", "ZZ/ZZ/2015", "zz/zz/15"])
    dates, problems = to_date(text, where=where(4), field="DATE_PERM", partial=True)
    assert dates.to_pylist() == [None] * 4
    assert problems["value"].to_pylist() == ["zz/zz/15"]


def test_numbers():
    ints, problems = to_number(
        pa.array(["3", " 4 ", "5.0", "5.5", "x", "", None, "99999999999999999999"]),
        pa.int64(),
        where=where(8),
        field="CASES",
    )
    assert ints.to_pylist() == [3, 4, 5, None, None, None, None, None]
    assert problems["value"].to_pylist() == ["5.5", "x", "99999999999999999999"]
    decimals, problems = to_number(
        pa.array([".5", "1.25", "-2"]), pa.float64(), where=where(3), field="FTE"
    )
    assert decimals.to_pylist() == [0.5, 1.25, -2.0]
    assert problems.num_rows == 0


def test_booleans_in_every_spelling():
    truth, problems = to_bool(
        pa.array(["true", "FALSE", "1", "0", "Y", "n", "yes", "No", "maybe", None]),
        where=where(10),
        field="ReferralNFA",
    )
    assert truth.to_pylist() == [True, False, True, False, True, False, True, False, None, None]
    assert problems["value"].to_pylist() == ["maybe"]


CODES = (
    Column("ID", "id", Kind.ID, key=True),
    Column("F", "factor", Kind.CODE, codes="assessment_factor"),
)


def typed_factors(values: list[str], year: int):
    cells = {"ID": pa.array(["a"] * len(values)), "F": pa.array(values)}
    typed = build(
        cells,
        CODES,
        file="f.xml",
        table="t",
        locations=where(len(values)).locations,
        ids=Pseudonymiser(b"k"),
    )
    return check_codes(typed, CODES, year=year, file="f.xml", table_name="t")


def test_codes_are_held_to_the_list_of_their_year():
    checked = typed_factors(["1a", "24A", "QQ", "18B"], 2020)
    # Upper-cased; 24A is a code from 2022 and 18B from 2021 (kept, warned); QQ is no code
    # (blanked, error).
    assert checked.table["factor"].to_pylist() == ["1A", "24A", None, "18B"]
    found = checked.problems.table.select(["location", "value", "rule", "severity"]).to_pylist()
    assert sorted(found, key=lambda p: p["location"]) == [
        {"location": "row 3", "value": "24A", "rule": "CODE_YEAR", "severity": "warning"},
        {"location": "row 4", "value": "QQ", "rule": "CODE_UNKNOWN", "severity": "error"},
        {"location": "row 5", "value": "18B", "rule": "CODE_YEAR", "severity": "warning"},
    ]
    # 18A stays valid after 18B/18C came in (the schema kept it); 8A went after 2017-18.
    assert "18A" in LISTS["assessment_factor"].valid_in(2025)
    assert "8A" not in LISTS["assessment_factor"].valid_in(2019)


def test_years_outside_the_guides_accept_any_known_code():
    checked = typed_factors(["24A", "18A"], 2013)
    assert checked.problems.table.num_rows == 0


def test_code_list_years():
    sex = LISTS["cin_sex"]
    assert sex.valid_in(2024) == ["0", "1", "2", "9"]
    assert sex.valid_in(2025) == ["F", "M", "U"]
    assert LISTS["closure_reason"].years("RC9") == "2023 onwards"
    assert "RC9" not in LISTS["closure_reason"].valid_in(2022)


def test_a_key_that_cannot_be_read_rejects_the_row_and_says_why():
    columns = (
        Column("CHILD", "child_id", Kind.ID, key=True),
        Column("DECOM", "decom", Kind.DATE, key=True),
        Column("RNE", "rne", Kind.CODE, required=True),
    )
    cells = {
        "CHILD": pa.array(["a", "", "c"]),
        "DECOM": pa.array(["01/02/2015", "01/02/2015", "31/02/2015"]),
        "RNE": pa.array(["S", "S", ""]),
    }
    typed = build(
        cells,
        columns,
        file="f.csv",
        table="t",
        locations=where(3).locations,
        ids=Pseudonymiser(b"k"),
    )
    assert (typed.rows_read, typed.table.num_rows, typed.rows_rejected) == (3, 1, 2)
    found = {(p["location"], p["field"], p["rule"]) for p in typed.problems.table.to_pylist()}
    assert found == {
        ("row 3", "CHILD", "KEY_MISSING"),
        ("row 4", "DECOM", "DATE_FORMAT"),
        ("row 4", "DECOM", "KEY_MISSING"),
        ("row 4", "RNE", "VALUE_MISSING"),
    }


def test_a_missing_column_is_one_problem_not_one_per_row():
    columns = (
        Column("CHILD", "child_id", Kind.ID, key=True),
        Column("SEX", "sex", Kind.CODE, required=True),
    )
    typed = build(
        {"CHILD": pa.array(["a", "b"])},
        columns,
        file="f.csv",
        table="t",
        locations=where(2).locations,
        ids=Pseudonymiser(b"k"),
    )
    assert typed.table.num_rows == 2
    assert [(p["location"], p["field"], p["rule"]) for p in typed.problems.table.to_pylist()] == [
        ("file", "SEX", "COLUMN_MISSING")
    ]
