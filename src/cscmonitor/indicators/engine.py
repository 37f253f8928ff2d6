"""The indicator engine: one query per indicator for every LA and period at once.

The body of an indicator returns its records; the engine aggregates them to numerator and
denominator per (LA, period) as the indicator's measure kind declares (`measures.py`), then
adds the value, its 95% confidence interval and a status, on the small result table
(vectorised; no loop over LAs or periods). Explain shows the same records, not aggregated.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.stats import chi2, t

from cscmonitor.indicators import calendar
from cscmonitor.indicators.common import holds_distinct
from cscmonitor.indicators.coverage import Coverage, Held
from cscmonitor.indicators.measures import records, totals
from cscmonitor.indicators.population import population_table
from cscmonitor.indicators.queries import Running, compiled, fetch, insert
from cscmonitor.indicators.registry import Indicator, Interval, Tables, Unit, all_indicators, get
from cscmonitor.periods import Period, twelve_months_to

RESULT_COLUMNS = [
    "indicator",
    "la_code",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "status",
]
OK = "ok"
INSUFFICIENT_DATA = "insufficient data"
LOOKBACK_INCOMPLETE = "lookback incomplete"
NO_DATA = "no data"
INCOMPLETE_DATA = "incomplete data"  # the returns held cover only part of the period
# A return between two held ones is missing, and the period (or its lookback) reaches into
# its year: no value, since rows its return would have closed or carried are not known.
RETURN_MISSING = "return missing"
Z95 = 1.959963984540054
# Intermediates of a basket made at once. One at a time, their builds were the longest path
# of a `compute` of the 38 (9.1 of 9.7 s), and its last queries waited on the last builds
# with a core idle; two: a median 0.24 s less in five pairs (bench/README.md, "Events summed
# by day, narrower placements, two builds at once").
BUILDS_AT_ONCE = 2


class ForLAs:
    """The warehouse tables seen through a filter on `la_code`, each table and each shared
    intermediate (`common.shared`) built once, so the indicators of a basket share them."""

    def __init__(self, tables: Tables, las: Sequence[str] | None) -> None:
        self._tables = tables
        self._las = list(las) if las else None
        self._built: dict[tuple[object, ...], ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        if ("table", name) not in self._built:
            # Reference tables (not from returns) are served here, so any backend has them.
            t = population_table() if name == "population" else self._tables.table(name)
            self._built["table", name] = t.filter(t.la_code.isin(self._las)) if self._las else t
        return self._built["table", name]

    def holds_distinct(self, name: str, columns: Sequence[str]) -> bool:
        # Rows of some LAs of a table holding no two alike hold none either.
        return holds_distinct(self._tables, name, columns)

    def shared(self, build: Callable[..., ir.Table], *args: ir.Table) -> ir.Table:
        """`build(self, *args)`, built once."""
        key = (build, *(a.op() for a in args))
        if key not in self._built:
            self._built[key] = self._keep(build(self, *args))
        return self._built[key]

    def _keep(self, intermediate: ir.Table) -> ir.Table:
        return intermediate


class Basket(ForLAs):
    """`ForLAs` for one `compute`: each shared intermediate (periods of care, placements, the
    children looked after at each period end and their placement) is worked out once for all
    the indicators reading it. On DuckDB it is made as a table, so the queries
    reading it are also smaller to build and compile; on Spark it is cached (made by the
    first query reading it, in the executors' memory, spilling to disk), as Spark would
    otherwise sort every episode again in each of those queries. One reading the periods holds
    a row per period as well (the children looked after at each period end), which ten
    indicators read (bench/README.md, "Sharing more, sorting less"). The tables are dropped,
    and the cached rows released, when the compute is done."""

    def __init__(
        self, tables: Tables, las: Sequence[str] | None, *, in_background: bool = False
    ) -> None:
        """`in_background`: on DuckDB each intermediate's rows are made on a thread of the
        basket's (`BUILDS_AT_ONCE`), once those of the intermediates it reads are, while the
        caller goes on building (its table is there at once, empty); a query reading one
        waits for it (`building`)."""
        super().__init__(tables, las)
        self._made: list[tuple[ibis.BaseBackend, str]] = []
        self._cached: list[ir.Table] = []
        self._builds = ThreadPoolExecutor(BUILDS_AT_ONCE, "build") if in_background else None
        self._building: dict[str, Future[None]] = {}

    def building(self, expr: ir.Table) -> list[Future[None]]:
        """The intermediates `expr` reads whose rows are still being made."""
        names = {op.name for op in expr.op().find(ops.DatabaseTable)}
        return [self._building[name] for name in names if name in self._building]

    def _keep(self, intermediate: ir.Table) -> ir.Table:
        if not intermediate.op().find(ops.DatabaseTable):
            # Made from the periods alone (`common.period_ranks`): a table on the warehouse
            # tables' DuckDB connection, so its size is known when the queries are planned.
            # Spark is left to plan it inline (a few thousand rows, which it broadcasts).
            con = ibis.get_backend(self.table("returns"))
            if con.name == "pyspark":
                return intermediate
        else:
            con = ibis.get_backend(intermediate)
        if con.name == "pyspark":
            # Ibis registers in-memory tables (the periods) when it runs a query, not here.
            con._register_in_memory_tables(intermediate)
            cached = _unsorted(intermediate).cache()
            self._cached.append(cached)
            return cached
        # Not a temporary table: the cursors running the queries (`queries.Running`) must
        # see it. The database is the tables' own, in memory, and it is dropped on leaving.
        name = f"shared_{uuid.uuid4().hex}"
        self._made.append((con, name))
        if self._builds is None:
            return con.create_table(name, intermediate)
        table = con.create_table(name, schema=intermediate.schema())
        # Made once the intermediates it reads are. They were asked for before it, so their
        # builds have started by the time it starts (the pool takes them in order): a build
        # never waits on one still queued.
        after = self.building(intermediate)
        query = compiled(intermediate)

        def build() -> None:
            for work in after:
                work.result()
            insert(con.con, name, query)

        self._building[name] = self._builds.submit(build)
        return table

    def __enter__(self) -> Basket:
        return self

    def __exit__(self, *_: object) -> None:
        if self._builds is not None:
            self._builds.shutdown(wait=True, cancel_futures=True)
        for con, name in self._made:
            con.drop_table(name, force=True)
        for cached in self._cached:
            cached.release()


def _unsorted(intermediate: ir.Table) -> ir.Table:
    """An intermediate without its last sort, for Spark to cache. The order is DuckDB's: each
    of its tables' row groups then holds a narrow range, which a query's filter skips by.
    Spark keeps each partition's rows in the order its last stage sorted them (a window's, by
    its partition's columns first) and skips the cached batches a filter rules out by their
    ranges, so a sort of the whole would only shuffle every row again (bench/README.md, "The
    factors by factor, without Spark's sort of the whole")."""
    op = intermediate.op()
    return op.parent.to_expr() if isinstance(op, ops.Sort) else intermediate


def periods_table(periods: Sequence[Period]) -> ir.Table:
    """The periods as a table, with the 12 months to each period end (start, and the period's
    share of them for annualising rates)."""
    if not periods:
        raise ValueError("no periods to compute")
    # Durations in working days come from the calendar (calendar.with_working_days): outside
    # it one would be blank, and an assessment or conference untimed counts as late.
    outside = [p for p in periods if p.start < calendar.FIRST or p.end > calendar.LAST]
    if outside:
        raise ValueError(
            f"period {outside[0].start} to {outside[0].end} is outside the calendar the "
            f"indicators are computed on ({calendar.FIRST} to {calendar.LAST})"
        )
    years = [twelve_months_to(p.end) for p in periods]
    return ibis.memtable(
        pd.DataFrame(
            {
                "period_start": [p.start for p in periods],
                "period_end": [p.end for p in periods],
                "year_start": [y.start for y in years],
                "year_fraction": [p.days / y.days for p, y in zip(periods, years, strict=True)],
            }
        ),
        schema={
            "period_start": "date",
            "period_end": "date",
            "year_start": "date",
            "year_fraction": "float64",
        },
    )


def compute(
    tables: Tables,
    periods: Sequence[Period],
    *,
    codes: Sequence[str] | None = None,
    las: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every requested indicator for every LA holding its return and every period."""
    if getattr(tables, "in_tasks", False):
        from cscmonitor.indicators import in_tasks

        return in_tasks.compute(tables, periods, codes=codes, las=las)  # type: ignore[arg-type]
    indicators = [get(c) for c in codes] if codes else all_indicators()
    unique = sorted(set(periods))
    pt = periods_table(unique)
    with Basket(tables, las, in_background=True) as scoped, Running() as running:
        coverage = coverage_of(scoped, unique)
        wanted = queried(indicators, coverage)
        # Each query runs once the shared tables it reads are made, while the next is built.
        pending = []
        for ind in wanted:
            expr = totals(ind, scoped, pt)
            frame = functools.partial(_frame, ind, coverage)
            pending.append(running.submit(expr, frame, after=scoped.building(expr)))
        frames = [p.result() for p in pending]
    result = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RESULT_COLUMNS)
    )
    return result[RESULT_COLUMNS].sort_values(
        ["indicator", "la_code", "period_start", "period_end"], ignore_index=True
    )


def coverage_of(tables: Tables, periods: Sequence[Period]) -> Coverage:
    """What the returns held cover, for each LA and period."""
    grid = pd.DataFrame(
        {"period_start": [p.start for p in periods], "period_end": [p.end for p in periods]}
    )
    return Coverage(fetch(tables.table("returns")), grid)


def queried(indicators: Sequence[Indicator], coverage: Coverage) -> list[Indicator]:
    """The indicators to query: one whose return no LA holds has no rows (each is an LA
    holding it, in a period), so it is not queried."""
    return [ind for ind in indicators if not coverage.grid(ind.source).empty]


def _frame(ind: Indicator, coverage: Coverage, counts: pd.DataFrame) -> pd.DataFrame:
    """The indicator's row for each LA holding its return and each period, from its totals."""
    grid = coverage.grid(ind.source)
    for column in ("period_start", "period_end"):
        counts[column] = pd.to_datetime(counts[column]).dt.date
    frame = grid.assign(_row=np.arange(len(grid))).merge(
        counts, on=["la_code", "period_start", "period_end"], how="left"
    )
    frame["numerator"] = frame["numerator"].astype(float).fillna(0.0)
    frame["denominator"] = frame["denominator"].astype(float).fillna(0.0)
    frame.insert(0, "indicator", ind.code)
    return finish(ind, frame, coverage.held(ind).at(frame.pop("_row").to_numpy()))


def finish(ind: Indicator, frame: pd.DataFrame, held: Held) -> pd.DataFrame:
    """Value, confidence interval and status from numerator and denominator.

    `held` says, row by row, what the returns of every kind the indicator reads cover; each
    kind must cover the period (and the lookback) for the value to stand.
    """
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)
    starts = pd.to_datetime(frame["period_start"])
    covered, whole, looked, gap = held.covered, held.whole, held.looked, held.gap
    if ind.collected_from is not None:
        # Before the return collected it, nothing was recorded: not a zero, no data.
        collected = (starts >= pd.Timestamp(ind.collected_from)).to_numpy()
        covered = covered & collected
        whole = whole & collected
    if ind.unit is Unit.COUNT:
        # A count has no denominator, so no minimum: zero events in a covered period is a value.
        den = np.full(len(frame), np.nan)
        frame["denominator"] = den
        enough = whole
    else:
        enough = whole & (den >= ind.min_denominator) & (den > 0)
    enough = enough & ~gap
    status = np.where(
        ~covered,
        NO_DATA,
        np.where(~whole, INCOMPLETE_DATA, np.where(enough, OK, INSUFFICIENT_DATA)),
    )
    if ind.complete_on is not None:
        # The return holds the records only for children there on one day of the year.
        month, day = ind.complete_on
        ends = pd.to_datetime(frame["period_end"])
        looked = looked & ((ends.dt.month == month) & (ends.dt.day == day)).to_numpy()
    status = np.where((status == OK) & ~looked, LOOKBACK_INCOMPLETE, status)
    status = np.where(gap, RETURN_MISSING, status)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(enough, num if ind.unit is Unit.COUNT else num / den, np.nan)
    squares = (
        frame["squares"].to_numpy(float) if "squares" in frame else np.full(len(frame), np.nan)
    )
    lower, upper = _interval(ind.interval, num, den, squares)
    scale = ind.unit.scale
    frame["value"] = ratio * scale
    frame["ci_lower"] = np.where(enough, lower * scale, np.nan)
    frame["ci_upper"] = np.where(enough, upper * scale, np.nan)
    frame["status"] = status
    return frame


def _interval(
    kind: Interval, num: np.ndarray, den: np.ndarray, squares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        match kind:
            case Interval.WILSON:
                return wilson(num, den)
            case Interval.POISSON:
                return garwood(num, den)
            case Interval.NORMAL:
                return mean_interval(num, den, squares)
            case Interval.NONE:
                nothing = np.full(num.shape, np.nan)
                return nothing, nothing


def mean_interval(
    total: np.ndarray, n: np.ndarray, squares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """95% Student's t interval for a mean of n values, from their sum and sum of squares."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        variance = np.maximum(squares - n * mean * mean, 0.0) / (n - 1)
        half = t.ppf(0.975, n - 1) * np.sqrt(variance / n)
    return mean - half, mean + half


def wilson(num: np.ndarray, den: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval for the proportion num/den."""
    p = num / den
    centre = (p + z * z / (2 * den)) / (1 + z * z / den)
    half = z * np.sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den)
    return centre - half, centre + half


def garwood(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% Poisson interval for the count num, divided by den."""
    lower = np.where(num > 0, chi2.ppf(0.025, 2 * num) / 2, 0.0)
    upper = chi2.ppf(0.975, 2 * (num + 1)) / 2
    return lower / den, upper / den


def explain(tables: Tables, code: str, period: Period, la_code: str) -> pd.DataFrame:
    """The records behind one figure: the indicator's records for the LA and period, which the
    engine aggregates to the figure, with `counted` true for those in the numerator (ids are
    the warehouse's pseudonyms)."""
    ind = get(code)
    rows = records(ind, ForLAs(tables, [la_code]), periods_table([period])).execute()
    first = [c for c in ("counted", "child_id", "worker_id") if c in rows.columns]
    rest = [c for c in rows.columns if c not in first]
    order = [c for c in ("child_id", "worker_id") if c in rows.columns] or rest[:1]
    return rows[first + rest].sort_values(
        ["counted", *order], ascending=[False] + [True] * len(order), ignore_index=True
    )
