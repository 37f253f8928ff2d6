"""SW_AGENCY and SW_TURNOVER on a hand-made workforce file (tests/data/workforce, at 30 Sep 2015).

Registered social workers in post at 30 Sep 2015 (FTE):
  employed: W1 1.0, W2 0.5, W9 1.0 (a registered manager), W10 0.5 (started that day),
            W12 1.0, W13 1.0 = 5.0
  agency:   W6 1.0, W11 0.4 = 1.4   (W7's assignment ended in May: not in post)
  not counted: W8 (not registered); W3 left in March; W4 left on 30 Sep itself (a leaver).
Employed leavers in the 12 months to 30 Sep 2015: W3 1.0 + W4 0.8 = 1.8 (W7 is agency).
Agency rate = 1.4 / 6.4 = 21.875%; turnover = 1.8 / 5.0 = 36%.
"""

import pytest

YEAR = "2014-10-01:2015-09-30"


def test_agency_rate_by_hand(computed):
    year = computed(["workforce"], "SW_AGENCY", [YEAR]).loc["2014-10-01"]
    assert year.numerator == pytest.approx(1.4)
    assert year.denominator == pytest.approx(6.4)
    assert year.value == pytest.approx(21.875)


def test_turnover_by_hand(computed):
    year = computed(["workforce"], "SW_TURNOVER", [YEAR]).loc["2014-10-01"]
    assert year.numerator == pytest.approx(1.8)
    assert year.denominator == pytest.approx(5.0)
    assert year.value == pytest.approx(36.0)
    # Exact Poisson interval on 1.8 leavers, over 5.0 FTE.
    assert year.ci_lower < 36.0 < year.ci_upper


def test_turnover_at_an_earlier_date(computed):
    # At 31 Mar 2015 (12 months from 1 Apr 2014): in post employed W1 1.0, W2 0.5, W4 0.8, W9 1.0,
    # W12 1.0, W13 1.0 = 5.3 (W3 left 1 Mar 2015: a leaver, 1.0; W8 not registered).
    half = computed(["workforce"], "SW_TURNOVER", ["2014-10-01:2015-03-31"]).loc["2014-10-01"]
    assert half.denominator == pytest.approx(5.3)
    assert half.numerator == pytest.approx(1.0)


def test_a_period_the_returns_only_partly_cover_has_no_value(computed):
    # The workforce file covers Oct 2014 - Sep 2015; Apr 2015 - Mar 2016 would count leavers and
    # staff in post at 31 Mar 2016 from half a year of records.
    later = computed(["workforce"], "SW_TURNOVER", ["2015-04-01:2016-03-31"]).loc["2015-04-01"]
    assert later.status == "incomplete data"
    assert later.value != later.value  # NaN


# SW_VACANCY and SW_CASELOAD on tests/data/vacancies: workers files at 30 Sep 2015 and 30 Sep 2016,
# and vacancy counts on 31 Mar 2015, 30 Sep 2015 and 30 Sep 2016.
#
# Case holders at 30 Sep 2015 (registered, in post, one or more cases), cases / FTE:
#   V1 20/1.0, V2 10/0.5, V3 22/1.0 (agency counts), V8 18/1.0, V9 9/0.5 (agency), V10 16/1.0
#   = 95 cases / 5.0 FTE = 19.0.  Not case holders: V4 (0 cases), V5 (not registered),
#   V6 (left on 30 Sep), V7 (a manager, cases blank).
# Case holders at 30 Sep 2016: V1 12/1.0, V2 6/0.5, V8 14/1.0, V9 8/0.5, V10 10/1.0, V11 12/1.0,
#   V12 4/1.0 (started on 30 Sep itself: in post) = 66 / 6.0 = 11.0.  V3's assignment ended.
#   The 2016 file restates V1, V2, V8, V9 and V10 with their 2016 cases; 2015's figure must
#   still come from the cases held on 30 Sep 2015.
# Employed FTE in post (registered, not agency), the vacancy rate's denominator with the vacancies:
#   30 Sep 2015: V1 1.0, V2 0.5, V4 1.0, V7 1.0, V8 1.0, V10 1.0 = 5.5; vacant 2.5 -> 2.5/8.0
#   30 Sep 2016: those and V11 1.0, V12 1.0 = 7.5; vacant 2.5 -> 2.5/10.0
#   31 Mar 2015: V1, V2 0.5, V4, V6 0.8 (not yet left), V7, V8, V10 = 6.3; vacant 3.0 -> 3.0/9.3
YEARS = ["2014-10-01:2015-09-30", "2015-10-01:2016-09-30"]


def test_vacancy_rate_by_hand(computed):
    result = computed(["vacancies"], "SW_VACANCY", YEARS)
    assert result.loc["2014-10-01", "numerator"] == pytest.approx(2.5)
    assert result.loc["2014-10-01", "denominator"] == pytest.approx(8.0)
    assert result.loc["2014-10-01", "value"] == pytest.approx(31.25)
    assert result.loc["2015-10-01", "denominator"] == pytest.approx(10.0)
    assert result.loc["2015-10-01", "value"] == pytest.approx(25.0)
    assert (result["status"] == "ok").all()


def test_vacancy_rate_at_another_counted_date(computed):
    half = computed(["vacancies"], "SW_VACANCY", ["2014-10-01:2015-03-31"]).loc["2014-10-01"]
    assert half.numerator == pytest.approx(3.0)
    assert half.denominator == pytest.approx(9.3)
    assert half.value == pytest.approx(300 / 9.3)


def test_no_vacancy_count_on_the_period_end_is_no_value_not_zero(computed):
    # Nothing counted on 31 Mar 2016: employed staff alone must not make a 0% vacancy rate.
    half = computed(["vacancies"], "SW_VACANCY", ["2015-10-01:2016-03-31"]).loc["2015-10-01"]
    assert half.denominator == 0
    assert half.status == "insufficient data"
    assert half.value != half.value  # NaN


def test_caseload_by_hand_keeps_each_census_dates_cases(computed):
    result = computed(["vacancies"], "SW_CASELOAD", YEARS)
    assert result.loc["2014-10-01", "numerator"] == 95
    assert result.loc["2014-10-01", "denominator"] == pytest.approx(5.0)
    assert result.loc["2014-10-01", "value"] == pytest.approx(19.0)
    assert result.loc["2015-10-01", "numerator"] == 66
    assert result.loc["2015-10-01", "denominator"] == pytest.approx(6.0)
    assert result.loc["2015-10-01", "value"] == pytest.approx(11.0)
    # A ratio of means has no interval here.
    assert result["ci_lower"].isna().all()


def test_caseload_needs_a_census_date_at_period_end(computed):
    # Cases are counted on 30 September only; 31 March has none to divide.
    half = computed(["vacancies"], "SW_CASELOAD", ["2014-10-01:2015-03-31"]).loc["2014-10-01"]
    assert half.status == "insufficient data"


# SW_ETHNIC_MINORITY on tests/data/workforce_ethnicity (a workers file with ETHNICITY, at
# 30 Sep 2026). Employed, registered workers in post at 30 Sep 2026, any role:
#   E1 WBRI, E4 WIRI, E11 WOTH (a senior manager): known, White
#   E2 BAFR, E3 MWBC, E5 AIND: known, not White (counted)
#   E12: two rows (left 1 Nov 2025, back 1 Jan 2026), WBRI: one worker, White
#   not in the denominator: E6 REFU and E13 NOBT (not known), E7 blank, E8 agency,
#   E9 not registered, E10 left on 30 Sep 2026 itself.
# 3 of 7 = 42.857%.
ETHNICITY_YEAR = "2025-10-01:2026-09-30"


def test_ethnic_minority_share_by_hand(computed):
    year = computed(["workforce_ethnicity"], "SW_ETHNIC_MINORITY", [ETHNICITY_YEAR])
    year = year.loc["2025-10-01"]
    assert (year.numerator, year.denominator) == (3, 7)
    assert year.value == pytest.approx(3 / 7 * 100)
    assert year.status == "ok"


def test_a_workers_file_without_ethnicity_gives_no_value_not_zero(computed):
    # tests/data/workforce has no ETHNICITY column: no worker of known ethnicity.
    year = computed(["workforce"], "SW_ETHNIC_MINORITY", [YEAR]).loc["2014-10-01"]
    assert year.denominator == 0
    assert year.status == "insufficient data"
    assert year.value != year.value  # NaN, never 0%
