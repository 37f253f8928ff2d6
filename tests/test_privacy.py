import hashlib
import hmac

import pyarrow as pa
import pytest

from cscmonitor.privacy import PSEUDONYM_HEX_CHARS, Pseudonymiser, load_key, postcode_district
from cscmonitor.settings import Settings


def test_pseudonyms_are_the_keyed_hmac():
    ids = Pseudonymiser(b"installation key")
    out = ids.column(pa.array(["DfEX0000001", None, "12345"])).to_pylist()
    expected = hmac.new(b"installation key", b"DfEX0000001", hashlib.sha256).hexdigest()
    assert out[0] == expected[:PSEUDONYM_HEX_CHARS]
    assert out[1] is None
    assert out[2] == hmac.new(b"installation key", b"12345", hashlib.sha256).hexdigest()[:20]


def test_another_key_gives_other_pseudonyms():
    one = Pseudonymiser(b"a").column(pa.array(["X"])).to_pylist()
    two = Pseudonymiser(b"b").column(pa.array(["X"])).to_pylist()
    assert one != two


def test_key_never_shown():
    assert "secret" not in repr(Pseudonymiser(b"secret"))


def test_key_file_made_once_and_private(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = load_key(settings)
    assert load_key(settings) == first
    assert settings.key_file.stat().st_mode & 0o777 == 0o600
    assert not settings.key_file.is_relative_to(settings.warehouse_dir)


def test_empty_key_refused():
    with pytest.raises(ValueError, match="empty"):
        Pseudonymiser(b"")


def test_postcode_district():
    got = postcode_district(pa.array(["DN1 3BU", "dn13bu", "SW1A 1AA", "DN1", None, "??"]))
    assert got.to_pylist() == ["DN1", "DN1", "SW1A", "DN1", None, None]
