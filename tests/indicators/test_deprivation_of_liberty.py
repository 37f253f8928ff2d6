"""CLA_DOLO on hand-made SSDA903 returns (tests/data/dolo, LA 999): the 2025-26 return, which
has no DoLo table, and the 2026-27 return with one (tests/data/dolo/2027/dolo.csv).

Children looked after (an episode open, LS not V3/V4) with a deprivation of liberty order
open (DOLO_START on or before the day, DOLO_END blank or after it):
                                                     30 Jun 2026    31 Mar 2027
  L1  order from 1 May 2026, no end                   counted        counted
  L2  order 1 May–1 Aug 2026                          counted        ended
  L3  order 1 Apr–15 Jun 2026, another from 20 Jun    counted        counted (once)
  L4  order from 1 May 2026; care ended 1 Oct 2026    counted        not looked after
  L5  looked after, no order                          -              -
  L6  order from 1 May 2026, but LS V3 (short breaks) not counted    not counted
  L7  order 1 Jun 2026–31 Mar 2027 (ends on the day)  counted        ended
Q1 2026-27: 5 (L1 L2 L3 L4 L7); 2026-27: 2 (L1 L3). 2025-26: no return holds the table, so
no value ("no data"), not 0.
CLA_DOLO_SHARE: looked after at 30 Jun 2026 L1 L2 L3 L4 L5 L7 (L6 on short breaks is not):
5 of 6; at 31 Mar 2027 L1 L2 L3 L5 L7 (L4's care ended 1 Oct 2026): 2 of 5.
"""

from __future__ import annotations

import math

import pytest

Q1 = "2026-04-01:2026-06-30"
FY2026 = "2026-04-01:2027-03-31"
FY2025 = "2025-04-01:2026-03-31"


@pytest.mark.parametrize(("period", "count"), [(Q1, 5), (FY2026, 2)])
def test_children_under_an_order_at_the_end_by_hand(computed, period, count):
    result = computed(["dolo"], "CLA_DOLO", [period]).loc["2026-04-01"]
    assert result.numerator == count
    assert result.value == count
    assert result.status == "ok"


def test_a_year_before_the_table_was_collected_has_no_value_not_zero(computed):
    result = computed(["dolo"], "CLA_DOLO", [FY2025]).loc["2025-04-01"]
    assert result.status == "no data"
    assert math.isnan(result.value)


@pytest.mark.parametrize(("period", "counted", "cohort"), [(Q1, 5, 6), (FY2026, 2, 5)])
def test_the_share_of_children_looked_after_under_an_order_by_hand(
    computed, period, counted, cohort
):
    result = computed(["dolo"], "CLA_DOLO_SHARE", [period]).loc["2026-04-01"]
    assert (result.numerator, result.denominator) == (counted, cohort)
    assert result.value == pytest.approx(counted / cohort * 100)


def test_the_share_before_the_table_was_collected_has_no_value(computed):
    result = computed(["dolo"], "CLA_DOLO_SHARE", [FY2025]).loc["2025-04-01"]
    assert result.status == "no data"
