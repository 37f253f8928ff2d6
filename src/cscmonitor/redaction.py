"""What a validation report kept at rest may show: no raw identifier, no server path.

Problems quote cells of the returns. Ids are pseudonymised before any check runs, but a
cell that never became an id (a repeated `<LAchildID>`, a UPN in the wrong column, stray
text) is quoted as written. So, column-wise over the whole problem table: values of
identifier fields are withheld, anything shaped like a UPN is withheld and a full postcode
is cut to its district, wherever it appears; the folder the files were checked in is cut
from file names and messages, leaving each file's own name.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.returns import catalog
from cscmonitor.returns.schema import Kind

WITHHELD = "[withheld]"
# Server folders, each with the words that stand for it in what a person reads.
Folders = Mapping[str, str] | None
# A UPN: a letter, 11 digits, a digit or letter (DfE's format); a full postcode: its district,
# then the inward code (digit and two letters), with or without the space.
UPN = r"\b[A-Za-z][0-9]{11}[0-9A-Za-z]\b"
POSTCODE = r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?) ?[0-9][A-Za-z]{2}\b"
# Fields whose cells identify a person (as the returns name them), and those the returns
# drop (UPNs), in every format.
IDENTIFIER_FIELDS = frozenset(
    {
        c.source
        for spec in catalog.TABLES.values()
        for c in spec.columns
        if c.kind in (Kind.ID, Kind.POSTCODE)
    }
    | {"UPN", "FormerUPN", "UPNunknown"}
)


def text(values: pa.Array | pa.ChunkedArray, folders: Folders = None) -> pa.ChunkedArray:
    """A text column with UPNs withheld, postcodes cut to their district, and each server
    folder cut from the paths below it (and named as `folders` says where it stands alone)."""
    out = pc.cast(values, pa.string())
    named = folders or {}
    for folder in sorted(named, key=len, reverse=True):  # the deepest first
        out = pc.replace_substring(out, folder.rstrip("/") + "/", "")
        out = pc.replace_substring(out, folder.rstrip("/"), named[folder])
    out = pc.replace_substring_regex(out, UPN, f"[UPN {WITHHELD[1:]}")
    return pc.replace_substring_regex(out, POSTCODE, r"\1 " + WITHHELD)


def problems(table: pa.Table, folders: Folders = None) -> pa.Table:
    """A problem table fit to keep: every text column redacted, identifier cells withheld."""
    identifying = pc.and_(
        pc.is_in(table["field"], pa.array(sorted(IDENTIFIER_FIELDS), pa.string())),
        pc.not_equal(table["value"], ""),
    )
    columns = {}
    for name in table.column_names:
        column = text(table[name], folders)
        if name == "value":
            column = pc.if_else(identifying, pa.scalar(WITHHELD), column)
        columns[name] = column
    return pa.table(columns, schema=table.schema)


def summary(table: pa.Table, folders: Folders = None) -> pa.Table:
    """The per-file summary with the checking folder cut from its file names."""
    if "file" not in table.column_names:
        return table
    at = table.schema.get_field_index("file")
    return table.set_column(at, "file", text(table["file"], folders))
