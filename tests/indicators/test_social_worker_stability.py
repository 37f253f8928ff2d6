"""CLA_SW3PLUS on hand-made SSDA903 returns (tests/data/sw_stability, LA 999: a 2022-23 return
without social worker episodes (S1 looked after, S10 in care from 1 May to 1 Jun 2022), and the
2023-24 return with them).

2023-24 (the 12 months from 1 Apr 2023); each child's social worker episodes:
  S1  looked after; SW1 (to 1 Jun 2023), SW2, SW3 (open)               -> 3 workers, counted
  S2  looked after; SW1, SW2, then SW1 again                            -> 2 (a worker who
      returns counts once), denominator only
  S3  looked after; SW4 ending 1 Apr 2023 (the window's first day), SW5, SW6
                                                                         -> 3, counted
  S4  looked after; SW7, XX001 (a stand-in, not counted), SW8          -> 2, denominator only
  S5  looked after; no social worker episode  -> leaves the denominator (data-quality count)
  S6  looked after from 10 Jan 2024; SW9 and SW10 before care began, SW11 since
                                                                         -> 3, counted
  S7  on short breaks (LS V3): not looked after at 31 Mar 2024          -> not in the cohort
  S8  ceased care 1 Feb 2024: not looked after at 31 Mar 2024           -> not in the cohort
  S9  looked after; SW12 ending 31 Mar 2023 (before the window), SW13   -> 1, denominator only
Looked after at 31 Mar 2024: S1 S2 S3 S4 S5 S6 S9 = 7; with an episode: 6; counted S1 S3 S6 = 3.

At 31 Dec 2023 (12 months from 1 Jan 2023), a period end the return does not complete:
looked after S1 S2 S3 S4 S5 S8 S9 (S6 not yet); with an episode: S1 S2 S3 S4 S8 S9 = 6;
counted S1 (SW1 SW2 SW3), S3 (SW4 SW5 SW6), S8 (SW4 SW5 SW6) = 3.
"""

import pytest

from cscmonitor.backends import SnapshotTables
from cscmonitor.indicators.engine import explain
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

FY2023 = "2023-04-01:2024-03-31"


def test_three_or_more_social_workers_by_hand(computed):
    year = computed(["sw_stability"], "CLA_SW3PLUS", [FY2023]).loc["2023-04-01"]
    assert (year.numerator, year.denominator) == (3, 6)
    assert year.value == pytest.approx(50.0)
    assert year.status == "ok"


def test_a_period_not_ending_31_march_is_lookback_incomplete(computed):
    quarter = computed(["sw_stability"], "CLA_SW3PLUS", ["2023-10-01:2023-12-31"])
    quarter = quarter.loc["2023-10-01"]
    assert (quarter.numerator, quarter.denominator) == (3, 6)
    assert quarter.status == "lookback incomplete"  # the value is shown, flagged


def test_a_year_before_social_worker_episodes_were_collected_has_no_data(computed):
    # The 2022-23 return is held (S1 looked after), but it has no social worker episodes.
    year = computed(["sw_stability"], "CLA_SW3PLUS", ["2022-04-01:2023-03-31"])
    year = year.loc["2022-04-01"]
    assert year.status == "no data"
    assert year.value != year.value  # NaN, never 0%


def test_children_without_a_social_worker_episode_are_the_data_quality_count(settings, backend):
    ingest([DATA / "sw_stability"], settings, la_code="999")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), backend)
    rows = explain(tables, "CLA_SW3PLUS", Period.parse(FY2023), "999")
    assert len(rows) == 7  # every child looked after at 31 March
    outside = rows[~rows["in_denominator"].astype(bool)]
    assert len(outside) == 1  # S5
    assert outside["workers"].tolist() == [0]
