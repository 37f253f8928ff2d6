"""Each year's SSDA903 as it is: the code lists by year (data/returns/code_lists.csv) and the
2026-27 deprivation of liberty orders table (tests/data/dolo, LA 999)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from cscmonitor.ingest import ingest
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.codes import CHECKED_YEARS, LISTS
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

D = dt.date


@pytest.mark.parametrize(
    ("code", "year", "valid"),
    [
        ("K3", 2024, False),  # registered supported accommodation: new in 2024-25
        ("K3", 2025, True),
        ("H5", 2025, True),  # still valid beside K3 in 2024-25
        ("H5", 2026, False),
        ("P2", 2026, False),
        ("Z1", 2025, True),
        ("Z1", 2026, False),
        ("Z11", 2025, False),  # Z11–Z14 replace Z1 from 2025-26
        ("Z11", 2026, True),
        ("Z14", 2027, True),
    ],
)
def test_placement_codes_by_year(code, year, valid):
    assert (code in LISTS["placement"].valid_in(year)) is valid
    assert code in LISTS["placement"].known()


def test_903_sex_is_m_f_u_from_2024_25():
    sex = LISTS["cla_sex"]
    assert sex.valid_in(2024) == ["1", "2"]
    assert sex.valid_in(2025) == ["F", "M", "U"]


def test_the_checked_years_reach_2026_27():
    assert 2027 in CHECKED_YEARS


def ids(*names: str) -> dict[str, str]:
    found = Pseudonymiser(b"test-key-not-secret").column(pa.array(names)).to_pylist()
    return dict(zip(found, names, strict=True))


@pytest.mark.parametrize(
    ("folder", "expected", "warned"),
    [
        # 2025-26: M1 placed H5 (last valid in 2024-25; DfE's validator lets it through
        # across the boundary), M2 placed Z11 (new in 2025-26).
        (DATA / "dolo" / "2026", {"M1": "H5", "M2": "Z11"}, ["H5"]),
        # 2024-25: D4 placed K3 (new in 2024-25).
        (DATA / "placement_distance", {"D4": "K3"}, []),
    ],
)
def test_codes_of_their_year_load_and_other_years_codes_load_with_a_warning(
    settings, folder, expected, warned
):
    report = ingest([folder], settings, la_code="999")
    episodes = Warehouse(settings.warehouse_dir).read("cla_episodes").to_pylist()
    names = ids(*expected)
    placed = {names[e["child_id"]]: e["place"] for e in episodes if e["child_id"] in names}
    assert placed == expected
    on_place = [p for p in report.problems.items if p.field == "PLACE"]
    assert [(p.rule, str(p.severity), p.value) for p in on_place] == [
        ("CODE_YEAR", "warning", code) for code in warned
    ]


def test_a_2026_27_return_loads_its_deprivation_of_liberty_orders(settings):
    report = ingest([DATA / "dolo" / "2027"], settings, la_code="999")
    orders = Warehouse(settings.warehouse_dir).read("cla_dolo")
    assert orders.column_names == [
        "la_code",
        "child_id",
        "birth_date",
        "dolo_start",
        "dolo_end",
        "return_year",
    ]
    names = ids("L1", "L2", "L3", "L4", "L6", "L7")
    rows = sorted(
        (names[r["child_id"]], r["dolo_start"], r["dolo_end"]) for r in orders.to_pylist()
    )
    assert rows == [
        ("L1", D(2026, 5, 1), None),
        ("L2", D(2026, 5, 1), D(2026, 8, 1)),
        ("L3", D(2026, 4, 1), D(2026, 6, 15)),
        ("L3", D(2026, 6, 20), None),
        ("L4", D(2026, 5, 1), None),
        ("L6", D(2026, 5, 1), None),
        ("L7", D(2026, 6, 1), D(2027, 3, 31)),
    ]
    assert set(orders["birth_date"].to_pylist()) == {D(2012, 1, 1)}
    assert set(orders["return_year"].to_pylist()) == {2027}
    assert not [p for p in report.problems.items if p.table == "cla_dolo"]


def test_deprivation_of_liberty_orders_are_checked(settings, tmp_path):
    folder = tmp_path / "903"
    folder.mkdir()
    for name in ("header.csv", "episodes.csv"):
        (folder / name).write_bytes((DATA / "dolo" / "2027" / name).read_bytes())
    (folder / "dolo.csv").write_text(
        "CHILD,DOB,DOLO_START,DOLO_END\n"
        "L1,01/01/2012,01/05/2026,30/04/2026\n"  # ends before it starts
        "L2,01/01/2012,not a date,\n"  # no start: the row cannot be placed
        "Q9,01/01/2012,01/05/2026,\n"  # a child the Header does not have
        "L3,01/01/2012,01/05/2026,31/02/2027\n"  # no such day: loaded with no end
    )
    report = ingest([folder], settings, la_code="999")
    found = {(p.location, p.field, p.rule) for p in report.problems.items if p.table == "cla_dolo"}
    assert found == {
        ("row 2", "DOLO_END", "CLA_DOLO_END_BEFORE_START"),
        ("row 3", "DOLO_START", "DATE_FORMAT"),
        ("row 3", "DOLO_START", "KEY_MISSING"),
        ("row 4", "CHILD", "CLA_DOLO_WITHOUT_HEADER"),
        ("row 5", "DOLO_END", "DATE_FORMAT"),
    }
    assert Warehouse(settings.warehouse_dir).read("cla_dolo").num_rows == 3
