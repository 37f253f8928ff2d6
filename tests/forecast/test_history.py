"""The 903 history read from the warehouse, and backtests, on a hand-made return.

LA 371 (Doncaster, so the bundled population applies), the 2016 return (April 2015 to
March 2016), three children:
- C1, born 1 Jan 2008: fostered (U4) from 1 Jan 2015; a legal-status change (RNE L) on
  1 May 2015 continues the same placement; moves to a children's home (K2, RNE P) on
  1 Sep 2015, still there.
- C2, born 1 Jun 1999: enters care in semi-independent living (H5) on 1 Feb 2016.
- C3, born 1 Jan 2015: fostered (U6) from 1 Jun 2015, returns home on 1 Dec 2015.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.forecast.backtest import backtest
from cscmonitor.forecast.fit import entrant_rows, transition_counts
from cscmonitor.forecast.history import History, month_dates, panel, read_history
from cscmonitor.forecast.states import CATEGORIES, EXIT, OUTCOMES, move_to, state_index
from cscmonitor.ingest import ingest
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
C1,1,01/01/2008,WBRI,,,
C2,2,01/06/1999,WBRI,,,
C3,1,01/01/2015,WBRI,,,
"""
EPISODES = """\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C1,01/01/2015,S,C2,N1,U4,PR1,01/05/2015,X1,,,,
C1,01/05/2015,L,C1,N1,U4,PR1,01/09/2015,X1,,,,
C1,01/09/2015,P,C1,N1,K2,PR4,,,CARPL,,,
C2,01/02/2016,S,V2,N1,H5,PR4,,,,,,
C3,01/06/2015,S,C2,N2,U6,PR1,01/12/2015,E13,,,,
"""
F, R, S = (CATEGORIES.index(c) for c in ("fostering", "residential", "supported"))
runner = CliRunner()


@pytest.fixture
def history(settings: Settings, tmp_path: Path) -> History:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER)
    (folder / "episodes.csv").write_text(EPISODES)
    ingest([folder], settings, la_code="371", year=2016)
    return read_history(Warehouse(settings.warehouse_dir).tables(), "371")


def test_placements_and_categories(history: History) -> None:
    assert (history.start, history.end) == (dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    starts = dict(zip(history.decom.astype(str), history.placement_start.astype(str), strict=True))
    # C1's legal-status episode continues the placement begun 1 Jan 2015.
    assert starts["2015-05-01"] == "2015-01-01"
    assert starts["2015-09-01"] == "2015-09-01"
    categories = dict(zip(history.decom.astype(str), history.category, strict=True))
    assert categories["2015-09-01"] == R
    assert categories["2016-02-01"] == S


def test_panel_ages_durations_and_transitions(history: History) -> None:
    dates = month_dates(dt.date(2016, 3, 1), np.arange(-11, 1))  # 1 Apr 2015 .. 1 Mar 2016
    seen = panel(history, dates)
    on = {
        (int(c), str(dates[d])): i
        for i, (c, d) in enumerate(zip(seen.child, seen.date, strict=True))
    }
    c1 = next(c for (c, d) in on if d == "2015-04-01")  # only C1 is in care on 1 Apr 2015
    august = on[(c1, "2015-08-01")]
    # 1 Aug 2015: 7 years 7 months old, fostered 7 whole months (since 1 Jan).
    assert (seen.age[august], seen.category[august], seen.duration[august]) == (91, F, 7)
    september = on[(c1, "2015-09-01")]
    assert (seen.category[september], seen.duration[september]) == (R, 0)
    # In care per date: C1 all year; C3 from June to November; C2 from February.
    per_date = np.bincount(seen.date, minlength=len(dates))
    assert per_date.tolist() == [1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2]

    counts = transition_counts(seen)
    # C1 fostered Apr→Aug (4 months stayed), moved Aug→Sep, then residential Sep→Mar (6);
    # C3 fostered Jun→Nov (5 stayed), left Nov→Dec; C2 supported Feb→Mar (1).
    assert counts.sum() == 4 + 1 + 6 + 5 + 1 + 1
    c1_fostered = state_index(np.array([91]), np.array([F]), np.array([7]))[0]
    assert counts[c1_fostered, move_to(R)] == 1
    baby = state_index(np.array([10]), np.array([F]), np.array([5]))[0]  # C3 on 1 Nov 2015
    assert counts[baby, EXIT] == 1
    assert counts[:, EXIT].sum() == 1
    assert counts.shape[1] == len(OUTCOMES)

    entrants, when = entrant_rows(seen)
    # C3 on 1 Jun 2015 (5 months old) and C2 on 1 Feb 2016 (16 years 8 months).
    assert sorted(when.astype(str).tolist()) == ["2015-06-01", "2016-02-01"]
    assert sorted(entrants.age.tolist()) == [5, 200]


def test_backtest_actual_and_naive(history: History) -> None:
    """Origin 1 Jun 2015: C1 and C3 fostered (naive: 2 fostered, 0 elsewhere). Three months
    on, 1 Sep 2015: C1 in residential, C3 still fostered. Twelve months on is after the
    last return: left out."""
    results = backtest(history, [dt.date(2015, 6, 1)], [3, 12], paths=20)
    assert list(results.columns) == [
        "origin",
        "horizon_months",
        "category",
        "actual",
        "forecast",
        "lower80",
        "upper80",
        "lower95",
        "upper95",
        "naive",
    ]
    assert set(results["horizon_months"]) == {3}
    by = results.set_index("category")
    assert by["actual"].to_dict() == {
        "fostering": 1,
        "residential": 1,
        "supported": 0,
        "other": 0,
        "all": 2,
    }
    assert by["naive"].to_dict() == {
        "fostering": 2,
        "residential": 0,
        "supported": 0,
        "other": 0,
        "all": 2,
    }


def test_cli_backtest_and_run(history: History, settings: Settings) -> None:
    data = str(settings.data_dir)
    result = runner.invoke(
        app,
        [
            "forecast",
            "backtest",
            "--data-dir",
            data,
            "--la",
            "371",
            "--origin",
            "2015-06-01",
            "--horizon",
            "3",
            "--paths",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "origin,horizon_months,category,actual,forecast,lower80,upper80,lower95,upper95,naive"
    )
    assert lines[-1].startswith("2015-06-01,3,all,2,") and lines[-1].endswith(",2")
    result = runner.invoke(
        app,
        [
            "forecast",
            "run",
            "--data-dir",
            data,
            "--la",
            "371",
            "--origin",
            "2016-03-01",
            "--horizon",
            "2",
            "--paths",
            "20",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "month,category,forecast,lower80,upper80,lower95,upper95"
    )
    assert len(result.stdout.splitlines()) == 1 + 2 * 5
    result = runner.invoke(
        app,
        ["forecast", "fit", "--data-dir", data, "--la", "371", "--origin", "2016-03-01",
         "--half-life", "0", "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    header, *states = result.stdout.splitlines()
    assert header.startswith("age_band,category,duration,child_months,stay,leave care,")
    assert len(states) == 5 * 4 * 6  # age bands × categories × times in placement
    # Every month alike (half life 0): 4 + 1 + 6 + 5 + 1 + 1 = 18 child-months (see
    # test_panel_ages_durations_and_transitions).
    assert sum(float(line.split(",")[3]) for line in states) == 18


def test_cli_refuses_an_origin_after_the_data(history: History, settings: Settings) -> None:
    result = runner.invoke(
        app,
        [
            "forecast",
            "run",
            "--data-dir",
            str(settings.data_dir),
            "--la",
            "371",
            "--origin",
            "2017-01-01",
            "--horizon",
            "2",
        ],
    )
    assert result.exit_code == 2
    assert "after the last day the 903 returns held cover (2016-03-31)" in result.output


def test_cli_costs_scenario_and_spend_rows(history: History, settings: Settings) -> None:
    """With unit costs held, `forecast run` adds spend rows; a scenario is saved with its
    snapshot and used by name."""
    from cscmonitor.records import db

    data = str(settings.data_dir)
    db.upgrade(db.make_engine(db.database_url(settings)))
    costs = settings.data_dir / "costs.csv"
    costs.write_text(
        "category,provider,effective_from,weekly_cost,inflation_percent\n"
        + "".join(f"{c},all,2015-01-01,700,0\n" for c in CATEGORIES)
    )
    result = runner.invoke(
        app, ["forecast", "costs", "import", str(costs), "--la", "371", "--data-dir", data]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["forecast", "scenario", "save", "more", "--la", "371", "--entry", "all=2",
         "--data-dir", data, "--by", "Analyst"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "saved on snapshot 0001" in result.output
    result = runner.invoke(
        app,
        ["forecast", "run", "--data-dir", data, "--la", "371", "--origin", "2016-03-01",
         "--horizon", "1", "--paths", "20", "--format", "csv", "--scenario", "more"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert [r[1] for r in rows][-5:] == [
        "spend:fostering", "spend:residential", "spend:supported", "spend:other", "spend:all"
    ]  # fmt: skip
    # Every category costs £700 a week: spend is £100 a child-day, so a month's spend for
    # the median path lies between 0 and 31 days × £100 × (children at most, here < 50).
    assert 0 < int(rows[-1][2]) < 31 * 100 * 50


def test_cli_compares_scenarios_with_the_baseline(history: History, settings: Settings) -> None:
    """A scenario in which nobody leaves care has at least the baseline's children in every
    month and category; both come from the same origin, side by side."""
    from cscmonitor.records import db

    data = str(settings.data_dir)
    db.upgrade(db.make_engine(db.database_url(settings)))
    saved = runner.invoke(
        app,
        ["forecast", "scenario", "save", "stay", "--la", "371", "--data-dir", data,
         "--transition", "all:leave care=0"],
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    result = runner.invoke(
        app,
        ["forecast", "compare", "--data-dir", data, "--la", "371", "--origin", "2016-03-01",
         "--horizon", "2", "--paths", "50", "--format", "csv", "--scenario", "stay"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "scenario,month,category,forecast,lower80,upper80,lower95,upper95"
    rows = [line.split(",") for line in lines[1:]]
    baseline = {(r[1], r[2]): int(r[3]) for r in rows if r[0] == "baseline"}
    stay = {(r[1], r[2]): int(r[3]) for r in rows if r[0] == "stay"}
    assert len(baseline) == len(stay) == 2 * 5
    assert all(stay[key] >= baseline[key] for key in baseline if key[1] == "all")


def test_short_breaks_are_left_out(settings: Settings, tmp_path: Path) -> None:
    """The DfE's counts of children looked after leave out an agreed series of short breaks
    (LS V3 or V4), and so does the history: C1's fostering placement and C2's care are the
    only episodes read. C3's V3 agreement (a children's home all year) and C2's two V4 breaks
    before coming into care are not (the second spans 1 July 2015, a date the panel reads), so
    C2's only entry is on 1 Feb 2016 and nobody is in residential care."""
    episodes = """\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C1,01/01/2015,S,C2,N1,U4,PR1,,,,,,
C2,10/05/2015,S,V4,N2,K2,PR1,13/05/2015,E4A,,,,
C2,30/06/2015,S,V4,N2,K2,PR1,02/07/2015,E4A,,,,
C2,01/02/2016,S,V2,N1,H5,PR4,,,,,,
C3,01/04/2015,S,V3,N2,K2,PR1,,,,,,
"""
    folder = tmp_path / "breaks"
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER)
    (folder / "episodes.csv").write_text(episodes)
    ingest([folder], settings, la_code="371", year=2016)
    history = read_history(Warehouse(settings.warehouse_dir).tables(), "371")
    assert sorted(history.decom.astype(str)) == ["2015-01-01", "2016-02-01"]
    assert sorted(history.category.tolist()) == [F, S]
    seen = panel(history, month_dates(dt.date(2016, 3, 1), np.arange(-11, 1)))
    assert R not in seen.category.tolist()
    entrants, when = entrant_rows(seen)
    assert when.astype(str).tolist() == ["2016-02-01"] and entrants.category.tolist() == [S]
