"""Pseudonymisation and reduction of personal data at ingest.

Child and worker ids become a keyed HMAC-SHA256 (the key stays with the
installation), so the same child joins across years and returns while the
warehouse never holds the council's own id. The HMAC is computed by DuckDB over
the whole column at once: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)).
Dates of birth can be reduced to their month and postcodes to their district (or
dropped), as the installation's settings say. The key is never written anywhere but
its own file, which lives outside the data directory (a copy of the data, a backup say, is
then no copy of the key); the warehouse keeps only a check value (an HMAC of a fixed text)
so that a later ingest with another key is refused instead of silently breaking every join.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.settings_fields import SettingsFields, default_key_file

_BLOCK = 64  # SHA-256 block size in bytes
PSEUDONYM_HEX_CHARS = 20  # 80 bits: collisions negligible at national scale


log = logging.getLogger(__name__)


class KeyLocationError(ValueError):
    """A pseudonymisation key kept where production must not keep it."""


def load_key(settings: SettingsFields) -> bytes:
    """The installation's pseudonymisation key: from settings, else from (or new in) its file."""
    path = key_path(settings)
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return Path(path).read_text().strip().encode()


def key_path(settings: SettingsFields) -> Path:
    """The key file to read (or make): `key_file`, unless a key is still in the data directory.

    A key under the data directory goes into every copy of the data: production refuses it;
    development still reads it (it is the key the warehouse was built with) and says how
    to move it.
    """
    chosen, legacy = settings.key_file, settings.legacy_key_file
    inside = [p for p in dict.fromkeys((legacy, chosen)) if _inside(p, settings.data_dir)]
    held = [p for p in inside if p.exists()]
    if settings.pseudonym_key is None and chosen in inside and chosen not in held:
        held.append(chosen)  # it would be made there
    if not held:
        return chosen
    found = held[0]
    home = default_key_file().parent
    move = (
        f"move it out (mkdir -p {home} && mv {found} {home}/, or into a key vault: "
        "docs/security.md) and set CSCMONITOR_KEY_FILE to its new path"
    )
    if settings.environment == "production":
        raise KeyLocationError(
            f"the pseudonymisation key is kept in the data directory ({found}); production "
            f"refuses it: {move}"
        )
    if settings.pseudonym_key is None:
        log.warning("the pseudonymisation key is in the data directory (%s): %s", found, move)
    return found


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@cache
def database() -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB for small vectorised work: the pseudonyms here, the
    cells of returns (`returns.columns.cursor`) and their report. One, because each DuckDB
    instance holds about 25 MB of its own; each user takes a cursor of it."""
    return duckdb.connect()


# Ids whose pseudonyms one pseudonymiser keeps (a national 903 return has about 100,000
# children; a million ids and pseudonyms take about 40 MB).
CACHED_IDS = 1_000_000


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
        self._ids = pa.array([], pa.string())
        self._pseudonyms = pa.array([], pa.string())

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<key hidden>)"

    def column(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Pseudonyms for a string column; nulls stay null.

        Each distinct id is hashed once per pseudonymiser (a child appears in many rows
        and tables of a return, and in every year's returns), up to `CACHED_IDS` ids; past
        that, each call hashes its own distinct ids, so memory stays bounded however
        large the return.
        """
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        values = values.cast(pa.string())
        if len(self._ids):
            # Most tables of a return name children met already: one lookup, no new ids.
            at = pc.index_in(values, self._ids)
            if at.null_count == values.null_count:
                return pc.take(self._pseudonyms, at)
        distinct = pc.unique(values.drop_null())
        new = distinct.filter(pc.invert(pc.is_in(distinct, self._ids)))
        if len(new) and len(self._ids) + len(new) > CACHED_IDS:
            return pc.take(self._hash(distinct), pc.index_in(values, distinct))
        if len(new):
            self._ids = pa.concat_arrays([self._ids, new])
            self._pseudonyms = pa.concat_arrays([self._pseudonyms, self._hash(new)])
        return pc.take(self._pseudonyms, pc.index_in(values, self._ids))

    def _hash(self, values: pa.Array) -> pa.Array:
        con = database().cursor()
        try:
            con.register("ids", pa.table({"v": values}))
            out = con.sql(
                "SELECT left(sha256($outer || unhex(sha256($inner || encode(v)))), $n) AS p "
                "FROM ids",
                params={"outer": self._outer, "inner": self._inner, "n": PSEUDONYM_HEX_CHARS},
            ).to_arrow_table()
        finally:
            con.close()
        return out.column("p").combine_chunks().cast(pa.string())


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


def key_check(key: bytes) -> str:
    """A value that tells keys apart without revealing them (HMAC of a fixed text)."""
    return hmac.new(key, b"cscmonitor pseudonymisation key check", hashlib.sha256).hexdigest()[:16]


# The precisions `reduce_table` leaves a column as it is.
BIRTH_DATES_AS_GIVEN = "day"
POSTCODES_AS_HELD = "district"


def reduce_birth_dates(values: pa.Array | pa.ChunkedArray, precision: str) -> pa.Array:
    """Dates of birth as given ("day") or as the first day of their month ("month")."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if precision == BIRTH_DATES_AS_GIVEN:
        return values
    if precision != "month":
        raise ValueError(f"birth date precision {precision!r} is not 'day' or 'month'")
    return pc.floor_temporal(values, unit="month")


def reduce_postcodes(values: pa.Array | pa.ChunkedArray, precision: str) -> pa.Array:
    """Postcode districts as held ("district") or none at all ("none")."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if precision == POSTCODES_AS_HELD:
        return values
    if precision != "none":
        raise ValueError(f"postcode precision {precision!r} is not 'district' or 'none'")
    return pa.nulls(len(values), pa.string())


def reduces(
    *, birth_dates: Sequence[str], postcodes: Sequence[str], settings: SettingsFields
) -> bool:
    """Whether `reduce_table` changes a table with these columns (not when the settings
    keep birth dates to the day and postcodes as their district)."""
    return bool(birth_dates and settings.birth_date_precision != BIRTH_DATES_AS_GIVEN) or bool(
        postcodes and settings.postcode_precision != POSTCODES_AS_HELD
    )


def reduce_table(
    table: pa.Table,
    *,
    birth_dates: Sequence[str],
    postcodes: Sequence[str],
    settings: SettingsFields,
) -> pa.Table:
    """A table with its birth date and postcode columns reduced as the settings say."""
    for name in birth_dates:
        i = table.schema.get_field_index(name)
        table = table.set_column(
            i, name, reduce_birth_dates(table[name], settings.birth_date_precision)
        )
    for name in postcodes:
        i = table.schema.get_field_index(name)
        table = table.set_column(
            i, name, reduce_postcodes(table[name], settings.postcode_precision)
        )
    return table
