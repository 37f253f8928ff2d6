"""Tables too large to hold in memory: Parquet files in one ingest's scratch folder.

A large CSV file is typed a block at a time and written here as it is read; the rules,
the privacy reductions and the merge into the warehouse then read the file (DuckDB, with
a memory limit and a folder to spill to), so an ingest's memory does not grow with its
input. The folder is private (mode 700), holds only typed and pseudonymised rows, and is
removed when the last table staged in it is no longer referenced (or the process ends).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

# Rows per Parquet row group written here, and per batch read back.
BATCH_ROWS = 256 * 1024
PREFIX = "cscmonitor-ingest-"


class Scratch:
    """A private folder for one ingest's staged tables and DuckDB's spill files."""

    def __init__(self, parent: Path | None = None, memory_mb: int = 1024) -> None:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(Path(parent or tempfile.gettempdir()))
        self._folder = tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-", dir=parent)
        self.path = Path(self._folder.name)
        self.memory_mb = memory_mb
        self._names = itertools.count()
        self._database: duckdb.DuckDBPyConnection | None = None

    def file(self, stem: str) -> Path:
        """A new file name in the folder."""
        return self.path / f"{next(self._names):04d}-{stem}.parquet"

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection to the folder's DuckDB, which spills here rather than grow past the
        memory limit. One database, a connection each: an ingest's rules and merge, which
        run at once, are held to one limit together. (Connect before starting a thread that
        queries: the database is made by the first connect, unlocked.)"""
        if self._database is None:
            spill = self.path / "spill"
            spill.mkdir(exist_ok=True)
            self._database = duckdb.connect(
                config={
                    "memory_limit": f"{self.memory_mb}MB",
                    "temp_directory": str(spill),
                    "preserve_insertion_order": True,
                }
            )
            # A long sort must not draw on stderr.
            self._database.execute("SET enable_progress_bar = false")
        return self._database.cursor()

    def disconnect(self) -> None:
        """Close the folder's DuckDB and the memory it holds (`connect` opens it again)."""
        if self._database is not None:
            self._database.close()
            self._database = None


def _remove_stale(parent: Path) -> None:
    """Remove the scratch folders of ingests that were killed (their process is gone)."""
    for folder in parent.glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@dataclass(frozen=True)
class Staged:
    """A table written to a scratch folder: a Parquet file and what is known of it.

    The table is the schema's columns of the file, which may hold more (`without`)."""

    path: Path
    schema: pa.Schema
    num_rows: int
    scratch: Scratch  # the folder lives as long as a table in it is referenced

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    def without(self, name: str) -> Staged:
        """The table less one column, read from the same file (nothing is written)."""
        kept = pa.schema([f for f in self.schema if f.name != name])
        return Staged(self.path, kept, self.num_rows, self.scratch)

    def batches(self) -> Iterator[pa.Table]:
        """The rows, a row group at a time."""
        file = pq.ParquetFile(self.path)
        for i in range(file.num_row_groups):
            yield file.read_row_group(i, columns=self.schema.names).cast(self.schema)

    def read(self) -> pa.Table:
        """The whole table in memory (for small tables only)."""
        return pq.read_table(self.path, columns=self.schema.names).cast(self.schema)

    def sql(self) -> str:
        """The table as a DuckDB source."""
        columns = ", ".join('"' + name.replace('"', '""') + '"' for name in self.schema.names)
        path = str(self.path).replace("'", "''")
        return f"(SELECT {columns} FROM read_parquet('{path}'))"

    def save(self, path: Path) -> None:
        """The table written to a Parquet file of its own, compressed to be kept."""
        with pq.ParquetWriter(path, self.schema, compression="snappy") as writer:
            for batch in self.batches():
                writer.write_table(batch, row_group_size=BATCH_ROWS)


class Stager:
    """Writes a table a batch at a time to a scratch file."""

    def __init__(self, scratch: Scratch, stem: str, schema: pa.Schema) -> None:
        self.scratch = scratch
        self.schema = schema
        self.path = scratch.file(stem)
        self.rows = 0
        # Plain pages, neither compressed nor dictionary encoded: a scratch file is read back
        # within seconds, and encoding ids and row locations (every value distinct) cost a
        # sixth of reading the return; the file is about three times larger.
        self._writer = pq.ParquetWriter(self.path, schema, compression="none", use_dictionary=False)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema), row_group_size=BATCH_ROWS)
            self.rows += table.num_rows

    def close(self) -> Staged:
        self._writer.close()
        return Staged(self.path, self.schema, self.rows, self.scratch)


def stage(scratch: Scratch, stem: str, batches: Iterator[pa.Table], schema: pa.Schema) -> Staged:
    """Batches written to one staged table."""
    stager = Stager(scratch, stem, schema)
    for batch in batches:
        stager.write(batch)
    return stager.close()


# A table of a parsed return: in memory, or staged.
Table: TypeAlias = pa.Table | Staged


def in_memory(table: Table) -> pa.Table:
    """A table in memory, reading a staged one (only where tables are known to be small)."""
    return table.read() if isinstance(table, Staged) else table
