"""The present-day demo: a Trust's returns of the last five years and this year to date, each in
its year's format, ingested and computed as the National Framework groups its measures, beside
the LA's statistical neighbours and England in DfE's published tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console

from cscmonitor.assess import Computed
from cscmonitor.assess.results import computed_for
from cscmonitor.basket import contract_from
from cscmonitor.benchmarks.comparison import Comparison, comparisons
from cscmonitor.benchmarks.values import Published
from cscmonitor.demo import fresh_folders, ingest_returns
from cscmonitor.figures import comparison_text, computed_text
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.framework import Framework
from cscmonitor.indicators.registry import Tables, all_indicators, by_framework
from cscmonitor.periods import Period, financial_year
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.context.sources import published_tables
from cscmonitor.reports.context.timing import contract_quarter
from cscmonitor.reports.publish import outputs_for, write_reports
from cscmonitor.settings import POSTCODE_LOOKUP, Settings
from cscmonitor.synth import generate
from cscmonitor.synth.scenario import load
from cscmonitor.terms import ContractTerms
from cscmonitor.warehouse import Warehouse

SCENARIO = "present-day"
# The Trust's contract with the council (packaged; illustrative terms): the pack's RAG.
CONTRACT = "northamptonshire-2021"
# The years shown: three complete ones (the last two have DfE's published benchmarks bundled)
# and the in-year extract's months.
YEARS = (2023, 2024, 2025)
BENCHMARKED = (2023, 2024)


@dataclass(frozen=True)
class FrameworkTable:
    """The framework's measures for one outcome or enabler, as the demo prints them."""

    framework: Framework
    rows: pd.DataFrame


@dataclass(frozen=True)
class PresentDemo:
    la_code: str
    la_name: str
    in_year: Period
    tables: tuple[FrameworkTable, ...]
    postcode_lookup: Path
    data_dir: Path
    pack_quarter: tuple[int, int]  # the framework pack's contract year and quarter
    framework_pack: tuple[Path, ...]  # the pack in every format
    errors: int  # ingest's
    warnings: int


def run_present_day(
    out: Path, *, seed: int = 0, scale: float = 1.0, console: Console | None = None
) -> PresentDemo:
    """Synth (present-day) -> ingest -> the framework's measures beside neighbours and England."""
    console = console or Console(stderr=True)
    returns_dir, data_dir = fresh_folders(out)
    # The postcode lookup is not a return: it is kept in the data directory, where ingest and
    # the web app's uploads find it (Settings.postcode_lookup_file).
    lookup = data_dir / POSTCODE_LOOKUP
    scenario = load(SCENARIO)
    if scenario.in_year_to is None:
        raise ValueError(f"scenario {SCENARIO} has no in-year date")
    with console.status(f"Writing synthetic returns (scenario {SCENARIO})…"):
        summary = generate(
            returns_dir, scenario=SCENARIO, seed=seed, scale=scale, postcode_lookup=lookup
        )
    console.print(f"[green]✓[/green] synth: {summary.describe()}")

    # Ingest works out each placement's distance from home through the lookup.
    settings = Settings(data_dir=data_dir)
    ingested = ingest_returns(returns_dir, settings, summary.la_code, console)

    in_year = Period(dt.date(scenario.in_year_to.year, 4, 1), scenario.in_year_to)
    with console.status("Computing the National Framework's measures…"):
        tables = framework_tables(
            Warehouse(settings.warehouse_dir).tables(),
            summary.la_code,
            in_year,
            published_tables(settings),
        )
    console.print(
        f"[green]✓[/green] compute: {sum(len(t.rows) for t in tables)} measures under "
        f"{len(tables)} outcomes and enablers"
    )
    year, quarter = last_quarter(contract_from(CONTRACT), in_year.end)
    with console.status("Writing the National Framework pack…"):
        pack = write_reports(
            settings,
            ReportKind.FRAMEWORK,
            outputs_for("all", out / "framework-pack.html"),
            contract=CONTRACT,
            year=year,
            quarter=quarter,
        )
    console.print(
        f"[green]✓[/green] report: the National Framework pack for contract year {year}, "
        f"quarter {quarter}, in {len(pack)} formats"
    )
    return PresentDemo(
        summary.la_code,
        scenario.la_name,
        in_year,
        tables,
        lookup,
        data_dir,
        (year, quarter),
        tuple(pack),
        ingested.problems.errors,
        ingested.problems.warnings,
    )


def last_quarter(terms: ContractTerms, day: dt.date) -> tuple[int, int]:
    """The contract year and quarter of the last quarter of the contract ended by `day`."""
    year = terms.contract_year_number(day)
    ended = [q for q in range(1, 5) if contract_quarter(terms, year, q).end <= day]
    return (year, ended[-1]) if ended else (year - 1, 4)


def framework_tables(
    tables: Tables, la_code: str, in_year: Period, published: Published
) -> tuple[FrameworkTable, ...]:
    """Each framework measure's value by year and this year to date, with the neighbours' mean
    and England's published figure for each benchmarked year, grouped by outcome and enabler."""
    indicators = all_indicators()
    years = {first: financial_year(first) for first in YEARS}
    periods = [*years.values(), in_year]
    results = compute(tables, periods, codes=[i.code for i in indicators], las=[la_code])
    computed = {p: computed_for(results, p) for p in periods}
    compared = {
        first: comparisons(published, la_code, computed[years[first]], years[first])
        for first in BENCHMARKED
    }
    rows = []
    for ind in indicators:
        row: dict[str, str] = {"indicator": ind.code, "title": ind.title}
        for first, period in years.items():
            name = _year(first)
            row[name] = computed_text(ind, computed[period].get(ind.code, Computed.missing(period)))
            if first in BENCHMARKED:
                held = compared[first].get(ind.code, Comparison.none())
                row[f"neighbours {name}"] = comparison_text(ind, held, "sn_mean")
                row[f"England {name}"] = comparison_text(ind, held, "england")
        so_far = computed[in_year].get(ind.code, Computed.missing(in_year))
        row[f"{in_year.label} (in year)"] = computed_text(ind, so_far)
        rows.append(row)
    grouped = by_framework(rows, lambda row: row["indicator"])
    return tuple(FrameworkTable(f, pd.DataFrame(members)) for f, members in grouped)


def _year(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"
