"""Return text built a column at a time with pyarrow, then written one file per LA.

Every row's text (an XML element, a CSV line) is made for all LAs at once by element-wise
string joins; absent elements are nulls, which joins turn into nothing. Rows are sorted by
LA, so one LA's file is one slice of the joined text's data buffer: writing it is a copy
of bytes, not a loop over rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.synth.dates import NEVER, day, iso

Bools = npt.NDArray[np.bool_]
Part: TypeAlias = pa.Array | str
FIRST_DAY = day(dt.date(1900, 1, 1))
LAST_DAY = day(dt.date(2100, 1, 1))


@cache
def _calendar(dmy: bool) -> pa.Array:
    """Every day from 1900 to 2100 as text: yyyy-mm-dd, or dd/mm/yyyy (`dmy`)."""
    text = pa.array(iso(np.arange(FIRST_DAY, LAST_DAY, dtype=np.int64)))
    if not dmy:
        return text
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 8, 10),
        pc.utf8_slice_codeunits(text, 5, 7),
        pc.utf8_slice_codeunits(text, 0, 4),
        "/",
    )


DAYS = LAST_DAY - FIRST_DAY


@cache
def date_elements(
    tag: str, prefix: str = "", suffix: str = "", extras: tuple[str, ...] = ()
) -> pa.Array:
    """`prefix<tag>yyyy-mm-dd</tag>` and a line break, then `suffix`, for every day (indexed
    by `day_index`); then the `extras` (indexes DAYS, DAYS + 1, ...)."""
    elements = join(prefix + f"<{tag}>", _calendar(False), f"</{tag}>\n" + suffix)
    return pa.concat_arrays([elements, pa.array(list(extras), pa.string())])


def day_index(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Indexes of days into `date_elements` tables."""
    return np.clip(np.asarray(days, dtype=np.int64) - FIRST_DAY, 0, DAYS - 1)


def lookup(table: pa.Array, index: npt.ArrayLike, present: Bools | None = None) -> pa.Array:
    """`table[index]` row by row; null where not `present`.

    Text that depends only on a date or a few codes is made once, as a table of every
    possible element, and looked up: a take costs less than building the element per row.
    """
    mask = None if present is None else ~np.asarray(present)
    return pc.take(table, pa.array(np.asarray(index, dtype=np.int64), mask=mask))


def table(entries: Iterable[str]) -> pa.Array:
    """A look-up table of texts."""
    return pa.array(list(entries), pa.string())


def dates(days: npt.ArrayLike, present: Bools | None = None, *, dmy: bool = False) -> pa.Array:
    """Dates as text; null where not `present` or never happened."""
    d = np.asarray(days, dtype=np.int64)
    missing = d >= NEVER
    if present is not None:
        missing |= ~present
    index = np.clip(d - FIRST_DAY, 0, LAST_DAY - FIRST_DAY - 1)
    return pc.take(_calendar(dmy), pa.array(index, mask=missing))


def codes(values: npt.ArrayLike, names: Sequence[str], present: Bools | None = None) -> pa.Array:
    """Code indexes as their codes; null where negative or not `present`."""
    v = np.asarray(values, dtype=np.int64)
    missing = v < 0
    if present is not None:
        missing |= ~present
    return pc.take(pa.array(list(names), pa.string()), pa.array(np.maximum(v, 0), mask=missing))


def numbers(values: npt.ArrayLike, present: Bools | None = None) -> pa.Array:
    """Integers as text; null where not `present`."""
    v = np.asarray(values, dtype=np.int64)
    mask = None if present is None else ~present
    return pa.array(v, mask=mask).cast(pa.string())


def choose(condition: Bools, yes: str, no: str | None) -> pa.Array:
    """`yes` where the condition holds, else `no` (None: null)."""
    return pc.if_else(pa.array(condition, pa.bool_()), pa.scalar(yes), pa.scalar(no, pa.string()))


def element(tag: str, values: pa.Array) -> pa.Array:
    """`<tag>value</tag>` on its own line; null where the value is null."""
    return pc.binary_join_element_wise(f"<{tag}>", values, f"</{tag}>\n", "")


def join(*parts: Part) -> pa.Array:
    """Parts joined row by row; null parts add nothing."""
    return pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")


def when(present: Bools, text: pa.Array) -> pa.Array:
    """The text where `present`, else null (so an enclosing join leaves it out)."""
    return pc.if_else(pa.array(present, pa.bool_()), text, pa.scalar(None, pa.string()))


def csv_lines(columns: Sequence[pa.Array]) -> pa.Array:
    """One CSV line per row (values never hold commas or quotes); nulls are empty cells."""
    line = pc.binary_join_element_wise(*columns, ",", null_handling="replace", null_replacement="")
    return join(line, "\n")


def grouped(values: pa.Array, counts: npt.ArrayLike) -> pa.Array:
    """The values concatenated in order within consecutive groups of the given sizes."""
    offsets = np.r_[0, np.cumsum(np.asarray(counts, dtype=np.int64))]
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), values)
    return pc.binary_join(lists, "")


def boundaries(la: npt.ArrayLike, n_las: int) -> npt.NDArray[np.int64]:
    """Where each LA's rows start in rows sorted by LA (and where the last one ends)."""
    return np.searchsorted(np.asarray(la), np.arange(n_las + 1)).astype(np.int64)


def write_per_la(
    paths: Sequence[Path],
    starts: npt.NDArray[np.int64],
    text: pa.Array,
    heads: Sequence[str],
    tail: str = "",
) -> None:
    """Each LA's rows (`starts[i]` to `starts[i + 1]`) between its head and the tail."""
    body = text.cast(pa.large_string())
    if isinstance(body, pa.ChunkedArray):
        body = body.combine_chunks()
    offsets = np.frombuffer(body.buffers()[1], dtype=np.int64)[
        body.offset : body.offset + len(body) + 1
    ]
    data = body.buffers()[2]
    view = memoryview(data) if data is not None else memoryview(b"")
    ending = tail.encode()
    for path, head, a, b in zip(paths, heads, starts[:-1], starts[1:], strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            f.write(head.encode())
            f.write(view[offsets[a] : offsets[b]])
            f.write(ending)
