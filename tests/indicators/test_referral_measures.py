"""REF_RATE, REF_NFA, CIN_RATE and ASSESS_45WD on hand-made CIN census returns (LA 371).

Doncaster's children aged 0-17 (ONS mid-2015, the year 2015-16 starts in): 64,453.

tests/data/referral_measures (census 2015-16):
  R1  referred 10 Apr 2015, NFA, closed the same day
  R2  referred 1 May 2015, open at 31 Mar 2016
  R3  referred 1 Jun 2015, closed 31 Mar 2016 (closed on the day: not open at the end)
  R4  referred 1 Jul 2015 twice, one record NFA and one not: one referral, NFA; closed 5 Jul
  R5  referred 1 Dec 2014 (before the year), open at 31 Mar 2016
  R6  referred 1 Aug 2015, ReferralNFA blank (not NFA), open
  R7  referred 1 Sep 2015, NFA, no closure recorded
Referrals in 2015-16: R1 R2 R3 R4 R6 R7 = 6; NFA: R1 R4 R7 = 3.
In need at 31 Mar 2016 (open, not NFA): R2 R5 R6 = 3.

tests/data/assessments (census 2015-16), bank holidays 3 and 6 Apr, 4 and 25 May 2015:
  working days after 31 Mar 2015: April 20 (22 weekdays less 2), May 19 (21 less 2), so 39 by
  29 May; then 1-5 Jun are 40-44 and 8 Jun is the 45th.
  T1  31 Mar -> 8 Jun 2015: 45 working days, in time (a plain weekday count says 49)
  T2  31 Mar -> 9 Jun 2015: 46, late
  T3  1 Jul -> 1 Jul 2015: 0, in time
  T4  no start date: cannot be timed, left out
  T5  authorised 20 Mar 2015, before the year: left out
  T6  1 Sep -> 10 Sep 2015, recorded twice: once, 7 working days, in time
  T7  1 Oct 2015 -> 15 Jan 2016: late
Timed in 2015-16: T1 T2 T3 T6 T7 = 5; in time T1 T3 T6 = 3.
"""

from collections.abc import Sequence

import ibis
import pandas as pd
import pytest

from cscmonitor.backends import SnapshotTables
from cscmonitor.indicators.engine import compute, periods_table
from cscmonitor.indicators.referrals import referrals
from cscmonitor.indicators.registry import get
from cscmonitor.periods import Period
from cscmonitor.warehouse import Warehouse

FY2015 = "2015-04-01:2016-03-31"
POPULATION_2015 = 64_453


def test_referral_rate_for_the_year(computed):
    year = computed(["referral_measures"], "REF_RATE", [FY2015]).loc["2015-04-01"]
    assert year.numerator == 6
    assert year.denominator == pytest.approx(POPULATION_2015)  # a whole year: no annualising
    assert year.value == pytest.approx(6 / POPULATION_2015 * 10_000)
    assert year.ci_lower < year.value < year.ci_upper


def test_referral_rate_for_a_quarter_is_annualised(computed):
    # Apr-Jun 2015: R1, R2, R3. The quarter is 91 of the 365 days from 1 Jul 2014 to 30 Jun 2015.
    quarter = computed(["referral_measures"], "REF_RATE", ["2015-04-01:2015-06-30"])
    row = quarter.loc["2015-04-01"]
    assert row.numerator == 3
    assert row.value == pytest.approx(3 / (POPULATION_2015 * 91 / 365) * 10_000)


def test_no_further_action(computed):
    year = computed(["referral_measures"], "REF_NFA", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 6)
    assert year.value == pytest.approx(50.0)


def test_children_in_need_at_period_end(computed):
    year = computed(["referral_measures"], "CIN_RATE", [FY2015]).loc["2015-04-01"]
    assert year.numerator == 3
    assert year.value == pytest.approx(3 / POPULATION_2015 * 10_000)


def test_assessments_within_45_working_days(computed):
    year = computed(["assessments"], "ASSESS_45WD", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 5)
    assert year.value == pytest.approx(60.0)


def test_assessments_are_made_distinct_unless_the_snapshot_holds_them_so(
    computed, settings, backend
):
    # T6 is recorded twice, so the snapshot does not record its assessments as distinct and
    # the indicator counts T6 once (3 of 5, as above).
    assert computed(["assessments"], "ASSESS_45WD", [FY2015]).loc["2015-04-01"].numerator == 3
    snapshot = Warehouse(settings.warehouse_dir).require_current()
    columns = ["la_code", "child_id", "start_date", "authorised_date"]
    assert not snapshot.holds_distinct("cin_assessments", columns)

    class Distinct(SnapshotTables):
        """The same snapshot, said to hold its assessments distinct (as one would whose
        assessments none repeats)."""

        def holds_distinct(self, name: str, columns: Sequence[str]) -> bool:
            return name == "cin_assessments"

    # Told so, the indicator does not make them distinct: T6 twice, 4 in time of 6.
    told = compute(Distinct(snapshot, backend), [Period.parse(FY2015)], codes=["ASSESS_45WD"])
    assert (told.numerator[0], told.denominator[0]) == (4, 6)


class ReferralsOnly:
    """`Tables` holding only a hand-made `cin_referrals` (LA 999)."""

    def __init__(self, rows: list[tuple[str, str, str | None, bool | None]]) -> None:
        frame = pd.DataFrame(rows, columns=["child_id", "referral_date", "closure_date", "nfa"])
        frame = frame.assign(
            la_code="999",
            referral_date=pd.to_datetime(frame.referral_date).dt.date,
            closure_date=pd.to_datetime(frame.closure_date).dt.date,
            referral_nfa=frame.nfa,
        ).drop(columns="nfa")
        schema = {
            "child_id": "string",
            "referral_date": "date",
            "closure_date": "date",
            "la_code": "string",
            "referral_nfa": "boolean",
        }
        self._referrals = ibis.memtable(frame, schema=schema)

    def table(self, name: str) -> ibis.Table:
        assert name == "cin_referrals"
        return self._referrals


# Child A: two records on 1 May 2015, an NFA one never closed and one closed 1 Sep 2015, then
# a referral on 1 Oct 2015 closed 1 Dec 2015. Child B: two records on 1 Jun 2015 that are not
# NFA, closed 1 Aug 2015 and never; then one on 1 Jul 2015 closed 1 Feb 2016. Child C: one NFA
# referral on 1 Jul 2015, never closed.
HELD = [
    ("A", "2015-05-01", None, True),
    ("A", "2015-05-01", "2015-09-01", False),
    ("A", "2015-10-01", "2015-12-01", None),
    ("B", "2015-06-01", "2015-08-01", False),
    ("B", "2015-06-01", None, False),
    ("B", "2015-07-01", "2016-02-01", False),
    ("C", "2015-07-01", None, True),
]


def test_referrals_of_a_day_are_one_in_need_until_the_last_not_nfa_closes():
    # One row per child and date. A's 1 May: NFA (one record is), in need until 1 Sep (the
    # NFA record's open end does not count). B's 1 Jun: in need with no end (9999-12-31).
    # `_reach`, the latest such end before: A's 1 Oct has 1 Sep; B's 1 Jul has 9999-12-31.
    # C's only referral is NFA: never in need (blank).
    assert referral_terms(ReferralsOnly(HELD)) == {
        ("A", "2015-05-01"): (True, "2015-09-01", None, None),
        ("A", "2015-10-01"): (False, "2015-12-01", "2015-09-01", "2015-05-01"),
        ("B", "2015-06-01"): (False, "9999-12-31", None, None),
        ("B", "2015-07-01"): (False, "2016-02-01", "9999-12-31", "2015-06-01"),
        ("C", "2015-07-01"): (True, None, None, None),
    }


class KnownDistinct(ReferralsOnly):
    """Said to hold no child's referral date twice, as a snapshot whose referrals none
    repeats records (`warehouse._distinct_columns`)."""

    def holds_distinct(self, name: str, columns: Sequence[str]) -> bool:
        return name == "cin_referrals" and list(columns) == [
            "la_code",
            "child_id",
            "referral_date",
        ]


def test_referrals_known_distinct_are_each_their_dates():
    # HELD with A's NFA record of 1 May and B's closed one of 1 Jun left out: no date twice.
    # Each record is its date's, with what the peers' window finds for it: A's 1 May is not
    # NFA now, everything else as above.
    once = [r for r in HELD if (r[0], r[1], r[3]) != ("A", "2015-05-01", True)]
    once = [r for r in once if (r[0], r[1], r[2]) != ("B", "2015-06-01", "2015-08-01")]
    expected = {
        ("A", "2015-05-01"): (False, "2015-09-01", None, None),
        ("A", "2015-10-01"): (False, "2015-12-01", "2015-09-01", "2015-05-01"),
        ("B", "2015-06-01"): (False, "9999-12-31", None, None),
        ("B", "2015-07-01"): (False, "2016-02-01", "9999-12-31", "2015-06-01"),
        ("C", "2015-07-01"): (True, None, None, None),
    }
    assert referral_terms(KnownDistinct(once)) == expected
    assert referral_terms(ReferralsOnly(once)) == expected


def referral_terms(tables: ReferralsOnly) -> dict[tuple[str, str], tuple[object, ...]]:
    """`referrals`' rows by child and date: nfa, in_need_until, _reach and previous."""
    return {
        (r["child_id"], iso(r["referral_date"])): (
            r["nfa"],
            *(
                None if pd.isna(r[c]) else iso(r[c])
                for c in ("in_need_until", "_reach", "previous")
            ),
        )
        for r in referrals(tables).execute().to_dict("records")
    }


def test_children_in_need_at_each_end_with_their_first_open_referral():
    # 30 Jun 2015: A (1 May, until 1 Sep) and B (1 Jun, open; its 1 Jul is later).
    # 30 Sep 2015: A's 1 May closed on 1 Sep and 1 Oct is after the end: only B, 1 Jun.
    # 31 Dec 2015: A's 1 Oct closed 1 Dec; B, 1 Jun (open). C is NFA: never in need.
    ends = ["2015-04-01:2015-06-30", "2015-07-01:2015-09-30", "2015-10-01:2015-12-31"]
    periods = periods_table([Period.parse(p) for p in ends])
    found = get("CIN_RATE").body(ReferralsOnly(HELD), periods).execute()
    assert sorted(
        (iso(r.period_end), r.child_id, iso(r.referral_date)) for r in found.itertuples()
    ) == [
        ("2015-06-30", "A", "2015-05-01"),
        ("2015-06-30", "B", "2015-06-01"),
        ("2015-09-30", "B", "2015-06-01"),
        ("2015-12-31", "B", "2015-06-01"),
    ]


def iso(day: object) -> str:
    """A date's ISO form, whichever type the backend gives it (9999-12-31 is no Timestamp)."""
    return str(day)[:10]
