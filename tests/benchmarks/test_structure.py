"""The outside check: figures computed from synthetic England beside DfE's published tables."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from cscmonitor.benchmarks.cli import app
from cscmonitor.benchmarks.geography import LA_LEVEL
from cscmonitor.benchmarks.mapping import FACTOR_CODES
from cscmonitor.benchmarks.structure import CIN_CHECK, OUTSIDE_CHECK, compare, financial_years
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.engine import compute
from cscmonitor.ingest import ingest
from cscmonitor.periods import Period
from cscmonitor.settings import Settings
from cscmonitor.synth.england import generate_england
from cscmonitor.warehouse import Warehouse

# Barnsley, Doncaster, Rotherham: census years 2015-2017 give 2014-15 to 2016-17; the first
# has no 12 months of earlier referrals, so REREF_12M starts in 2015-16.
LAS = ["370", "371", "372"]
runner = CliRunner()
CHECK = ["benchmarks", "structure", "--from-year", "2015", "--to-year", "2016"]
CIN_ONLY = [arg for code in CIN_CHECK for arg in ("--indicator", code)]
YEARS = [Period(dt.date(y, 4, 1), dt.date(y + 1, 3, 31)) for y in (2015, 2016)]


def figure(la: str, year: int, value: float, code: str = "REREF_12M") -> dict:
    start = dt.date(year, 4, 1)
    return {
        "indicator": code,
        "la_code": la,
        "period_start": start,
        "period_end": dt.date(year + 1, 3, 31),
        "value": value,
    }


def dfe(la: str, year: int, value: float, code: str = "REREF_12M") -> dict:
    return {
        "code": code,
        "geographic_level": "Local authority",
        "area_code": la,
        "year": year,
        "value": value,
        "flag": None,
    }


class TestCompareByHand:
    def test_las_years_ranges_and_spread(self):
        computed = pd.DataFrame(
            [
                figure("370", 2015, 20.0),
                figure("371", 2015, 30.0),
                figure("999", 2015, 25.0),  # not an LA DfE publishes: only computed
                figure("370", 2020, 10.0),  # a year DfE's table lacks: not compared
                # A quarter is not a financial year: left out.
                {**figure("370", 2015, 99.0), "period_end": dt.date(2015, 6, 30)},
            ]
        )
        published = pd.DataFrame(
            [
                dfe("370", 2015, 18.0),
                dfe("371", 2015, 22.0),
                dfe("372", 2015, 26.0),  # only published
                {**dfe("373", 2015, float("nan")), "flag": "c"},  # suppressed, still published
                dfe("940 / 941", 2015, 24.0),  # a joint figure: not per council
                {**dfe("E12000003", 2015, 21.0), "geographic_level": "Regional"},
            ]
        )
        (row,) = compare(computed, published, ["REREF_12M"]).to_dict("records")
        assert row["years"] == "2015-16"
        assert (row["published_las"], row["computed_las"], row["las_in_both"]) == (4, 3, 2)
        assert (row["only_published"], row["only_computed"]) == (2, 1)
        assert row["published_suppressed"] == 1
        assert row["duplicate_figures"] == 0
        assert (row["computed_min"], row["computed_max"]) == (20.0, 30.0)
        # Published 18, 22, 26: quartiles 20 and 24.
        assert row["published_iqr"] == pytest.approx(4.0)
        assert row["in_range"]

    def test_a_drifted_scale_or_a_repeated_figure_shows(self):
        computed = pd.DataFrame([figure("370", 2015, 0.2), figure("370", 2015, 0.2)])
        published = pd.DataFrame([dfe("370", 2015, 18.0)])
        (row,) = compare(computed, published, ["REREF_12M"]).to_dict("records")
        assert row["duplicate_figures"] == 1
        computed = pd.DataFrame([figure("370", 2015, 2000.0)])  # a ratio shown × 10,000
        (row,) = compare(computed, published, ["REREF_12M"]).to_dict("records")
        assert not row["in_range"]

    def test_a_mean_score_is_in_range_only_within_its_own_bounds(self):
        # The SDQ total difficulties score runs 0–40: 14.9 is in range, 45 is not.
        published = pd.DataFrame([dfe("370", 2022, 14.9, "CLA_SDQ")])
        inside = pd.DataFrame([figure("370", 2022, 15.2, "CLA_SDQ")])
        (row,) = compare(inside, published, ["CLA_SDQ"]).to_dict("records")
        assert row["in_range"] and row["las_in_both"] == 1
        outside = pd.DataFrame([figure("370", 2022, 45.0, "CLA_SDQ")])
        (row,) = compare(outside, published, ["CLA_SDQ"]).to_dict("records")
        assert not row["in_range"]


def synthetic_england(tmp_path, first: int, last: int) -> Settings:
    """Synthetic returns of the three LAs for census years `first` to `last`, ingested."""
    returns = tmp_path / "returns"
    generate_england(returns, first, last, seed=0, las=LAS)
    settings = Settings(data_dir=tmp_path / "data", pseudonym_key=SecretStr("k"))
    for la in LAS:
        ingest([returns / la], settings, la_code=la)
    return settings


@pytest.mark.slow
def test_synthetic_england_has_the_published_structure(tmp_path, published):
    settings = synthetic_england(tmp_path, 2015, 2017)
    tables = Warehouse(settings.warehouse_dir).tables()
    computed = compute(tables, YEARS, codes=list(CIN_CHECK))
    check = compare(computed, Published(published).values, CIN_CHECK).set_index("code")
    for code in CIN_CHECK:
        row = check.loc[code]
        assert row["years"] == "2015-16, 2016-17", code
        # Every synthetic LA lines up with an LA DfE publishes, by the same code and year.
        assert (row["computed_las"], row["las_in_both"], row["only_computed"]) == (3, 3, 0)
        assert row["published_las"] > 140  # DfE publishes (nearly) every LA
        assert row["duplicate_figures"] == 0 and row["in_range"], code
        # LAs differ from one another, as published ones do.
        assert row["computed_max"] > row["computed_min"], code
    # The same check from the command line, on the warehouse just made.
    shown = runner.invoke(
        app,
        [*CHECK, *CIN_ONLY, "--data-dir", str(settings.data_dir), "--format", "csv"],
    )
    assert shown.exit_code == 0, shown.output
    assert pd.read_csv(io.StringIO(shown.stdout))["las_in_both"].tolist() == [3, 3, 3]


# The Framework measures synthetic England computes: children starting to be looked after and
# the factors at assessment (its returns have no OC2, OC3, AD1 or virtual school records).
FRAMEWORK_COMPUTED = ("CLA_START_RATE", *FACTOR_CODES)


@pytest.mark.slow
def test_synthetic_england_has_the_framework_tables_structure(tmp_path, published):
    settings = synthetic_england(tmp_path, 2022, 2024)
    tables = Warehouse(settings.warehouse_dir).tables()
    years = [Period(dt.date(y, 4, 1), dt.date(y + 1, 3, 31)) for y in (2022, 2023)]
    computed = compute(tables, years, codes=list(FRAMEWORK_COMPUTED))
    check = compare(computed, Published(published).values, FRAMEWORK_COMPUTED)
    check = check.set_index("code")
    for code in FRAMEWORK_COMPUTED:
        row = check.loc[code]
        # c3 and cla_number_and_rate hold 2022-23 and 2023-24 (time_period 2023, 2024).
        assert row["years"] == "2022-23, 2023-24", code
        assert (row["computed_las"], row["las_in_both"], row["only_computed"]) == (3, 3, 0)
        assert row["published_las"] > 140, code
        assert row["duplicate_figures"] == 0 and row["in_range"], code
    # Each factor's synthetic LAs sit where DfE's do: their median within the 5th-95th
    # percentile of the published LA figures of the same year (a factor drawn at the wrong
    # rate, or never, falls outside).
    for code, year, median, low, high in factor_spreads(computed, Published(published).values):
        assert low <= median <= high, (code, year, median, low, high)


def factor_spreads(
    computed: pd.DataFrame, published: pd.DataFrame
) -> list[tuple[str, int, float, float, float]]:
    """Per factor and year both hold: the synthetic LAs' median figure and the 5th and 95th
    percentiles of the published LA figures."""
    ours = financial_years(computed)
    theirs = published[published["geographic_level"].eq(LA_LEVEL) & published["value"].notna()]
    spreads = []
    for code in FACTOR_CODES:
        for year in sorted(set(ours.loc[ours["indicator"] == code, "year"])):
            dfe = theirs.loc[(theirs["code"] == code) & (theirs["year"] == year), "value"]
            if dfe.empty:
                continue
            mine = ours.loc[(ours["indicator"] == code) & (ours["year"] == year), "value"]
            low, high = dfe.quantile([0.05, 0.95])
            spreads.append((code, int(year), float(mine.median()), float(low), float(high)))
    assert spreads, "no factor figures held on both sides"
    return spreads


def test_the_command_refuses_an_indicator_it_does_not_check(tmp_path):
    shown = runner.invoke(app, [*CHECK, "--indicator", "CLA_FOSTER", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 2 and "not checked: CLA_FOSTER" in " ".join(shown.output.split())
    assert "CLA_START_RATE" in OUTSIDE_CHECK and "AF_NEGLECT" in OUTSIDE_CHECK


def test_the_command_needs_a_warehouse(tmp_path):
    shown = runner.invoke(
        app,
        [*CHECK, "--data-dir", str(tmp_path)],
    )
    assert shown.exit_code == 2 and "cscmonitor ingest" in " ".join(shown.output.split())
