"""What the privacy settings do to a column, and the key check that never reveals the key."""

import datetime as dt
import hashlib
import hmac

import pyarrow as pa
import pytest

from cscmonitor.privacy import Pseudonymiser, key_check, reduce_birth_dates, reduce_postcodes


def test_birth_dates_by_day_or_month():
    dates = pa.array([dt.date(2015, 3, 27), dt.date(2016, 2, 29), None])
    assert reduce_birth_dates(dates, "day").equals(dates)
    assert reduce_birth_dates(dates, "month").to_pylist() == [
        dt.date(2015, 3, 1),
        dt.date(2016, 2, 1),
        None,
    ]
    with pytest.raises(ValueError, match="not 'day' or 'month'"):
        reduce_birth_dates(dates, "year")


def test_postcodes_by_district_or_none():
    districts = pa.array(["DN1", None])
    assert reduce_postcodes(districts, "district").equals(districts)
    assert reduce_postcodes(districts, "none").to_pylist() == [None, None]


def test_the_key_check_is_an_hmac_of_a_fixed_text_not_the_key():
    key = b"installation key"
    expected = hmac.new(key, b"cscmonitor pseudonymisation key check", hashlib.sha256)
    assert key_check(key) == expected.hexdigest()[:16]
    assert key_check(key) != key_check(b"another key")
    assert "installation" not in key_check(key)


def test_pseudonyms_are_the_same_however_often_an_id_is_seen():
    ids = Pseudonymiser(b"k")
    first = ids.column(pa.array(["A", "B", "A", None]))
    again = ids.column(pa.array(["B", "C", "A"]))
    assert first.to_pylist()[0] == first.to_pylist()[2] == again.to_pylist()[2]
    assert first.to_pylist()[1] == again.to_pylist()[0]
    assert first.to_pylist()[3] is None
    fresh = Pseudonymiser(b"k").column(pa.array(["C"]))
    assert fresh.to_pylist() == [again.to_pylist()[1]]
