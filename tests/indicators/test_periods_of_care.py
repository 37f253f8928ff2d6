"""Periods of care and placement runs, worked out in two passes over a child's episodes, on
hand-made episodes."""

import datetime as dt

import ibis
import pandas as pd

from cscmonitor.indicators.care_events import _with_placement
from cscmonitor.indicators.looked_after import periods_of_care, placement_episodes
from tests.indicators.episodes import EpisodesOnly

D = dt.date.fromisoformat


# Child A, in the order given (by DECOM):
#   e1 1 Jan-1 Mar 2015, RNE S, U1       starts care 1, which is known (RNE S)
#   e2 1 Mar-1 Apr 2015, RNE P, T1       temporary, same care (starts the day e1 ended)
#   e3 1 Apr-1 Jun 2015, RNE P, U1       back from the temporary move, same care
#   e4 1 Sep-1 Oct 2015, RNE P, T0       a gap: starts care 2, not known (RNE P), temporary
#   e5 1 Oct 2015, open, RNE P, U3       same care 2
# Child B: "b1" and "b2" start on one day; the one that ends first comes first, so b2
# (ending 1 Feb) starts care 1 and b1 (open) follows it without a gap.
EPISODES = pd.DataFrame(
    {
        "la_code": ["1"] * 7,
        "child_id": ["A"] * 5 + ["B"] * 2,
        "id": ["e1", "e2", "e3", "e4", "e5", "b1", "b2"],
        "decom": [
            D(d)
            for d in (
                "2015-01-01",
                "2015-03-01",
                "2015-04-01",
                "2015-09-01",
                "2015-10-01",
                "2016-01-01",
                "2016-01-01",
            )
        ],
        "dec": [
            *(D(d) for d in ("2015-03-01", "2015-04-01", "2015-06-01", "2015-10-01")),
            None,
            None,
            D("2016-01-01"),
        ],
        "rne": ["S", "P", "P", "P", "P", "P", "S"],
        "ls": ["C2"] * 7,
        "place": ["U1", "T1", "U1", "T0", "U3", "U4", "U4"],
        "urn": ["X"] * 7,
        "pl_post": ["AB1"] * 7,
    }
)


def _by_id(table: ibis.Table) -> pd.DataFrame:
    """The rows named by their episode's id (the tables keep only the episode's columns
    their indicators read: a child's episode is its start and end)."""

    def keyed(rows: pd.DataFrame) -> pd.DataFrame:
        days = {c: pd.to_datetime(rows[c]).astype(str) for c in ("decom", "dec")}
        return rows.assign(_key=rows["child_id"] + " " + days["decom"] + " " + days["dec"])

    named = keyed(EPISODES)[["_key", "id"]]
    return keyed(table.execute()).merge(named, on="_key", validate="1:1").set_index("id")


def test_periods_of_care_start_where_an_episode_does_not_follow_the_one_before():
    care = _by_id(periods_of_care(EpisodesOnly(EPISODES)))
    assert care["care"].to_dict() == {"e1": 1, "e2": 1, "e3": 1, "e4": 2, "e5": 2, "b1": 1, "b2": 1}
    starts = {k: f"{v:%Y-%m-%d}" for k, v in care["care_start"].items()}
    assert starts == {
        "e1": "2015-01-01",
        "e2": "2015-01-01",
        "e3": "2015-01-01",
        "e4": "2015-09-01",
        "e5": "2015-09-01",
        "b1": "2016-01-01",
        "b2": "2016-01-01",
    }
    # Known when the period's first episode is RNE S: care 1 of A and B's (b2 first).
    assert care["care_known"].to_dict() == {
        "e1": True,
        "e2": True,
        "e3": True,
        "e4": False,
        "e5": False,
        "b1": True,
        "b2": True,
    }
    assert care["_nth"].to_dict() == {"e1": 0, "e2": 1, "e3": 2, "e4": 3, "e5": 4, "b2": 0, "b1": 1}


def test_a_placement_is_its_runs_first_settled_episode_within_the_period_of_care():
    # Runs: e1 (settled) with e2 (temporary); e3 (settled); e4 starts care 2 with a
    # temporary placement, so its run holds no placement; e5 (settled).
    placed = _by_id(_with_placement(periods_of_care(EpisodesOnly(EPISODES))))
    assert placed["placement"].where(placed["placement"].notna(), None).to_dict() == {
        "e1": "U1",
        "e2": "U1",
        "e3": "U1",
        "e4": None,
        "e5": "U3",
        "b1": "U4",
        "b2": "U4",
    }


def test_placements_start_with_care_and_with_a_new_placement_not_a_return_from_a_move():
    # e1 starts care 1 (RNE S); e3 (RNE P) returns to U1, URN X, AB1 from the temporary e2
    # on the day e2 ended, so it starts nothing; e5 is care 2's first settled episode (RNE
    # P, not S): it starts a placement as the first of its period of care. B: b2 (RNE S)
    # starts one, b1 (RNE P, a new placement code, not back from a temporary move) another.
    starts = _by_id(placement_episodes(EpisodesOnly(EPISODES)))
    assert starts["starts_placement"].to_dict() == {
        "e1": True,
        "e3": False,
        "e5": True,
        "b1": True,
        "b2": True,
    }
