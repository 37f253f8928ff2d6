"""Reading a return's CSV file as text columns, whatever the encoding Excel left it in."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cscmonitor.returns.issues import ReturnError


@dataclass(frozen=True)
class CsvText:
    """A CSV file as string columns; `locations[i]` names the file row of table row i."""

    path: Path
    table: pa.Table
    locations: list[str]

    @property
    def columns(self) -> set[str]:
        return set(self.table.column_names)


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ReturnError(
                f"{path}: not a text file (neither UTF-8 nor Windows-1252): {exc}"
            ) from None


def read_csv(path: Path) -> CsvText:
    """All cells as text, header names trimmed and upper-cased, blank lines skipped but counted."""
    data = path.read_bytes()
    if not data.strip():
        raise ReturnError(f"{path}: the file is empty")
    if b"\0" in data:
        raise ReturnError(f"{path}: the file is binary, not CSV")
    text = decode(data, path)
    # Every cell stays text here: inference would turn "007" into 7 and guess at dates.
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                auto_dict_encode=False,
                include_missing_columns=False,
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ReturnError(f"{path}: not a readable CSV file: {exc}") from None
    table = table.rename_columns([name.strip().upper() for name in table.column_names])
    # Row 1 is the header; a blank line is a row of empty cells, dropped here but counted.
    blank = None
    for column in table.columns:
        empty = pc.or_(pc.is_null(column), pc.equal(pc.utf8_trim_whitespace(column), ""))
        blank = empty if blank is None else pc.and_(blank, empty)
    keep = pc.invert(blank) if blank is not None else pa.array([], pa.bool_())
    rows = pc.indices_nonzero(keep).to_numpy() + 2
    return CsvText(path, table.filter(keep), [f"row {r}" for r in rows])
