"""Ibis backends over a warehouse snapshot: DuckDB (embedded default) or PySpark.

The indicator code is the same on both; only the connection differs. Spark runs in local
mode unless `SPARK_MASTER`/`spark-submit` configuration says otherwise (docs/scale.md).

A snapshot in the lake layout (warehouse.Layout.LAKE) is read as hive partitions with the
schema given, so LA codes stay text, whether the year is a folder (a lake written before
December 2026) or a column in the files. `CSCMONITOR_LAKE_URI` (Settings.lake_uri) points Spark
at a copy of the warehouse in object storage (`s3a://bucket/cscmonitor/warehouse`,
`abfss://...`): the manifest is read from the local data directory, the tables from there.

Ibis and the warehouse are imported when a backend is connected, so a command's `--help`
can name `Backend` without loading them.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any, assert_never

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ibis
    import ibis.expr.types as ir

    from cscmonitor.settings import Settings
    from cscmonitor.warehouse import Snapshot

SPARK_TYPES = {
    "string": "STRING",
    "date32[day]": "DATE",
    "int32": "INT",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
    "double": "DOUBLE",
}


class Backend(StrEnum):
    DUCKDB = "duckdb"
    PYSPARK = "pyspark"


_SESSION: list[Any] = []


def spark_session(settings: Settings | None = None) -> Any:
    """One Spark session per process (docs/scale.md), configured by the first caller's settings.

    Local mode (`local[*]`, small shuffles, no UI) unless a cluster is named: `SPARK_MASTER`,
    a `--master` or `spark.master` in `PYSPARK_SUBMIT_ARGS`, or a run under `spark-submit`
    or on Databricks, whose settings are then left as they are. `CSCMONITOR_SPARK_PARTITIONS`
    sets the shuffle partitions either way.
    """
    if _SESSION:
        return _SESSION[0]
    if settings is None:
        from cscmonitor.settings import Settings

        settings = Settings()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(
            "the pyspark backend needs PySpark: pip install 'cscmonitor[spark]'"
        ) from None
    # Dates and periods are calendar days: never shifted by the machine's time zone.
    builder = SparkSession.builder.appName("cscmonitor").config("spark.sql.session.timeZone", "UTC")
    partitions = str(settings.spark_partitions) if settings.spark_partitions else None
    submit_args = settings.spark_submit_args
    if settings.spark_master:
        builder = builder.master(settings.spark_master)
    elif (
        not settings.launched_by_spark
        and "--master" not in submit_args
        and "spark.master" not in submit_args
    ):
        builder = (
            builder.master("local[*]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        # Python tasks (indicators/in_tasks.py) run in this interpreter, which has cscmonitor
        # (PySpark reads the variable when the context is made; the conf only under submit).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        partitions = partitions or "4"
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", partitions)
    if settings.spark_small:
        # Tests and tiny data: compiling generated code costs more than it saves.
        builder = (
            builder.config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.default.parallelism", "1")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    return session


def connect(backend: Backend, settings: Settings | None = None) -> ibis.BaseBackend:
    import ibis

    match backend:
        case Backend.DUCKDB:
            return ibis.duckdb.connect()
        case Backend.PYSPARK:
            return ibis.pyspark.connect(spark_session(settings))


class SnapshotTables:
    """The tables of one warehouse snapshot as Ibis tables on the chosen backend."""

    def __init__(
        self,
        snapshot: Snapshot,
        backend: Backend = Backend.DUCKDB,
        settings: Settings | None = None,
    ) -> None:
        """`settings` configure Spark and name its copy of the lake (none needed on DuckDB)."""
        if backend is Backend.PYSPARK and settings is None:
            from cscmonitor.settings import Settings

            settings = Settings()
        self.snapshot = snapshot
        self.backend = backend
        self.con = connect(backend, settings)
        self.lake_uri = settings.lake_uri if settings is not None else None
        # Spark schedules groups of LAs, DuckDB computes them (indicators/in_tasks.py).
        self.in_tasks = bool(
            backend is Backend.PYSPARK and settings is not None and settings.spark_tasks
        )
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        from cscmonitor.warehouse import SCHEMAS, Layout, Warehouse, duckdb_file_table

        if name not in self._tables:
            if name not in SCHEMAS:
                raise KeyError(f"no warehouse table {name!r}")
            # Spark names tables per session: keep them apart per snapshot.
            table_name = f"{name}_{self.snapshot.id}"
            if not self._remote() and not self.snapshot.table_path(name).exists():
                # A snapshot older than the table: it exists, with no rows.
                self._tables[name] = self._empty(name, table_name)
                return self._tables[name]
            if not self._remote():
                Warehouse(self.snapshot.path.parent.parent).verify_table(self.snapshot, name)
            if self.snapshot.layout is Layout.LAKE:
                self._tables[name] = self._lake_table(name, table_name)
            elif self.backend is Backend.DUCKDB:
                self._tables[name] = duckdb_file_table(self.con, self._location(name), table_name)
            else:
                self._tables[name] = self.con.read_parquet(
                    self._location(name), table_name=table_name
                )
        return self._tables[name]

    def holds_distinct(self, name: str, columns: Sequence[str]) -> bool:
        return self.snapshot.holds_distinct(name, columns)

    def _remote(self) -> str | None:
        return self.lake_uri if self.backend is Backend.PYSPARK else None

    def _location(self, name: str) -> str:
        """Where the table is read from: the snapshot's folder, or its copy in object storage."""
        path = self.snapshot.table_path(name)
        remote = self._remote()
        if remote:
            return f"{remote.rstrip('/')}/snapshots/{self.snapshot.id}/{path.name}"
        return str(path)

    def _lake_table(self, name: str, table_name: str) -> ir.Table:
        from cscmonitor.warehouse import SCHEMAS, duckdb_lake_table

        match self.backend:
            case Backend.DUCKDB:
                return duckdb_lake_table(self.con, self.snapshot, name, table_name)
            case Backend.PYSPARK:
                if not self.snapshot.manifest.get("row_counts", {}).get(name, 0):
                    # An empty table has no partitions to read (in object storage, no folder).
                    return self._empty(name, table_name)
                schema = SCHEMAS[name]
                # With the schema given, the columns Spark finds in folder names (the LA,
                # and the year in an older lake) take its types, as the files' columns do.
                frame = self.con._session.read.schema(_spark_ddl(name)).parquet(
                    self._location(name)
                )
                frame.select(*schema.names).createOrReplaceTempView(table_name)
                return self.con.table(table_name)
            case _:
                assert_never(self.backend)

    def _empty(self, name: str, table_name: str) -> ir.Table:
        """The table with no rows, in the warehouse's schema."""
        from cscmonitor.warehouse import SCHEMAS

        match self.backend:
            case Backend.DUCKDB:
                return self.con.create_table(table_name, SCHEMAS[name].empty_table())
            case Backend.PYSPARK:
                # A view, as a table would be written to the session's warehouse folder.
                frame = self.con._session.createDataFrame([], _spark_ddl(name))
                frame.createOrReplaceTempView(table_name)
                return self.con.table(table_name)
            case _:
                assert_never(self.backend)


def _spark_ddl(name: str) -> str:
    from cscmonitor.warehouse import SCHEMAS

    return ", ".join(f"`{f.name}` {SPARK_TYPES[str(f.type)]}" for f in SCHEMAS[name])
