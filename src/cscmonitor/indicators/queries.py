"""Running an indicator's query: compiled once, run on the backend's own connection.

Ibis's `execute` on DuckDB walks the expression four times before it compiles it (for
user-defined functions, record-batch readers, spatial operations and in-memory tables, of
which the indicators use only the last), then converts the result column by column to
Ibis's types. Here the in-memory tables are registered, the expression compiled once and
its SQL run by DuckDB straight into Arrow, cast to the expression's types; other backends keep
Ibis's own `execute`.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd


def fetch(expr: ir.Table) -> pd.DataFrame:
    """The rows of a query as a DataFrame (dates as `datetime.date`, nulls as NaN or None)."""
    con = ibis.get_backend(expr)
    if con.name != "duckdb":
        return expr.execute()
    # Ibis 12 (pinned): registers each in-memory table (periods, calendar) once per connection.
    con._register_in_memory_tables(expr)
    sql = con.compile(expr)
    table = con.con.sql(sql).to_arrow_table()
    # In the expression's own types (DuckDB sums BIGINTs to HUGEINT, which Ibis calls int64).
    return table.cast(expr.schema().to_pyarrow()).to_pandas()
