"""What a basket `compute` shares across its indicators: intermediates built once (made as
tables on DuckDB, cached on Spark, and dropped or released after), queries run by
`fetch` with the rows and types Ibis's `execute` gives, and the coverage of the returns held
worked out once for every indicator of the same source."""

import datetime as dt

import duckdb
import ibis
import pandas as pd
import pandas.testing as pdt
import pytest

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.care_events import looked_after_at_end
from cscmonitor.indicators.engine import Basket, ForLAs, compute, periods_table
from cscmonitor.indicators.looked_after import periods_of_care
from cscmonitor.indicators.measures import totals
from cscmonitor.indicators.queries import Running, fetch
from cscmonitor.indicators.registry import Source, all_indicators, get
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

YEAR = Period.parse("2015-04-01:2016-03-31")


@pytest.fixture
def tables(settings) -> SnapshotTables:
    ingest([DATA / "placements"], settings, la_code="999")
    return SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)


def _shared(tables: SnapshotTables) -> set[str]:
    rows = tables.con.con.sql(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'shared_%'"
    )
    return {name for (name,) in rows.fetchall()}


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """The period columns as timestamps, however the query gave them (dates or datetimes)."""
    return frame.assign(
        **{
            c: pd.to_datetime(frame[c]).astype("datetime64[ns]")
            for c in ("period_start", "period_end")
        }
    )


def test_an_intermediate_is_built_once_and_its_table_dropped(tables):
    before = _shared(tables)
    with Basket(tables, None) as basket:
        care = periods_of_care(basket)
        assert periods_of_care(basket) is care
        made = _shared(tables) - before
        assert len(made) == 1  # periods of care, as one table
        assert care.count().execute() == tables.table("cla_episodes").count().execute()
        # One reading the periods is made once too, a row per child and period end.
        pt = periods_table([YEAR, Period.parse("2016-04-01:2017-03-31")])
        at_end = looked_after_at_end(basket, pt)
        assert looked_after_at_end(basket, pt) is at_end
        # With the two tables of the period ends by rank it looks the episodes up in
        # (`common.period_ranks`, `periods_by_ranks`), made from the periods alone but on
        # the warehouse's connection, where the query reading them runs.
        assert len(_shared(tables) - before) == 4
        alone = looked_after_at_end(ForLAs(tables, None), pt)
        assert at_end.count().execute() == alone.count().execute() > 0
    assert _shared(tables) == before


@pytest.mark.spark
def test_on_spark_an_intermediate_is_cached_once_and_released(settings):
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    ingest([DATA / "placements"], settings, la_code="999")
    spark = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.PYSPARK)
    catalog = spark.con._session.catalog
    with Basket(spark, None) as basket:
        care = periods_of_care(basket)
        assert periods_of_care(basket) is care
        name = care.op().name
        assert catalog.isCached(name)  # made by the first query reading it, then read
        assert care.count().execute() == spark.table("cla_episodes").count().execute()
        # One reading the periods (an in-memory table, registered before it is cached).
        at_end = looked_after_at_end(basket, periods_table([YEAR]))
        assert catalog.isCached(at_end.op().name)
        assert at_end.count().execute() > 0
    assert not catalog.tableExists(name)  # released with the compute
    assert not catalog.tableExists(at_end.op().name)


def test_tables_without_a_basket_build_the_intermediate_as_an_expression(tables):
    before = _shared(tables)
    care = periods_of_care(ForLAs(tables, None))
    assert _shared(tables) == before
    with Basket(tables, None) as basket:
        shared = periods_of_care(basket)
        order = ["child_id", "decom"]
        pdt.assert_frame_equal(
            care.execute().sort_values(order, ignore_index=True),
            shared.execute()[list(care.columns)].sort_values(order, ignore_index=True),
        )


def test_fetch_gives_what_execute_gives(tables):
    ind = get("CLA_3PLUS")
    expr = totals(ind, ForLAs(tables, None), periods_table([YEAR]))
    fetched, executed = fetch(expr), expr.execute()
    # DuckDB sums to HUGEINT; fetch gives Ibis's int64, as execute does.
    assert str(fetched["numerator"].dtype) == str(executed["numerator"].dtype) == "int64"
    assert fetched["period_end"].map(type).eq(dt.date).all()  # dates as dates
    assert len(fetched) > 0
    pdt.assert_frame_equal(_dated(fetched), _dated(executed))


def test_queries_run_side_by_side_read_the_basket_s_tables_and_raise_their_errors(tables):
    # Each query runs on a cursor of its own: it must see the views of the warehouse tables
    # and the basket's shared tables (made on the connection), with the periods registered.
    pt = periods_table([YEAR, Period.parse("2016-04-01:2017-03-31")])
    order = ["la_code", "period_start", "period_end"]
    with Basket(tables, None) as basket, Running() as running:
        exprs = [totals(get(c), basket, pt) for c in ("CLA_3PLUS", "CLA_REVIEWS_TIMELY")]
        pending = [running.submit(expr, lambda rows: rows) for expr in exprs]
        failing = running.submit(exprs[0].mutate(numerator=ibis.literal("x").cast("int64")), len)
        for expr, result in zip(exprs, pending, strict=True):
            executed = _dated(expr.execute().sort_values(order, ignore_index=True))
            fetched = _dated(result.result().sort_values(order, ignore_index=True))
            assert len(fetched) == 2
            pdt.assert_frame_equal(fetched, executed)
        with pytest.raises(duckdb.ConversionException, match="x"):
            failing.result()


def test_in_the_background_a_query_waits_for_the_tables_it_reads(tables):
    # `compute`'s basket makes each shared table's rows on a thread of its own; a query
    # reading one runs once it is made, and one whose table could not be made gets why.
    pt = periods_table([YEAR, Period.parse("2016-04-01:2017-03-31")])
    order = ["la_code", "period_start", "period_end"]
    with Basket(tables, None, in_background=True) as basket, Running() as running:
        expr = totals(get("CLA_3PLUS"), basket, pt)
        waits = basket.building(expr)
        # The placements, the children at period end, those with two later stays and the
        # two lookups of the period ends by rank (`common.period_ranks`, `periods_by_ranks`).
        assert len(waits) == 5
        result = running.submit(expr, lambda rows: rows, after=waits)

        def unreadable(scoped):
            episodes = scoped.table("cla_episodes")
            return episodes.mutate(place=ibis.literal("x").cast("int64"))

        broken = basket.shared(unreadable)
        failing = running.submit(broken.count().as_table(), len, after=basket.building(broken))
        background = result.result().sort_values(order, ignore_index=True)
        with pytest.raises(duckdb.ConversionException, match="x"):
            failing.result()
    alone = fetch(totals(get("CLA_3PLUS"), ForLAs(tables, None), pt))
    assert len(background) == 2
    pdt.assert_frame_equal(background, alone.sort_values(order, ignore_index=True))


def test_the_basket_in_one_compute_is_each_indicator_computed_alone(tables):
    periods = [YEAR, Period.parse("2015-07-01:2016-06-30"), Period.parse("2016-01-01:2016-12-31")]
    codes = [i.code for i in all_indicators() if i.source is Source.SSDA903]
    basket = compute(tables, periods, codes=codes)
    alone = pd.concat([compute(tables, periods, codes=[code]) for code in codes], ignore_index=True)
    pdt.assert_frame_equal(basket, alone.sort_values(list(basket.columns[:4]), ignore_index=True))


def test_an_indicator_whose_return_no_la_holds_is_not_queried(tables, monkeypatch):
    # Only an SSDA903 return is held (LA 999): an indicator of the CIN census or of the
    # virtual school would have no rows (each is an LA holding its return, in a period).
    import cscmonitor.indicators.engine as engine

    queried: list[str] = []

    def recording(ind, *args):
        queried.append(ind.code)
        return totals(ind, *args)

    monkeypatch.setattr(engine, "totals", recording)
    codes = ["CLA_3PLUS", "CIN_RATE", "CLA_SCHOOL_MOVE"]
    assert [get(c).source for c in codes] == [
        Source.SSDA903,
        Source.CIN_CENSUS,
        Source.VIRTUAL_SCHOOL,
    ]
    result = compute(tables, [YEAR], codes=codes)
    assert queried == ["CLA_3PLUS"]
    assert set(result["indicator"]) == {"CLA_3PLUS"} and len(result) == 1
    # An LA holding nothing: no query at all, and no rows.
    queried.clear()
    assert compute(tables, [YEAR], codes=codes, las=["111"]).empty
    assert queried == []


@pytest.mark.spark
def test_on_spark_an_intermediate_is_cached_without_its_last_sort(settings):
    """The last sort of an intermediate orders DuckDB's row groups (`engine._unsorted`); Spark
    keeps its partitions' rows as they come, not sorting every row of them again."""
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    ingest([DATA / "placements"], settings, la_code="999")
    spark = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.PYSPARK)

    def by_child(tables: Basket) -> ibis.Table:
        return tables.table("cla_episodes").order_by("child_id")

    with Basket(spark, None) as basket:
        kept = basket.shared(by_child)
        plan = spark.con._session.table(kept.op().name)._jdf.queryExecution().toString()
        assert "InMemoryRelation" in plan  # cached, with the plan that made it
        assert "Sort [child_id" not in plan
        assert kept.count().execute() == spark.table("cla_episodes").count().execute()
