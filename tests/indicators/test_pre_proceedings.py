"""PP_NO_COURT, PP_FGDM_OFFERED, PP_FGDM_HELD and PP_16WK on hand-made CIN censuses
(tests/data/pre_proceedings, LA 371: the 2025-26 census, without the block, and the 2026-27
census with it; tests/data/pre_proceedings_restated: a 2027-28 census).

Pre-proceedings in the 2026-27 census (PPStartDate; offer / held; StepDecisionDate; court):
  P1  start 1 May 2026; offered 1, held 1; decided 1 Aug 2026 (92 days); no court application
  P2  start 10 May 2026; offered 1, held 0; decided 15 Sep 2026 (128 days); court 20 Sep 2026
  P3  start 1 Jun 2026; offered 0, held 1 (held without an offer); decided 21 Sep 2026
      (112 days: exactly 16 weeks); no court application
  P4  start 1 Jul 2026; offer and held blank; no decision yet
  P5  start 1 Oct 2026; offered 1, held 1; decided 1 Feb 2027 (123 days; in the year's last 3
      months: provisional); no court application
  P6  start 1 Nov 2026; offered 1, held blank; decided 15 Jan 2027 (75 days; provisional);
      court 20 Jan 2027
  P7  no PPStartDate (an error, loaded); offered 0, held 0; decided 1 Dec 2026; no court
  P8  two blocks under one referral: start 1 Apr 2026 (the year's first day), offered 1,
      held 1, decided 1 May 2026 (30 days), no court; and start 31 Mar 2027 (its last day),
      offered 0, held 0, no decision
  P9  a referral without pre-proceedings: in no cohort

Started in 2026-27 (P7 has no start): P1 P2 P3 P4 P5 P6 P8a P8b = 8;
  offered P1 P2 P5 P6 P8a = 5; held P1 P3 P5 P8a = 4.
Decided in 2026-27: P1 P2 P3 P5 P6 P7 P8a = 7; without a court application P1 P3 P5 P7 P8a = 5
  (P5 and P6 provisional); within 16 weeks, of those with a start (P7 cannot be timed: 6):
  P1 P3 P6 P8a = 4.
"""

import pytest

from cscmonitor.backends import SnapshotTables
from cscmonitor.indicators.engine import explain
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

FY2026 = "2026-04-01:2027-03-31"
FY2025 = "2025-04-01:2026-03-31"


@pytest.mark.parametrize(
    ("code", "counted", "cohort"),
    [
        ("PP_FGDM_OFFERED", 5, 8),
        ("PP_FGDM_HELD", 4, 8),
        ("PP_NO_COURT", 5, 7),
        ("PP_16WK", 4, 6),
    ],
)
def test_pre_proceedings_by_hand(computed, code, counted, cohort):
    year = computed(["pre_proceedings"], code, [FY2026], la_code="371").loc["2026-04-01"]
    assert (year.numerator, year.denominator) == (counted, cohort)
    assert year.value == pytest.approx(counted / cohort * 100)
    assert year.status == "ok"


@pytest.mark.parametrize("code", ["PP_FGDM_OFFERED", "PP_FGDM_HELD", "PP_NO_COURT", "PP_16WK"])
def test_a_census_before_the_block_gives_no_data_not_zero(computed, code):
    # The 2025-26 census is held and covers the year, but it has no pre-proceedings block.
    year = computed(["pre_proceedings"], code, [FY2025], la_code="371").loc["2025-04-01"]
    assert year.status == "no data"
    assert year.value != year.value  # NaN, never 0%


def test_a_restated_block_is_taken_from_the_latest_return(computed):
    # The 2027-28 census restates P5's block with a court application of 10 Apr 2027: P5 is no
    # longer without one, so 4 of the 7 decided in 2026-27.
    year = computed(
        ["pre_proceedings", "pre_proceedings_restated"], "PP_NO_COURT", [FY2026], la_code="371"
    ).loc["2026-04-01"]
    assert (year.numerator, year.denominator) == (4, 7)


def test_decisions_in_the_last_three_months_show_as_provisional(settings, backend):
    ingest([DATA / "pre_proceedings"], settings, la_code="371")
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), backend)
    rows = explain(tables, "PP_NO_COURT", Period.parse(FY2026), "371")
    provisional = rows[rows["provisional"].astype(bool)]
    # P5 (1 Feb 2027) and P6 (15 Jan 2027): after 31 Dec 2026.
    assert sorted(provisional["step_decision_date"].astype(str)) == ["2027-01-15", "2027-02-01"]
    assert len(rows) == 7
