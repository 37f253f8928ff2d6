"""ICPC_15WD and the plan measures on hand-made CIN census returns (LA 371).

tests/data/conferences (census 2015-16): working days after the S47 start to the conference.
  I1  1 Apr -> 23 Apr 2015: 14 (Good Friday 3 Apr and Easter Monday 6 Apr are not), in time
  I2  1 Apr -> 27 Apr 2015: 16, late
  I3  1 May -> 22 May 2015: 14 (4 May is a bank holiday), in time
  I4  no S47 start: cannot be timed, left out
  I5  conference not yet held: left out
  I6  1 Sep -> 8 Sep 2015: 5, in time
  I7  1 Oct -> 2 Nov 2015: 22, late
Held in 2015-16: I1 I2 I3 I6 I7 = 5; in time I1 I3 I6 = 3.

tests/data/plans (census 2013-14, 2014-15, 2015-16); period 2015-16, end 31 Mar 2016:
  K1  plan 10 Jan 2012 - 1 Jun 2013; new plan 1 Jul 2015 (open): the earlier ended more than 2
      years before (1 Jun 2013 + 24 months = 1 Jun 2015), not a repeat within 2 years.
      Reviewed 15 Sep 2015 (within 3 months) and 10 Mar 2016 (within 6): on time.
  K2  plan 1 Sep 2013 - 1 Feb 2014; new plan 1 May 2015 (open): repeat within 2 years.
      First review 10 Aug 2015, after 1 Aug: late.
  K3  plan 1 Jun - 1 Dec 2015: first plan; ended after 6 months
  K4  plan 15 Apr - 15 Aug 2015 (first), new plan 10 Jan 2016 (open, repeat within 2 years; too
      recent for the review measure)
  K5  plan 20 Jan 2013, open: over 2 years; seven reviews each on time, in three returns: on time
  K6  plan 31 Mar 2014, open: exactly 2 years at 31 Mar 2016 (counts); reviews on time
  K7  plan 1 Apr 2014, open: a day short of 2 years; reviews on time until 30 Jun 2015, then
      none: overdue since 30 Dec 2015
  K8  plan 1 May 2013 - 1 May 2015: ended after exactly 2 years (counts)
  K9  plan 1 Jun 2014 - 1 Oct 2015: ended after 16 months
  K10 plan 1 Nov 2012 - 1 Nov 2015: ended after 3 years
Plans starting in 2015-16: K1 K2 K3 K4a K4b = 5; repeats within 2 years K2 K4b = 2.
Children on a plan at 31 Mar 2016: K1 K2 K4 K5 K6 K7 = 6; open 2 years or more: K5 K6 = 2.
Plans ending in 2015-16: K3 K4a K8 K9 K10 = 5; after 2 years or more: K8 K10 = 2.
Open at the end and started by 31 Dec 2015: K1 K2 K5 K6 K7 = 5; reviewed on time K1 K5 K6 = 3.
"""

import shutil

import pytest

from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

FY2015 = "2015-04-01:2016-03-31"


def test_conferences_within_15_working_days(computed):
    year = computed(["conferences"], "ICPC_15WD", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 5)


def test_repeat_plans_within_two_years(computed):
    year = computed(["plans"], "CPP_REPEAT_2Y", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (2, 5)
    assert year.value == pytest.approx(40.0)


def test_plan_rate(computed):
    year = computed(["plans"], "CPP_RATE", [FY2015]).loc["2015-04-01"]
    assert year.numerator == 6
    assert year.value == pytest.approx(6 / 64_453 * 10_000)


def test_plans_open_two_years_or_more(computed):
    year = computed(["plans"], "CPP_OPEN_2Y", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (2, 6)


def test_plans_ended_after_two_years_or_more(computed):
    year = computed(["plans"], "CPP_ENDED_2Y", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (2, 5)


def test_plans_reviewed_in_time(computed):
    year = computed(["plans"], "CPP_REVIEW_TIMELY", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 5)


def test_plans_reviewed_in_time_with_reviews_recorded_twice(computed, settings, tmp_path):
    # Every review of K1 (15 Sep 2015, 10 Mar 2016) and of K2 (10 Aug 2015, late) listed
    # twice in the 2015-16 census, and K7's last (30 Jun 2015, after which it is overdue):
    # each counts once. A copy taken as a review of its own would find the other copy before
    # it (never late: K2 would stay late only by its first copy) and, as K7's latest at
    # 31 Mar 2016, an end blank or on the same day; the measure is as without the copies.
    plans = tmp_path / "plans"
    shutil.copytree(DATA / "plans", plans)
    census = plans / "CIN_Census_2016.xml"
    text = census.read_text()
    for day in ("2015-09-15", "2016-03-10", "2015-08-10", "2015-06-30"):
        review = f"<CPPreviewDate>{day}</CPPreviewDate>"
        assert text.count(review) == 1
        text = text.replace(review, review * 2)
    census.write_text(text)
    year = computed([str(plans)], "CPP_REVIEW_TIMELY", [FY2015]).loc["2015-04-01"]
    assert (year.numerator, year.denominator) == (3, 5)
    # The copies are held: the warehouse keeps what the return says.
    reviews = Warehouse(settings.warehouse_dir).read("cin_plan_reviews").to_pylist()
    assert sum(str(r["review_date"]) == "2015-09-15" for r in reviews) == 2
