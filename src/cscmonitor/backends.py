"""Ibis backends over a warehouse snapshot: DuckDB (embedded default) or PySpark.

The indicator code is the same on both; only the connection differs. Spark runs in local
mode unless `SPARK_MASTER`/`spark-submit` configuration says otherwise (docs/scale.md).
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

if TYPE_CHECKING:
    from cscmonitor.warehouse import Snapshot


class Backend(StrEnum):
    DUCKDB = "duckdb"
    PYSPARK = "pyspark"


@cache
def spark_session() -> Any:
    """One Spark session per process; local mode with small shuffles unless configured."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(
            "the pyspark backend needs PySpark: pip install 'cscmonitor[spark]'"
        ) from None
    builder = (
        SparkSession.builder.appName("cscmonitor")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("CSCMONITOR_SPARK_PARTITIONS", "4"))
    )
    if os.environ.get("CSCMONITOR_SPARK_SMALL"):
        # Tests and tiny data: compiling generated code costs more than it saves.
        builder = (
            builder.config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.default.parallelism", "1")
        )
    if not os.environ.get("SPARK_MASTER") and "spark.master" not in os.environ.get(
        "PYSPARK_SUBMIT_ARGS", ""
    ):
        builder = builder.master("local[*]")
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
            path = self.snapshot.table_path(name)
            if not path.exists():
                raise KeyError(f"no warehouse table {name!r} in snapshot {self.snapshot.id}")
            # Spark names tables per session: keep them apart per snapshot.
            self._tables[name] = self.con.read_parquet(
                str(path), table_name=f"{name}_{self.snapshot.id}"
            )
        return self._tables[name]
