"""bench/basket.py's floor reads every value of the columns it names, not the footers.

DuckDB's profile of the query says how many rows its Parquet scan produced and how many
bytes it read; those are compared with the file's own metadata, not with a timing.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROWS = 30_000
ROW_GROUP = 10_000  # three row groups: statistics in the footer for each


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "episodes.parquet"
    table = pa.table(
        {
            "child_id": [f"child-{i:06d}" for i in range(ROWS)],
            "start_date": pa.array(range(ROWS), pa.int32()).cast(pa.date32()),
            "legal_status": [("C2", "V2", "E1")[i % 3] for i in range(ROWS)],
            "unread": [i * 7 for i in range(ROWS)],  # not named: the floor leaves it
        }
    )
    pq.write_table(table, path, row_group_size=ROW_GROUP)
    return path


def scanned(query: str) -> tuple[int, int]:
    """Rows produced and bytes read by the query's Parquet scans (0, 0: it scanned nothing)."""
    con = duckdb.connect()
    con.execute("SET enable_profiling = 'no_output'")
    con.execute("SET tracked_metrics = ['*']")
    con.sql(query).fetchall()
    profile = json.loads(con.get_profiling_information(format="json"))
    rows = read = 0
    stack: list[dict[str, Any]] = list(profile.get("operator", []))
    while stack:
        node = stack.pop()
        if node.get("type") == "TABLE_SCAN":
            rows += node["rows_scanned"]
            read += node["bytes_scanned"]
        stack += node.get("children", [])
    return rows, read


def column_bytes(path: Path, columns: list[str]) -> int:
    """The compressed size of the columns' chunks in every row group (the data pages)."""
    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    wanted = [names.index(c) for c in columns]
    return sum(
        meta.row_group(g).column(i).total_compressed_size
        for g in range(meta.num_row_groups)
        for i in wanted
    )


COLUMNS = ["child_id", "start_date", "legal_status"]


def test_the_floor_reads_every_row_and_every_page_of_its_columns(
    basket: ModuleType, parquet: Path
) -> None:
    rows, read = scanned(basket.floor_query(f"read_parquet('{parquet}')", COLUMNS))
    assert rows == ROWS
    # Every data page of the three columns was read: at least their compressed size.
    assert read >= column_bytes(parquet, COLUMNS)
    # ... and not the fourth column's pages (the projection kept it out): less than the
    # four columns' size.
    assert read < column_bytes(parquet, [*COLUMNS, "unread"])


def test_the_old_floor_was_answered_from_the_footers(basket: ModuleType, parquet: Path) -> None:
    # count, min and max come from each row group's statistics: no rows are scanned, so
    # this floor measured reading the footers (why basket.py changed it, December 2026).
    rows, read = scanned(basket.stats_query(f"read_parquet('{parquet}')", COLUMNS))
    assert rows == 0
    assert read < column_bytes(parquet, COLUMNS[:1])
