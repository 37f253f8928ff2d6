"""Reading a return's CSV file as text columns, whatever the encoding Excel left it in.

Limits keep a hostile or broken file from costing unbounded time or memory: a file over
the size limit, a line over the line limit or a header over the column limit is refused
with a message before it is parsed. A row with the wrong number of cells is listed and
not loaded; the rest of the file is read. A file is checked in one pass over its bytes and
its rows read a block at a time (`open_file`, `batches`), so memory does not grow with it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cscmonitor.returns.issues import Reading, ReturnError, Severity, problem_rows

if TYPE_CHECKING:
    from cscmonitor.settings_fields import SettingsFields

WHITESPACE = b"\t\n\r "
# Bytes read at a time: a file is never held whole, however large.
BLOCK_BYTES = 16 << 20


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 2048 << 20
    max_line_bytes: int = 1 << 20
    max_columns: int = 1000

    @classmethod
    def from_settings(cls, settings: SettingsFields) -> Limits:
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


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
# Bytes Windows-1252 leaves undefined: a file holding one is not text in that encoding.
NOT_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
NEWLINE = pa.scalar(10, pa.uint8())


@dataclass(frozen=True)
class CsvFile:
    """A CSV file found readable by one pass over its bytes (size, emptiness, binary, line
    lengths, encoding), with its header and checksum; its rows are read by `batches`."""

    path: Path
    header: list[str]  # as written in the file
    delimiter: str
    encoding: str  # for Arrow: "utf8", or a codec it transcodes through
    sha256: str

    @property
    def columns(self) -> set[str]:
        return {name.strip().upper() for name in self.header}


@dataclass
class _Scan:
    """What one pass over a file's bytes found."""

    first: bytes = b""  # the first block, for the header
    blank: bool = True  # nothing but whitespace so far
    nul: bool = False
    utf8: bool = True
    cp1252: bool = True
    utf8_error: str = ""
    longest: int = 0
    longest_line: int = 0
    lines: int = 0  # complete lines so far
    open_line: int = 0  # bytes of the line not yet ended


def _scan(path: Path, digest: Any) -> _Scan:
    found = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(BLOCK_BYTES), b""):
            digest.update(block)
            if not found.first:
                found.first = block
                if block.startswith(UTF8_BOM):
                    block = block[3:]
            if found.blank and block.strip(WHITESPACE):
                found.blank = False
            found.nul = found.nul or b"\0" in block
            found.cp1252 = found.cp1252 and not any(byte in block for byte in NOT_CP1252)
            if found.utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    found.utf8, found.utf8_error = False, str(exc)
            _measure_lines(found, block)
    if found.utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            found.utf8, found.utf8_error = False, str(exc)
    _line_ended(found, found.open_line)
    return found


def _measure_lines(found: _Scan, block: bytes) -> None:
    data = pa.Array.from_buffers(pa.uint8(), len(block), [None, pa.py_buffer(block)])
    ends = pc.indices_nonzero(pc.equal(data, NEWLINE)).cast(pa.int64())
    if not len(ends):
        found.open_line += len(block)
        return
    # Each line's length without its newline; the first goes on from the last block's.
    first = pa.array([ends[0].as_py() + found.open_line], pa.int64())
    lengths = pa.concat_arrays([first, pc.subtract(pc.pairwise_diff(ends), 1)[1:]])
    longest = pc.max(lengths)
    if longest.as_py() > found.longest:
        at = pc.index(lengths, longest).as_py()
        found.longest, found.longest_line = longest.as_py(), found.lines + at + 1
    found.lines += len(ends)
    found.open_line = len(block) - ends[-1].as_py() - 1


def _line_ended(found: _Scan, length: int) -> None:
    if length > found.longest:
        found.longest, found.longest_line = length, found.lines + 1


def open_file(path: Path, limits: Limits | None = None) -> CsvFile:
    """The file checked for reading, in one pass over its bytes (none held at once)."""
    limits = limits or Limits()
    check_size(path, limits)
    digest = hashlib.sha256()
    found = _scan(path, digest)
    if found.blank:
        raise ReturnError(f"{path}: the file is empty")
    utf16 = found.first.startswith(UTF16_BOMS)
    if found.nul and not utf16:
        raise ReturnError(f"{path}: the file is binary, not CSV")
    if found.longest > limits.max_line_bytes:
        raise ReturnError(
            f"{path}: line {found.longest_line} is {found.longest:,} bytes long; the limit is "
            f"{limits.max_line_bytes:,} (CSCMONITOR_MAX_LINE_KB)"
        )
    if utf16:
        encoding = "utf-16"
    elif found.utf8:
        encoding = "utf8"
    elif found.cp1252:
        encoding = "cp1252"
    else:
        raise ReturnError(
            f"{path}: not a text file (neither UTF-8 nor Windows-1252): {found.utf8_error}"
        )
    header, delimiter = _header(_first_line(found.first, encoding, path), path, limits)
    return CsvFile(path, header, delimiter, encoding, digest.hexdigest())


def _first_line(first: bytes, encoding: str, path: Path) -> str:
    if encoding == "utf-16":
        try:
            text = first.decode("utf-16", errors="strict" if len(first) < BLOCK_BYTES else "ignore")
        except UnicodeDecodeError as exc:
            raise ReturnError(f"{path}: not readable as UTF-16 text: {exc}") from None
    else:
        if first.startswith(UTF8_BOM):
            first = first[3:]
        text = first.decode("utf-8" if encoding == "utf8" else encoding, errors="ignore")
    return re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]


def _header(first: str, path: Path, limits: Limits) -> tuple[list[str], str]:
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
    return read(open_file(path, limits))


def read(file: CsvFile) -> CsvText:
    """A whole file's rows at once (for small files; large ones are read by `batches`)."""
    chunks = list(batches(file))
    if len(chunks) == 1:
        return chunks[0]
    return CsvText(
        file.path,
        pa.concat_tables([c.table for c in chunks]),
        pa.concat_arrays([c.locations for c in chunks]),
        pa.concat_tables([c.problems for c in chunks]),
        sum(c.rows_unreadable for c in chunks),
    )


def batches(file: CsvFile, block_bytes: int = BLOCK_BYTES) -> Iterator[CsvText]:
    """The file's rows a block at a time, each block with its rows' file row numbers and its
    rows that could not be read (the wrong number of cells); at least one, maybe empty."""
    unreadable: list[int] = []

    def skip(row: pacsv.InvalidRow) -> str:
        unreadable.append(int(row.number) if row.number is not None else -1)
        return "skip"

    # Every cell stays text here: inference would turn "007" into 7 and guess at dates.
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in file.header},
        strings_can_be_null=False,
        auto_dict_encode=False,
        include_missing_columns=False,
        check_utf8=True,
    )
    names = [name.strip().upper() for name in file.header]
    next_row = 2  # row 1 is the header
    sent = False
    try:
        reader = pacsv.open_csv(
            file.path,
            # Row numbers are only known to the handler when one thread reads.
            read_options=pacsv.ReadOptions(
                use_threads=False, block_size=block_bytes, encoding=file.encoding
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=file.delimiter, ignore_empty_lines=False, invalid_row_handler=skip
            ),
            convert_options=convert,
        )
        for batch in reader:
            table = pa.Table.from_batches([batch]).rename_columns(names)
            rows, next_row = _row_numbers(next_row, table.num_rows, unreadable)
            skipped = [r for r in unreadable if r < next_row or not table.num_rows]
            unreadable = [r for r in unreadable if r not in set(skipped)]
            sent = True
            yield _chunk(file, table, rows, skipped)
    except pa.ArrowInvalid as exc:
        raise ReturnError(f"{file.path}: not a readable CSV file: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ReturnError(f"{file.path}: not readable as {file.encoding} text: {exc}") from None
    if unreadable or not sent:
        empty = pa.table({n: pa.array([], pa.string()) for n in names})
        yield _chunk(file, empty, pa.array([], pa.int64()), unreadable)


def numbered(start: int, n: int) -> pa.Array:
    """start, start + 1, … (`n` of them, int64), made by Arrow: no Python int per row."""
    ones = pa.repeat(pa.scalar(1, pa.int64()), n)
    return pc.add(pc.cumulative_sum(ones), pa.scalar(start - 1, pa.int64()))


def _row_numbers(next_row: int, kept: int, unreadable: list[int]) -> tuple[pa.Array, int]:
    """File row numbers of the next `kept` rows read, skipping the unreadable ones; and the
    row after them."""
    skipped = pa.array(sorted(r for r in unreadable if r >= next_row), pa.int64())
    candidates = numbered(next_row, kept + len(skipped))
    rows = candidates.filter(pc.invert(pc.is_in(candidates, skipped)))[:kept]
    return rows, (rows[-1].as_py() + 1 if kept else next_row)


def _chunk(file: CsvFile, table: pa.Table, rows: pa.Array, unreadable: list[int]) -> CsvText:
    # A blank line is a row of empty cells, dropped here but counted. Once no row is blank
    # in the columns so far, none is (a return's first column, its id, is rarely blank).
    blank = None
    for column in table.columns:
        empty = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            break
    keep = pc.invert(blank) if blank is not None else pa.array([], pa.bool_())
    kept_rows = rows.filter(keep)
    locations = pc.binary_join_element_wise("row ", kept_rows.cast(pa.string()), "")
    problems = problem_rows(
        file=str(file.path),
        table="",
        locations=pa.array([f"row {r}" for r in unreadable], pa.string()),
        field="",
        values="",
        rule=Reading.ROW_SHAPE,
        severity=Severity.ERROR,
        message=f"the row does not have the {len(file.header)} cells of the header; row not loaded",
    )
    return CsvText(file.path, table.filter(keep), locations, problems, len(unreadable))
