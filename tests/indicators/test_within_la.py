"""Every indicator is computed within an LA: the figures of an LA computed with the other
LAs are those computed for it alone. The benchmarks across LAs come after, from the
figures. This is what handing groups of LAs to Spark's tasks, each computing its group on
DuckDB, rests on (bench/README.md, "Spark scheduling DuckDB by groups of LAs")."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pandas.testing as pdt

from cscmonitor.backends import Backend, SnapshotTables
from cscmonitor.indicators.engine import compute
from cscmonitor.ingest import ingest
from cscmonitor.periods import Series, series
from cscmonitor.synth.england.generate import generate_england
from cscmonitor.warehouse import Warehouse

LAS = ("805", "806")  # Hartlepool and Middlesbrough: small, neighbours


def test_each_las_figures_are_the_same_alone_as_with_the_others(tmp_path: Path, settings):
    # Four census years of synthetic returns (a 903, a CIN census, workforce) for each LA.
    generate_england(tmp_path, 2021, 2024, seed=0, las=list(LAS))
    for la in LAS:
        ingest([tmp_path / la], settings, la_code=la)
    tables = SnapshotTables(Warehouse(settings.warehouse_dir).require_current(), Backend.DUCKDB)
    periods = series(Series.QUARTERLY, dt.date(2020, 4, 1), dt.date(2024, 3, 31), rolling=True)
    whole = compute(tables, periods)
    apart = pd.concat([compute(tables, periods, las=[la]) for la in LAS], ignore_index=True)
    apart = apart.sort_values(["indicator", "la_code", "period_start", "period_end"])
    # Every return of the three held is queried, for both LAs, with figures to compare.
    assert set(whole["la_code"]) == set(LAS)
    assert whole["indicator"].nunique() > 40
    assert whole["value"].notna().sum() > 1000
    assert (whole.groupby("indicator")["value"].count() > 0).sum() > 40
    pdt.assert_frame_equal(whole, apart.reset_index(drop=True))
