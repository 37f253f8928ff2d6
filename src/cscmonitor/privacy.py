"""Pseudonymisation of identifiers at ingest.

Child and worker ids become a keyed HMAC-SHA256 (the key stays with the
installation), so the same child joins across years and returns while the
warehouse never holds the council's own id. The HMAC is computed by DuckDB over
the whole column at once: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.settings import Settings

_BLOCK = 64  # SHA-256 block size in bytes
PSEUDONYM_HEX_CHARS = 20  # 80 bits: collisions negligible at national scale


def load_key(settings: Settings) -> bytes:
    """The installation's pseudonymisation key: from settings, else from (or new in) its file."""
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode()
    path = settings.key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return Path(path).read_text().strip().encode()


class Pseudonymiser:
    """Keyed HMAC of identifier columns, vectorised in DuckDB."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the pseudonymisation key is empty")
        if len(key) > _BLOCK:
            raise ValueError("the pseudonymisation key must be at most 64 bytes")
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = bytes(b ^ 0x36 for b in padded)
        self._outer = bytes(b ^ 0x5C for b in padded)

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<key hidden>)"

    def column(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonyms for a string column; nulls stay null."""
        con = duckdb.connect()
        con.register("ids", pa.table({"v": values}))
        out = con.sql(
            "SELECT CASE WHEN v IS NULL THEN NULL ELSE "
            "left(sha256($outer || unhex(sha256($inner || encode(v)))), $n) END AS p FROM ids",
            params={"outer": self._outer, "inner": self._inner, "n": PSEUDONYM_HEX_CHARS},
        ).to_arrow_table()
        return out.column("p").combine_chunks()


def postcode_district(postcodes: pa.Array) -> pa.Array:
    """The outward code (district) of each postcode, e.g. "DN1 3BU" -> "DN1"; else blank."""
    compact = pc.replace_substring(pc.utf8_upper(postcodes), " ", "")
    # A full postcode ends in a 3-character inward code; a shorter value may be a district.
    outward = pc.if_else(
        pc.greater_equal(pc.utf8_length(compact), 5),
        pc.utf8_slice_codeunits(compact, 0, -3),
        compact,
    )
    valid = pc.match_substring_regex(outward, r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
    return pc.if_else(valid, outward, pa.scalar(None, pa.string()))
