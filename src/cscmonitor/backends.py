"""Ibis backends over a warehouse snapshot: DuckDB (embedded default) or PySpark.

The indicator code is the same on both; only the connection differs. Spark runs in local
mode unless `SPARK_MASTER`/`spark-submit` configuration says otherwise (docs/scale.md).

A snapshot in the lake layout (warehouse.Layout.LAKE) is read as hive partitions with the
schema given, so LA codes stay text. `CSCMONITOR_LAKE_URI` points Spark at a copy of the
warehouse in object storage (`s3a://bucket/cscmonitor/warehouse`, `abfss://...`): the
manifest is read from the local data directory, the tables from there.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from typing import Any, assert_never

import ibis
import ibis.expr.types as ir

from cscmonitor.warehouse import SCHEMAS, Layout, Snapshot, Warehouse, duckdb_lake_table

LAKE_URI_ENV = "CSCMONITOR_LAKE_URI"
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


@cache
def spark_session() -> Any:
    """One Spark session per process (docs/scale.md).

    Local mode (`local[*]`, small shuffles, no UI) unless a cluster is named: `SPARK_MASTER`,
    a `--master` or `spark.master` in `PYSPARK_SUBMIT_ARGS`, or a run under `spark-submit`
    or on Databricks, whose settings are then left as they are. `CSCMONITOR_SPARK_PARTITIONS`
    sets the shuffle partitions either way.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(
            "the pyspark backend needs PySpark: pip install 'cscmonitor[spark]'"
        ) from None
    # Dates and periods are calendar days: never shifted by the machine's time zone.
    builder = SparkSession.builder.appName("cscmonitor").config("spark.sql.session.timeZone", "UTC")
    partitions = os.environ.get("CSCMONITOR_SPARK_PARTITIONS")
    master = os.environ.get("SPARK_MASTER")
    submit_args = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    # spark-submit and Databricks start the JVM first and hand Python its gateway.
    launched = "PYSPARK_GATEWAY_PORT" in os.environ or "DATABRICKS_RUNTIME_VERSION" in os.environ
    if master:
        builder = builder.master(master)
    elif not launched and "--master" not in submit_args and "spark.master" not in submit_args:
        builder = (
            builder.master("local[*]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        partitions = partitions or "4"
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", partitions)
    if os.environ.get("CSCMONITOR_SPARK_SMALL"):
        # Tests and tiny data: compiling generated code costs more than it saves.
        builder = (
            builder.config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.default.parallelism", "1")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(backend: Backend) -> ibis.BaseBackend:
    match backend:
        case Backend.DUCKDB:
            return ibis.duckdb.connect()
        case Backend.PYSPARK:
            return ibis.pyspark.connect(spark_session())


class SnapshotTables:
    """The tables of one warehouse snapshot as Ibis tables on the chosen backend."""

    def __init__(self, snapshot: Snapshot, backend: Backend = Backend.DUCKDB) -> None:
        self.snapshot = snapshot
        self.backend = backend
        self.con = connect(backend)
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
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
            else:
                self._tables[name] = self.con.read_parquet(
                    self._location(name), table_name=table_name
                )
        return self._tables[name]

    def _remote(self) -> str | None:
        return os.environ.get(LAKE_URI_ENV) if self.backend is Backend.PYSPARK else None

    def _location(self, name: str) -> str:
        """Where the table is read from: the snapshot's folder, or its copy in object storage."""
        path = self.snapshot.table_path(name)
        remote = self._remote()
        if remote:
            return f"{remote.rstrip('/')}/snapshots/{self.snapshot.id}/{path.name}"
        return str(path)

    def _lake_table(self, name: str, table_name: str) -> ir.Table:
        match self.backend:
            case Backend.DUCKDB:
                return duckdb_lake_table(self.con, self.snapshot, name, table_name)
            case Backend.PYSPARK:
                if not self.snapshot.manifest.get("row_counts", {}).get(name, 0):
                    # An empty table has no partitions to read (in object storage, no folder).
                    return self._empty(name, table_name)
                schema = SCHEMAS[name]
                # With the schema given, partition columns take its types (no inference).
                frame = self.con._session.read.schema(_spark_ddl(name)).parquet(
                    self._location(name)
                )
                frame.select(*schema.names).createOrReplaceTempView(table_name)
                return self.con.table(table_name)
            case _:
                assert_never(self.backend)

    def _empty(self, name: str, table_name: str) -> ir.Table:
        """The table with no rows, in the warehouse's schema."""
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
    return ", ".join(f"`{f.name}` {SPARK_TYPES[str(f.type)]}" for f in SCHEMAS[name])
