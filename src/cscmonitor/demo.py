"""The demo: the whole flow on the embedded default (DuckDB + Parquet, records in SQLite)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console

from cscmonitor.assess import assess
from cscmonitor.basket import basket_results, contract_from
from cscmonitor.demo_review import sign_demo_review, write_demo_narrative
from cscmonitor.figures import contract_year_figures
from cscmonitor.forecast import outturn, store
from cscmonitor.forecast.categories import category_map
from cscmonitor.forecast.costs import read_rates
from cscmonitor.forecast.history import read_history
from cscmonitor.ingest import IngestReport, ingest
from cscmonitor.output import Format, emit
from cscmonitor.records import contracts, finance
from cscmonitor.records.accounts import seed_demo_users
from cscmonitor.records.audit import Actor
from cscmonitor.records.db import database_url, make_engine, transaction, upgrade
from cscmonitor.records.money import format_pounds
from cscmonitor.records.yamlio import load_demo
from cscmonitor.reports.context.sources import published_tables
from cscmonitor.reports.publish import write_annual_review
from cscmonitor.reports.summary import build_summary_context, write_summary
from cscmonitor.reports.table import assessment_table
from cscmonitor.settings import POSTCODE_LOOKUP, Settings
from cscmonitor.synth import generate
from cscmonitor.warehouse import Warehouse

SCENARIO = "doncaster-2014"
CONTRACT = "doncaster-2014"
# The forecast money the quarterly pack shows: the placement line of the 2015/16 budget,
# modelled at the end of contract year 1's fourth quarter (the review's "Q2 2015/16
# forecast"), priced at illustrative unit costs (the CSV names the basis of each rate).
UNIT_COSTS = Path(__file__).parent / "data" / "forecast" / "demo_unit_costs.csv"
PLACEMENT_BUDGET, PLACEMENT_LINE = "2015/16", "Placements for children in care"
FORECAST_AS_AT = dt.date(2015, 9, 30)


@dataclass(frozen=True)
class DemoResult:
    report: Path
    indicators: Path
    table: pd.DataFrame
    annual_review: dict[str, Path]  # by format
    signed_review: dict[str, Path]  # the signed edition's frozen files, by format
    sign_ins: list[tuple[str, str, str]]  # demo web accounts: (role, username, password)


def run_demo(out: Path, *, seed: int = 0, console: Console | None = None) -> DemoResult:
    """Synth -> ingest -> compute -> assess -> report, writing everything under `out`."""
    console = console or Console(stderr=True)
    returns_dir, data_dir = fresh_folders(out)
    # The scenario's postcode lookup, kept in the data directory (not a return), where ingest
    # and the web app's uploads find it: each placement's distance from home comes from it.
    settings = Settings(data_dir=data_dir)
    lookup = data_dir / POSTCODE_LOOKUP
    contract = contract_from(CONTRACT)

    with console.status("Writing synthetic returns (scenario doncaster-2014)…"):
        summary = generate(returns_dir, scenario=SCENARIO, seed=seed, postcode_lookup=lookup)
    console.print(f"[green]✓[/green] synth: {summary.describe()}")

    ingest_returns(returns_dir, settings, contract.la_code, console)

    with console.status("Loading the contract's governance records…"):
        engine = make_engine(database_url(settings))
        upgrade(engine)
        with transaction(engine, Actor("cscmonitor demo")) as session:
            held = load_demo(session)
            facts = (
                f"{len(held.inspections)} inspections, {len(held.budgets)} budgets, "
                f"{len(held.change_requests)} change requests, {len(held.priorities)} priorities"
            )
        sign_ins = seed_demo_users(engine)
        written = write_demo_narrative(engine)
        engine.dispose()
    console.print(
        f"[green]✓[/green] records: {facts}; the annual review's words ({len(written)} sections)"
    )

    with console.status("Forecasting placement spend for the quarterly pack…"):
        money = model_placement_outturn(settings)
    console.print(f"[green]✓[/green] forecast: {money}")

    with console.status("Computing the basket's indicators…"):
        tables = Warehouse(settings.warehouse_dir).tables()
        results = basket_results(tables, contract)
        indicators = out / "indicators.csv"
        emit(results, Format.CSV, indicators)
    console.print(f"[green]✓[/green] compute: {len(results)} figures -> {indicators}")

    with console.status("Assessing against targets and writing the report…"):
        assessments = assess(results, contract)
        created = dt.datetime.fromisoformat(tables.snapshot.manifest["created_at"]).date()
        figures = contract_year_figures(
            tables,
            contract,
            assessments[0].year,
            as_at=dt.date.today(),
            published=published_tables(settings),
        )
        context = build_summary_context(
            contract, figures, snapshot_id=tables.snapshot.id, snapshot_date=created
        )
        report = write_summary(out / "summary.html", context)
    console.print(f"[green]✓[/green] assess and report: {report}")

    with console.status("Writing the annual review (HTML, PDF, DOCX, XLSX)…"):
        reviews = write_annual_review(out, data_dir=data_dir)
    console.print(f"[green]✓[/green] annual review: {', '.join(str(p) for p in reviews.values())}")

    with console.status("Submitting, agreeing and signing the annual review…"):
        engine = make_engine(database_url(settings))
        edition, signed = sign_demo_review(settings, engine, out)
        engine.dispose()
    signers = ", ".join(s.name for s in edition.signatories)
    console.print(
        f"[green]✓[/green] signed: {edition.title}, by {signers} -> {signed['pdf'].parent}"
    )
    table = assessment_table(assessments)[
        [
            "indicator",
            "baseline_value",
            "latest_value",
            "target",
            "rag",
            "reported_baseline",
            "reported_latest",
        ]
    ]
    return DemoResult(report, indicators, table, reviews, signed, sign_ins)


def fresh_folders(out: Path) -> tuple[Path, Path]:
    """The demo's returns and data folders under `out`, emptied: a demo starts from nothing,
    so reruns give the same answer."""
    returns_dir, data_dir = out / "returns", out / "data"
    for stale in (returns_dir, data_dir):
        if stale.exists():
            shutil.rmtree(stale)
    return returns_dir, data_dir


def ingest_returns(
    returns_dir: Path, settings: Settings, la_code: str, console: Console
) -> IngestReport:
    """Ingest the demo's returns, saying how many and with how many problems."""
    with console.status("Ingesting the returns into the warehouse…"):
        ingested = ingest([returns_dir], settings, la_code=la_code)
    console.print(
        f"[green]✓[/green] ingest: {len(ingested.parsed)} returns into snapshot "
        f"{ingested.result.snapshot.id} ({ingested.problems.errors} errors, "
        f"{ingested.problems.warnings} warnings)"
    )
    return ingested


def model_placement_outturn(settings: Settings) -> str:
    """Import the demo's illustrative unit costs and keep the placement line's modelled
    forecast outturn at FORECAST_AS_AT (spend to date as the returns show it, priced at the
    same costs): what the quarterly pack's demand and cost section reports."""
    warehouse = Warehouse(settings.warehouse_dir)
    tables = warehouse.tables()
    engine = make_engine(database_url(settings))
    try:
        with transaction(engine, Actor("cscmonitor demo")) as session:
            contract = contracts.get_contract(session)
            history = read_history(tables, contract.la_code, category_map())
            source = f"cscmonitor/data/forecast/{UNIT_COSTS.name}"
            store.import_rates(session, contract.la_code, read_rates(UNIT_COSTS), source)
            modelled = outturn.model_outturn(
                session,
                history,
                finance.get_budget(contract, PLACEMENT_BUDGET),
                PLACEMENT_LINE,
                FORECAST_AS_AT,
                snapshot_id=tables.snapshot.id,
                created_by="cscmonitor demo",
            )
    finally:
        engine.dispose()
    median = modelled.splits[0].position
    return (
        f"{PLACEMENT_LINE}, budget {PLACEMENT_BUDGET}, as at {FORECAST_AS_AT}: "
        f"variance {format_pounds(round(median.variance_pence, -2))} at the median"
    )
