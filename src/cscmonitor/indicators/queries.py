"""Running an indicator's query: compiled once, run on the backend's own connection.

Ibis's `execute` on DuckDB walks the expression four times before it compiles it (for
user-defined functions, record-batch readers, spatial operations and in-memory tables, of
which the indicators use only the last), then converts the result column by column to
Ibis's types. Here the expression is compiled once and its SQL run by DuckDB straight into
Arrow, cast to the expression's types; other backends keep Ibis's own `execute`.

On DuckDB each query runs on a cursor of the tables' connection (a connection of its own
to the same in-memory database, so it sees the views and tables made there, not the
temporary ones), with the expression's in-memory tables (periods, calendar) registered on
it. So a basket's queries can run side by side (`Running`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

# Queries of a basket in flight at once on DuckDB. One query leaves DuckDB's workers idle
# where it narrows to one thread (a window's partition, the last merge of a grouping) and
# while Python compiles the next; a second fills those stretches (bench/README.md,
# "Queries side by side"). A third was slower on two cores (0.21 s, a median of three).
AT_ONCE = 2
T = TypeVar("T")


def fetch(expr: ir.Table) -> pd.DataFrame:
    """The rows of a query as a DataFrame (dates as `datetime.date`, nulls as NaN or None)."""
    con = ibis.get_backend(expr)
    if con.name != "duckdb":
        return expr.execute()
    return _run(con.con, compiled(expr))


class Running:
    """Queries run while the next is built: on DuckDB `AT_ONCE` at a time, each on a cursor
    of its own; on other backends (Spark, which runs its jobs in parallel itself) one by one,
    as each is submitted. Leaving waits for those running and drops those not started."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(AT_ONCE, thread_name_prefix="query")

    def submit(
        self,
        expr: ir.Table,
        then: Callable[[pd.DataFrame], T],
        after: Sequence[Future[None]] = (),
    ) -> Future[T]:
        """`then` of the query's rows, once the work `after` is done (the tables it reads
        made): on DuckDB on the pool's thread, so the last queries' `then` is not left to
        the end, one after another."""
        con = ibis.get_backend(expr)
        if con.name == "duckdb":
            # Compiled here: Ibis is used only on the thread building the expressions.
            query = compiled(expr)

            def run() -> T:
                for work in after:
                    work.result()
                return then(_run(con.con, query))

            return self._pool.submit(run)
        for work in after:
            work.result()
        done: Future[T] = Future()
        done.set_result(then(expr.execute()))
        return done

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Query(NamedTuple):
    """A DuckDB query compiled: its SQL, the in-memory tables it reads and its rows' schema."""

    sql: str
    memtables: dict[str, pa.Table]
    schema: pa.Schema


def compiled(expr: ir.Table) -> Query:
    con = ibis.get_backend(expr)
    memtables = {op.name: op.data.to_pyarrow(op.schema) for op in expr.op().find(ops.InMemoryTable)}
    return Query(con.compile(expr), memtables, expr.schema().to_pyarrow())


def insert(connection: Any, table: str, query: Query) -> None:
    """The rows of a query added to `table` (of the query's columns, in order)."""
    with _cursor(connection, query) as cursor:
        cursor.execute(f'INSERT INTO "{table}" {query.sql}')


def _run(connection: Any, query: Query) -> pd.DataFrame:
    with _cursor(connection, query) as cursor:
        table = cursor.sql(query.sql).to_arrow_table()
    # In the expression's own types (DuckDB sums BIGINTs to HUGEINT, which Ibis calls int64).
    return table.cast(query.schema).to_pandas()


@contextmanager
def _cursor(connection: Any, query: Query) -> Iterator[Any]:
    """A cursor of `connection` with the query's in-memory tables registered on it."""
    with connection.cursor() as cursor:
        for name, rows in query.memtables.items():
            cursor.register(name, rows)
        yield cursor
