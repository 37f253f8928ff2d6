"""Placement distances from postcodes, through the installation's postcode lookup.

The 903's `PL_DISTANCE` is the straight-line distance in miles between the child's home
postcode (HOME_POST) and the placement's (PL_POST), from their Ordnance Survey grid
references: √((E_home − E_pl)² + (N_home − N_pl)²) / 1000 / 1.6093, to one decimal place,
as the DfE guidance gives it. The grid references come from a CSV file the installation
provides (`Settings.postcode_lookup`, `CSCMONITOR_POSTCODE_LOOKUP`; docs/postcodes.md):
columns `postcode`, `easting`, `northing` (metres), e.g. cut from the ONS Postcode
Directory (`pcds`, `oseast1m`, `osnrth1m`). Distances are worked out at ingest while the
whole postcodes are still at hand, before they are reduced to their district or dropped,
by one join of the episodes' postcodes with the lookup (no loop over rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.returns.columns import Where, clean_text, cursor, to_number
from cscmonitor.returns.csvfile import Limits, batches, numbered, open_file
from cscmonitor.returns.issues import ReturnError

FIELDS = ("postcode", "easting", "northing")
# A PL_DISTANCE a return gives as 999.9 says the distance is not known (DfE rule 454).
NOT_KNOWN = 999.9
KM_PER_MILE = 1.6093  # the guidance's figure


class PostcodeLookupError(ReturnError):
    """A postcode lookup that cannot be used; the message names the file, row and field."""


def normalised(postcodes: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Postcodes upper-cased without spaces ("dn1 3bu" → "DN13BU"); blank is null."""
    compact = pc.replace_substring(pc.utf8_upper(clean_text(postcodes)), " ", "")
    return pc.if_else(pc.equal(compact, ""), pa.scalar(None, pa.string()), compact)


@dataclass(frozen=True)
class PostcodeLookup:
    """Grid references by postcode: `postcode` (normalised, each once), `easting`, `northing`."""

    path: Path
    grid: pa.Table

    @classmethod
    def read(cls, path: Path, limits: Limits | None = None) -> PostcodeLookup:
        """The lookup from its CSV file; a postcode without a grid reference is left out (not
        known), and a file that cannot serve is refused with its file, row and field."""
        try:
            file = open_file(path, limits)
        except ReturnError as exc:
            raise PostcodeLookupError(f"postcode lookup: {exc}") from None
        missing = [f for f in FIELDS if f.upper() not in file.columns]
        if missing:
            raise PostcodeLookupError(
                f"{path}: the postcode lookup has no {', '.join(missing)} column "
                f"(it needs {', '.join(FIELDS)}; found {', '.join(file.header)})"
            )
        parts = []
        for chunk in batches(file):
            if chunk.rows_unreadable:
                first = chunk.problems["location"][0].as_py()
                raise PostcodeLookupError(
                    f"{path} {first}: the row does not have the {len(file.header)} cells of "
                    "the header"
                )
            where = Where(str(path), "postcode lookup", chunk.locations)
            columns = {"postcode": normalised(chunk.table["POSTCODE"])}
            for field in ("easting", "northing"):
                numbers, bad = to_number(
                    chunk.table[field.upper()], pa.float64(), where=where, field=field
                )
                if bad.num_rows:
                    row = bad.slice(0, 1).to_pylist()[0]
                    raise PostcodeLookupError(
                        f"{path} {row['location']}, field {field}: {row['value']!r} is not "
                        "a number of metres"
                    )
                columns[field] = numbers
            part = pa.table(columns)
            known = pc.and_(
                pc.is_valid(part["postcode"]),
                pc.and_(pc.is_valid(part["easting"]), pc.is_valid(part["northing"])),
            )
            parts.append(part.filter(known))
        grid = pa.concat_tables(parts)
        _refuse_repeats(path, grid)
        return cls(path, grid)

    def miles(self, home: pa.Array, placed: pa.Array) -> pa.Array:
        """The distance in miles between each pair of postcodes, to 1 dp (halves to even, as
        pandas rounds); null where either is blank or not in the lookup."""
        pairs = pa.table(
            {
                "i": numbered(0, len(home)),
                "home": normalised(home),
                "placed": normalised(placed),
            }
        )
        con = cursor()
        try:
            con.register("grid", self.grid)
            con.register("pairs", pairs)
            found = con.sql(
                "SELECT sqrt(power(h.easting - p.easting, 2) + power(h.northing - p.northing, 2))"
                f" / 1000 / {KM_PER_MILE} AS miles FROM pairs q "
                "LEFT JOIN grid h ON h.postcode = q.home "
                "LEFT JOIN grid p ON p.postcode = q.placed ORDER BY q.i"
            ).to_arrow_table()
        finally:
            con.close()
        miles = found["miles"].combine_chunks().cast(pa.float64())
        return pc.round(miles, ndigits=1, round_mode="half_to_even")


def _refuse_repeats(path: Path, grid: pa.Table) -> None:
    """A postcode listed twice would give an episode two distances: refused, naming it."""
    con = cursor()
    try:
        con.register("grid", grid)
        repeated = con.execute(
            "SELECT postcode, count(*) AS n, count(*) OVER () AS postcodes FROM grid "
            "GROUP BY postcode HAVING count(*) > 1 ORDER BY postcode LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    if repeated:
        postcode, times, postcodes = repeated[0]
        raise PostcodeLookupError(
            f"{path}, field postcode: {postcode} is in the lookup {times} times ({postcodes} "
            "postcodes are listed more than once); each postcode needs one grid reference"
        )
