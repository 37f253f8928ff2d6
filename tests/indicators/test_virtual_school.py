"""The virtual school indicators on hand-made records (tests/data/virtual_school, LA 999).

The school year 2015-16 (1 Sep 2015 - 31 Aug 2016): the virtual school's files for it, and the
SSDA903 returns for 2015-16 and 2016-17 (the 903 must reach 31 Aug 2016 to say who was looked
after then). School age at 31 Aug 2016: aged 5 to 15 on 31 Aug 2015, born 1 Sep 1999 - 31 Aug 2010.

  child  born         looked after at 31 Aug 2016
  C1     1 Sep 1999   yes; 15 on 31 Aug 2015: school age (the oldest)
  C2     31 Aug 1999  yes; 16 on 31 Aug 2015: too old
  C3     31 Aug 2010  yes; 5 on 31 Aug 2015: school age (the youngest)
  C4     1 Sep 2010   yes; 4: too young
  C5     2005         no: left care on 31 Aug 2016 itself
  C6     2006         yes: came into care on 31 Aug 2016
  C7, C8, C9, C10     yes, school age
  C11    2006         no: left care 20 May 2016
  C12    -            never looked after (no 903 record)
School-age children looked after at 31 Aug 2016: C1 C3 C6 C7 C8 C9 C10 = 7.
"""

import pytest

SCHOOL_YEAR = "2015-09-01:2016-08-31"
ALL = ["virtual_school"]


def at(computed, code, data=ALL, period=SCHOOL_YEAR):
    return computed(data, code, [period]).loc[period[:10]]


def test_good_or_outstanding_school(computed):
    # On a roll at 31 Aug 2016 (of the 7): C1, C3, C6, C7, C8, C10 = 6. C9 left one school on
    # 31 Aug itself and the other in July: no school, not in the denominator.
    #   C1   Moor Academy 100001: graded 2 in 2012 on C1's record, 3 in Nov 2015 on C7's: the
    #        latest is 3, not good
    #   C7   the same school: not good
    #   C3   100003 graded 1: counts
    #   C6   100004 graded 2: counts
    #   C8   100002 graded 2 in 2014; the 4 on C9's record is dated Oct 2016, after the period
    #        end: counts
    #   C10  dual registered: Ash School (1) since 2014, Bridge Centre (AP, no grade) since May
    #        2016; the newer roll decides: not good
    # Good or outstanding: C3, C6, C8 = 3 of 6.
    row = at(computed, "VS_GOOD_SCHOOL")
    assert (row.numerator, row.denominator) == (3, 6)
    assert row.value == pytest.approx(50.0)


def test_pep_in_the_six_months_to_period_end(computed):
    # The window is after 29 Feb 2016 (31 Aug less 6 months) up to 31 Aug 2016.
    #   C1 1 Mar 2016: counts; C3 29 Feb 2016: a day too early; C6 none; C7 Oct 2015 and
    #   Jun 2016: counts; C8 31 Aug 2016: counts; C9 Nov 2015 only; C10 May 2016: counts.
    #   C11 (Apr 2016) was no longer looked after at the end: not in the cohort.
    row = at(computed, "VS_PEP_TIMELY")
    assert (row.numerator, row.denominator) == (4, 7)
    assert row.value == pytest.approx(400 / 7)


def test_pep_quality(computed):
    # Audited in the school year with a rating: C1 GOOD, C3 OUTSTANDING, C7 RI, C7 INADEQUATE,
    # C11 GOOD (any child the virtual school audits), C2 GOOD (held Jun 2015, audited 1 Sep
    # 2015, the first day) = 6, good 4. Not counted: C8 (audited after the period end), C10
    # (never audited; and one audit date with no rating).
    row = at(computed, "VS_PEP_QUALITY")
    assert (row.numerator, row.denominator) == (4, 6)
    assert row.value == pytest.approx(400 / 6)


def test_persistent_absence(computed):
    # School-age, looked after at the end, with sessions recorded within the school year:
    #   C1  three terms, 342 of 380 = exactly 90%: a persistent absentee (10% missed)
    #   C3  371/380 no;  C7 300/380 yes;  C8 343/380 (90.3%) no;  C9 360/380 no
    #   C10 200/240 (83%) yes; its Jun-Jul 2015 row is before the year and is left out
    #   C6 has no attendance: not in the cohort; C2 and C11 are not in the cohort.
    row = at(computed, "VS_PERSIST_ABS")
    assert (row.numerator, row.denominator) == (3, 6)
    assert row.value == pytest.approx(50.0)


def test_suspended(computed):
    # The same 6: C3 suspended Feb 2016; C7 twice (once counted); C8 permanently excluded only;
    # C9's suspension was in Aug 2015, before the year. C6 and C11 are not in the cohort.
    row = at(computed, "VS_SUSPENDED")
    assert (row.numerator, row.denominator) == (2, 6)
    assert row.value == pytest.approx(100 / 3)


def test_permanent_exclusions_are_a_count(computed):
    # In the school year, looked after on the day: C8 (Jun 2016), C11 (Mar 2016, in care until
    # May), C2 (Jan 2016, at 16: any age). Not: C6 (May 2016, before coming into care), C5
    # (Aug 2015, before the year), C12 (never looked after).
    row = at(computed, "VS_PERM_EXCL")
    assert row.numerator == 3
    assert row.value == 3
    assert row.status == "ok"
    assert row.denominator != row.denominator  # a count has no denominator (NaN)


def test_a_count_of_nothing_is_zero_not_missing(computed):
    # Sep-Nov 2015 is held, and nobody was permanently excluded in it.
    row = at(computed, "VS_PERM_EXCL", period="2015-09-01:2015-11-30")
    assert (row.value, row.status) == (0, "ok")


def test_without_the_903_for_the_period_end_there_is_no_value(computed):
    # The 2015-16 903 alone stops at 31 Mar 2016: who was looked after on 31 Aug is not known.
    row = at(
        computed,
        "VS_PEP_TIMELY",
        data=["virtual_school/903_2016", "virtual_school/school_year_2016"],
    )
    assert row.status == "incomplete data"
    assert row.value != row.value  # NaN


def test_coverage_follows_the_school_year(computed):
    # The virtual school files cover Sep 2015 - Aug 2016: a financial year to Mar 2016 is only
    # partly held; the next school year not at all.
    result = computed(ALL, "VS_PEP_QUALITY", ["2015-04-01:2016-03-31", "2016-09-01:2017-08-31"])
    assert result.loc["2015-04-01", "status"] == "incomplete data"
    assert result.loc["2016-09-01", "status"] == "no data"
