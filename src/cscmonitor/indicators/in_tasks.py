"""Spark scheduling, DuckDB computing: the basket in Spark's tasks, a group of LAs each.

Every indicator is computed within an LA (a figure reads only its LA's rows; benchmarks
across LAs come after, from the figures: tests/indicators/test_within_la.py), so Spark can
hand each task a group of LAs and each task can compute its group with the same Ibis
expressions on DuckDB over the snapshot's files. On two cores this is 1.2-1.4x DuckDB
where Spark's own SQL engine is 7-9x (bench/README.md). The executors need cscmonitor and
DuckDB installed and the snapshot's files at the same path (local mode, a shared volume);
a lake in object storage (`CSCMONITOR_LAKE_URI`) is read by Spark SQL only.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from cscmonitor.backends import SnapshotTables
    from cscmonitor.periods import Period
    from cscmonitor.warehouse import Snapshot


def compute(
    tables: SnapshotTables,
    periods: Sequence[Period],
    *,
    codes: Sequence[str] | None = None,
    las: Sequence[str] | None = None,
) -> pd.DataFrame:
    """`engine.compute`'s figures, each of Spark's tasks computing a group of LAs on DuckDB."""
    import pandas as pd

    from cscmonitor.indicators.engine import RESULT_COLUMNS
    from cscmonitor.indicators.registry import get

    if tables.lake_uri:
        raise ValueError(
            "Spark's tasks compute on DuckDB over the snapshot's own files: with "
            "CSCMONITOR_LAKE_URI set, leave CSCMONITOR_SPARK_TASKS unset"
        )
    # An unknown code is refused here, in the driver's words, not from inside a task.
    wanted = [get(code).code for code in codes] if codes else None
    snapshot, asked = tables.snapshot, list(periods)
    context = tables.con._session.sparkContext
    groups = balanced(rows_by_la(snapshot, las), context.defaultParallelism)
    if not groups:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    parts = (
        context.parallelize(groups, len(groups))
        .map(lambda group: _group(snapshot, asked, wanted, group))
        .collect()
    )
    result = pd.concat([pickle.loads(part) for part in parts], ignore_index=True)
    return result.sort_values(
        ["indicator", "la_code", "period_start", "period_end"], ignore_index=True
    )


def _group(
    snapshot: Snapshot, periods: list[Period], codes: list[str] | None, las: list[str]
) -> bytes:
    """One task: its LAs' figures on DuckDB, pickled (the frame's dtypes kept exactly)."""
    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.indicators.engine import compute as on_duckdb

    tables = SnapshotTables(snapshot, Backend.DUCKDB)
    return pickle.dumps(on_duckdb(tables, periods, codes=codes, las=las))


def rows_by_la(snapshot: Snapshot, las: Sequence[str] | None) -> dict[str, int]:
    """The rows each LA holds across the snapshot's tables (those of `las` only, if given).

    Counted straight from the files, a query per table that DuckDB answers from the lake's
    partitions: 0.45 s on England's lake, where opening the tables as `SnapshotTables` does
    (checking each file) and one union of them took 5.5 s. The tasks check what they read."""
    import duckdb

    from cscmonitor.warehouse import Layout, duckdb_lake_source

    held: dict[str, int] = {}
    con = duckdb.connect()
    for name, count in sorted(snapshot.manifest.get("row_counts", {}).items()):
        if not count or not snapshot.table_path(name).exists():
            continue
        if snapshot.layout is Layout.LAKE:
            table = con.sql(f"SELECT la_code FROM {duckdb_lake_source(snapshot, name)}")
        else:
            table = con.read_parquet(str(snapshot.table_path(name)))
        for la, rows in table.aggregate("la_code, count(*)", "la_code").fetchall():
            if la is not None and (las is None or la in las):
                held[la] = held.get(la, 0) + rows
    return held


def balanced(rows: dict[str, int], groups: int) -> list[list[str]]:
    """The LAs in at most `groups` groups of about equal rows: the largest first, each to
    the group holding fewest rows so far. No empty group."""
    sizes = [0] * max(1, min(groups, len(rows)))
    members: list[list[str]] = [[] for _ in sizes]
    for la in sorted(rows, key=lambda la: (-rows[la], la)):
        smallest = sizes.index(min(sizes))
        sizes[smallest] += rows[la]
        members[smallest].append(la)
    return [sorted(group) for group in members if group]
