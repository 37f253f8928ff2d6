"""Change points: entered by hand, listed with the contract's start, checked, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.records import audit
from cscmonitor.records.change_points import (
    PhaseStart,
    add_change_point,
    change_points,
    phase_starts,
    remove_change_point,
)

runner = CliRunner()
TRUST_START = dt.date(2014, 10, 1)  # the Doncaster contract's start_date


def test_the_contract_start_is_a_change_point_without_being_entered(doncaster):
    with doncaster.unit() as session:
        assert change_points(session) == []
        assert phase_starts(session, "371") == [PhaseStart("371", TRUST_START, "contract start")]
        # Another LA has no contract here, so no change point.
        assert phase_starts(session, "372") == []


def test_entered_change_points_join_the_contract_start_in_date_order(doncaster):
    with doncaster.unit() as session:
        add_change_point(session, "371", dt.date(2016, 4, 1), "front door restructure")
        add_change_point(session, "371", dt.date(2012, 1, 1), "new case system")
        add_change_point(session, "372", dt.date(2015, 1, 1), "elsewhere")
    with doncaster.unit() as session:
        assert [(p.on, p.label) for p in phase_starts(session, "371")] == [
            (dt.date(2012, 1, 1), "new case system"),
            (TRUST_START, "contract start"),
            (dt.date(2016, 4, 1), "front door restructure"),
        ]
        assert len(phase_starts(session)) == 4  # every LA's


def test_a_change_point_is_checked_and_one_a_day(doncaster):
    with doncaster.refused("LA code must be the DfE code") as session:
        add_change_point(session, "37", dt.date(2016, 4, 1), "restructure")
    with doncaster.refused("label must not be blank") as session:
        add_change_point(session, "371", dt.date(2016, 4, 1), "  ")
    with doncaster.unit() as session:
        add_change_point(session, "371", dt.date(2016, 4, 1), "restructure")
    with doncaster.refused("already has a change point on 2016-04-01") as session:
        add_change_point(session, "371", dt.date(2016, 4, 1), "another")


def test_adding_and_removing_are_audited(doncaster):
    with doncaster.unit() as session:
        point = add_change_point(session, "371", dt.date(2016, 4, 1), "restructure")
    with doncaster.unit() as session:
        remove_change_point(session, point.id)
        assert change_points(session) == []
    with doncaster.unit() as session:
        logged = audit.entries(session, entity="change_points", limit=10)
        assert sorted(e.action for e in logged) == ["create", "delete"]
    with doncaster.refused("no change point 99") as session:
        remove_change_point(session, 99)


def test_change_points_from_the_command_line(empty_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", empty_engine.url.render_as_string(False))

    def run(*args: str):
        return runner.invoke(app, ["records", *args, "--data-dir", str(tmp_path)])

    assert run("init").exit_code == 0
    assert run("import", "doncaster-2014").exit_code == 0
    added = run(
        "change-point", "add", "--la", "371", "--on", "2016-04-01", "--label", "restructure"
    )
    assert added.exit_code == 0, added.output
    listed = run("change-point", "list", "--la", "371", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    # The contract start has no id: it is the contract's, not an entered change point.
    assert [(r["id"], r["on"], r["label"]) for r in rows] == [
        ("", "2014-10-01", "contract start"),
        ("1", "2016-04-01", "restructure"),
    ]
    wrong = run("change-point", "add", "--la", "371", "--on", "1 April", "--label", "x")
    assert wrong.exit_code == 2
    assert "--on must be a date as YYYY-MM-DD" in wrong.output
