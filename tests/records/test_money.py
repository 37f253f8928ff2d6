"""Money is whole pence, read from pounds exactly."""

from __future__ import annotations

import pytest

from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import format_pounds, pence_to_pounds, pounds_to_pence


@pytest.mark.parametrize(
    ("pounds", "pence"),
    [
        (42_200_000, 4_220_000_000),
        ("-111000", -11_100_000),
        ("£1,234.56", 123_456),
        (0.1, 10),  # through its text, not 0.1000000000000000055511151231257827
        (19.99, 1999),
        ("1_000", 100_000),
    ],
)
def test_pounds_become_exact_pence(pounds, pence):
    assert pounds_to_pence(pounds) == pence


@pytest.mark.parametrize("bad", ["1.005", "twelve", None, True, "nan"])
def test_what_is_not_pounds_and_pence_is_refused(bad):
    with pytest.raises(RecordsError, match="amount"):
        pounds_to_pence(bad)


def test_pence_are_written_back_as_pounds():
    assert pence_to_pounds(4_220_000_000) == 42_200_000
    assert pence_to_pounds(-123_456) == "-1234.56"
    assert pounds_to_pence(pence_to_pounds(-123_456)) == -123_456
    assert format_pounds(-34_800_000) == "-£348,000"
    assert format_pounds(123_405) == "£1,234.05"
