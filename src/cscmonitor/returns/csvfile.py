"""Reading a return's CSV file as text columns, whatever the encoding Excel left it in.

Limits keep a hostile or broken file from costing unbounded time or memory: a file over
the size limit, a line over the line limit or a header over the column limit is refused
with a message before it is parsed. A row with the wrong number of cells is listed and
not loaded; the rest of the file is read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cscmonitor.returns.issues import Reading, ReturnError, Severity, problem_rows

if TYPE_CHECKING:
    from cscmonitor.settings import Settings

WHITESPACE = np.array([9, 10, 13, 32], dtype=np.uint8)


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 2048 << 20
    max_line_bytes: int = 1 << 20
    max_columns: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_file_bytes=settings.max_file_mb << 20,
            max_line_bytes=settings.max_line_kb << 10,
            max_columns=settings.max_columns,
        )


@dataclass(frozen=True)
class CsvText:
    """A CSV file as string columns; `locations[i]` names the file row of table row i."""

    path: Path
    table: pa.Table
    locations: pa.Array
    problems: pa.Table  # rows that could not be read at all
    rows_unreadable: int

    @property
    def columns(self) -> set[str]:
        return set(self.table.column_names)

    def cells(self) -> dict[str, pa.Array]:
        return {name: self.table[name].combine_chunks() for name in self.table.column_names}


def check_size(path: Path, limits: Limits) -> int:
    """The file's size, refused when over the limit."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ReturnError(
            f"{path}: the file is {size:,} bytes; the limit is {limits.max_file_bytes:,} "
            "(CSCMONITOR_MAX_FILE_MB)"
        )
    return size


def decode(data: bytes, path: Path) -> bytes:
    """UTF-8 bytes from UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReturnError(f"{path}: not readable as UTF-16 text: {exc}") from None
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReturnError(
                f"{path}: not a text file (neither UTF-8 nor Windows-1252): {exc}"
            ) from None


def _check_lines(data: bytes, path: Path, limits: Limits) -> None:
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(bytes_ == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    lengths = stops - starts
    longest = int(np.argmax(lengths))
    if int(lengths[longest]) > limits.max_line_bytes:
        raise ReturnError(
            f"{path}: line {longest + 1} is {int(lengths[longest]):,} bytes long; the limit is "
            f"{limits.max_line_bytes:,} (CSCMONITOR_MAX_LINE_KB)"
        )


def _header(data: bytes, path: Path, limits: Limits) -> tuple[list[str], str]:
    first = re.split(rb"\r\n|\n|\r", data, maxsplit=1)[0].decode("utf-8")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        names = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ReturnError(f"{path}: the header row is not readable CSV: {exc}") from None
    if len(names) > limits.max_columns:
        raise ReturnError(
            f"{path}: the header has {len(names):,} columns; the limit is {limits.max_columns:,} "
            "(CSCMONITOR_MAX_COLUMNS)"
        )
    cleaned = [name.strip().upper() for name in names]
    seen: set[str] = set()
    for name in cleaned:
        if name in seen and name:
            raise ReturnError(f"{path}: column {name} appears twice in the header")
        seen.add(name)
    return names, delimiter


def read_csv(path: Path, limits: Limits | None = None) -> CsvText:
    """All cells as text, header names trimmed and upper-cased, blank lines skipped but counted."""
    limits = limits or Limits()
    check_size(path, limits)
    raw = path.read_bytes()
    if not raw or bool(np.isin(np.frombuffer(raw, dtype=np.uint8), WHITESPACE).all()):
        raise ReturnError(f"{path}: the file is empty")
    if b"\0" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReturnError(f"{path}: the file is binary, not CSV")
    _check_lines(raw, path, limits)
    data = decode(raw, path)
    del raw
    header, delimiter = _header(data, path, limits)
    table, unreadable = _parse(data, header, delimiter, path)
    table = table.rename_columns([name.strip().upper() for name in table.column_names])
    # Row 1 is the header; a blank line is a row of empty cells, dropped here but counted.
    rows = _row_numbers(table.num_rows, unreadable)
    blank = None
    for column in table.columns:
        empty = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = empty if blank is None else pc.and_(blank, empty)
    keep = pc.invert(blank) if blank is not None else pa.array([], pa.bool_())
    kept_rows = pa.array(rows, pa.int64()).filter(keep)
    locations = pc.binary_join_element_wise("row ", kept_rows.cast(pa.string()), "")
    problems = problem_rows(
        file=str(path),
        table="",
        locations=pa.array([f"row {r}" for r in unreadable], pa.string()),
        field="",
        values="",
        rule=Reading.ROW_SHAPE,
        severity=Severity.ERROR,
        message=f"the row does not have the {len(header)} cells of the header; row not loaded",
    )
    return CsvText(path, table.filter(keep), locations, problems, len(unreadable))


def _parse(
    data: bytes, header: list[str], delimiter: str, path: Path
) -> tuple[pa.Table, list[int]]:
    """The rows as strings; rows with the wrong number of cells are skipped and numbered."""
    # Every cell stays text here: inference would turn "007" into 7 and guess at dates.
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        auto_dict_encode=False,
        include_missing_columns=False,
        check_utf8=True,
    )
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=convert,
        )
        return table, []
    except pa.ArrowInvalid as exc:
        if "Expected" not in str(exc):
            raise ReturnError(f"{path}: not a readable CSV file: {exc}") from None
    unreadable: list[int] = []

    def skip(row: pacsv.InvalidRow) -> str:
        unreadable.append(int(row.number) if row.number is not None else -1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            # Row numbers are only known to the handler when one thread reads.
            read_options=pacsv.ReadOptions(autogenerate_column_names=False, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=skip
            ),
            convert_options=convert,
        )
    except pa.ArrowInvalid as exc:
        raise ReturnError(f"{path}: not a readable CSV file: {exc}") from None
    return table, unreadable


def _row_numbers(kept: int, unreadable: list[int]) -> list[int]:
    """File row numbers (header = 1) of the rows read, skipping the unreadable ones."""
    if not unreadable:
        return list(range(2, kept + 2))
    skipped = set(unreadable)
    rows = [r for r in range(2, kept + len(unreadable) + 2) if r not in skipped]
    return rows[:kept]
