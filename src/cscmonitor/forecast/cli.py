"""`cscmonitor forecast`: run a forecast, backtest it, keep unit costs and scenarios, and
carry the forecast into the finance records (docs/forecast.md).

Mounted on the main app by `cli.py`. Heavy imports wait until a command runs.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.output import Format, emit
from cscmonitor.terminal import (
    DataDir,
    FormatOption,
    LazyConsole,
    OutputOption,
    fail,
    settings_for,
)

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session

    from cscmonitor.forecast.adjust import Adjustments
    from cscmonitor.forecast.history import History

err = LazyConsole(stderr=True)

forecast_app = typer.Typer(
    help="Forecast the children looked after (and placement spend) from the 903 history.",
    no_args_is_help=True,
    add_completion=False,
)
costs_app = typer.Typer(help="Weekly unit costs by placement category and provider.")
scenario_app = typer.Typer(help="Named scenarios: adjustments to entry, transitions and costs.")
forecast_app.add_typer(costs_app, name="costs", no_args_is_help=True)
forecast_app.add_typer(scenario_app, name="scenario", no_args_is_help=True)

La = Annotated[str, typer.Option("--la", help="The LA's three-digit DfE code, e.g. 371.")]
Paths = Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths.")]
Seed = Annotated[int, typer.Option(help="Random seed (the same seed gives the same paths).")]
Places = Annotated[
    Path | None,
    typer.Option(
        "--places",
        help="CSV of place, category, from_year, to_year: rows replacing the bundled "
        "placement-category map for the codes it names.",
    ),
]
By = Annotated[
    str | None, typer.Option("--by", help="Your name, for the audit trail (default: login name).")
]
# fit.HALF_LIFE_MONTHS, written here so that `--help` starts without numpy (a test checks
# the two agree).
DEFAULT_HALF_LIFE = 48.0
HalfLife = Annotated[
    float,
    typer.Option(
        "--half-life",
        min=0,
        help="Weigh recent months more: a month h months before the origin counts "
        "0.5^(h / MONTHS); 0: every month alike. Default 48, chosen by backtest.",
    ),
]
ScenarioName = Annotated[
    str | None, typer.Option("--scenario", help="A saved scenario's name (see `scenario save`).")
]


@contextmanager
def _records(data_dir: Path | None, by: str | None) -> Iterator[Session]:
    """One audited transaction on the records; a broken rule exits 2 with nothing changed."""
    from sqlalchemy.exc import SQLAlchemyError

    from cscmonitor.records import db
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.errors import RecordsError

    try:
        engine = db.make_engine(db.database_url(settings_for(data_dir)))
        db.require_schema(engine)
        with db.transaction(engine, Actor(by or getpass.getuser())) as session:
            yield session
    except RecordsError as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise fail(f"database: {str(cause).splitlines()[0]}") from None


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r}: give an ISO date, e.g. 2015-03-31") from None


def _history(data_dir: Path | None, la: str, places: Path | None) -> History:
    from cscmonitor.forecast.categories import category_map, read_map
    from cscmonitor.forecast.history import NoHistory, read_history
    from cscmonitor.returns.issues import ReturnError
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    try:
        overrides = read_map(places, str(places)) if places else None
        tables = Warehouse(settings.warehouse_dir).tables()
        return read_history(tables, la, category_map(overrides))
    except (FileNotFoundError, NoHistory, ReturnError) as exc:
        raise fail(str(exc)) from None


@forecast_app.command("fit")
def fit_rates(
    la: La,
    origin: Annotated[str, typer.Option(help="Fit on the window before this date (ISO).")],
    window: Annotated[
        int, typer.Option(min=1, max=240, help="Months of history before the origin.")
    ] = 36,
    half_life: HalfLife = DEFAULT_HALF_LIFE,
    data_dir: DataDir = None,
    places: Places = None,
    fmt: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """The fitted model: each state's child-months and monthly hazards (shrunk); the entry
    rates, seasonality and overdispersion go to the screen's error stream."""
    from cscmonitor.forecast.fit import fit
    from cscmonitor.forecast.history import NoHistory
    from cscmonitor.forecast.states import AGE_BANDS

    history = _history(data_dir, la, places)
    try:
        model = fit(
            history, _date(origin, "--origin"), window_months=window, half_life=half_life or None
        )
    except NoHistory as exc:
        raise fail(str(exc)) from None
    rates = ", ".join(
        f"{band} {rate:.2f}" for band, rate in zip(AGE_BANDS, model.entry_rate, strict=True)
    )
    seasonal = "month-of-year factors used" if (model.seasonal != 1).any() else "flat"
    err.print(
        f"window {model.window_start} to {model.origin}; entrants a month per 10,000 children: "
        f"{rates}; seasonality {seasonal} (p = {model.seasonality_p:.3g}); "
        f"overdispersion {model.overdispersion:.3g}",
        highlight=False,
        soft_wrap=True,
    )
    emit(model.hazard_table(), fmt, output, title=f"Monthly hazards, LA {la}")


@forecast_app.command("run")
def run(
    la: La,
    origin: Annotated[str, typer.Option(help="Forecast from this date (ISO), within the data.")],
    horizon: Annotated[int, typer.Option(min=1, max=120, help="Months to forecast.")],
    data_dir: DataDir = None,
    scenario: ScenarioName = None,
    paths: Paths = 1000,
    seed: Seed = 0,
    places: Places = None,
    fmt: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Children in care per month and category (and all): the forecast (the median of the
    paths at the fitted rates) and the 80% and 95% intervals of the paths that also draw the
    rates (columns month, category, forecast, lower80, upper80,
    lower95, upper95). With unit costs held, spend rows follow (category `spend:…`, pounds
    a month)."""
    import pandas as pd

    from cscmonitor.forecast.simulate import summary

    projection, pounds = _project(data_dir, la, origin, horizon, scenario, paths, seed, places)
    table = summary(projection)
    if pounds is not None:
        from cscmonitor.forecast.costs import spend_summary

        table = pd.concat([table, spend_summary(projection, pounds)], ignore_index=True)
    emit(table, fmt, output, title=f"Children looked after by LA {la}: forecast from {origin}")


@forecast_app.command("compare")
def compare(
    la: La,
    origin: Annotated[str, typer.Option(help="Forecast from this date (ISO), within the data.")],
    horizon: Annotated[int, typer.Option(min=1, max=120, help="Months to forecast.")],
    scenario: Annotated[
        list[str], typer.Option("--scenario", help="A saved scenario's name; repeat.")
    ],
    data_dir: DataDir = None,
    paths: Paths = 1000,
    seed: Seed = 0,
    places: Places = None,
    fmt: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Scenarios side by side with the baseline (no adjustments): the columns of `run`
    after a `scenario` column, each run from the same origin with the same seed."""
    import pandas as pd

    from cscmonitor.forecast.simulate import summary

    frames = []
    for name in [None, *scenario]:  # one projection per scenario compared
        projection, pounds = _project(data_dir, la, origin, horizon, name, paths, seed, places)
        table = summary(projection)
        if pounds is not None:
            from cscmonitor.forecast.costs import spend_summary

            table = pd.concat([table, spend_summary(projection, pounds)], ignore_index=True)
        table.insert(0, "scenario", name or "baseline")
        frames.append(table)
    emit(pd.concat(frames, ignore_index=True), fmt, output, title=f"Scenarios, LA {la}")


def _project(
    data_dir: Path | None,
    la: str,
    origin: str,
    horizon: int,
    scenario: str | None,
    paths: int,
    seed: int,
    places: Path | None,
) -> tuple:
    """The projection from `origin`, and its spend (None when no unit costs are held)."""
    from cscmonitor.forecast import store
    from cscmonitor.forecast.costs import CostError, spend, weekly_costs
    from cscmonitor.forecast.fit import fit
    from cscmonitor.forecast.history import NoHistory
    from cscmonitor.forecast.simulate import simulate
    from cscmonitor.warehouse import Warehouse

    history = _history(data_dir, la, places)
    adjustments: Adjustments | None = None
    rates = []
    if scenario is not None or _records_held(data_dir):
        with _records(data_dir, None) as session:
            rates = store.held_rates(session, la)
            if scenario is not None:
                saved = store.get_scenario(session, la, scenario)
                current = Warehouse(settings_for(data_dir).warehouse_dir).require_current().id
                stale = saved.stale_note(current)
                if stale:
                    err.print(f"note: {stale}", highlight=False, soft_wrap=True)
                adjustments = saved.adjustments
    try:
        model = fit(history, _date(origin, "--origin"))
    except NoHistory as exc:
        raise fail(str(exc)) from None
    projection = simulate(model, horizon, paths=paths, seed=seed, adjustments=adjustments)
    if not rates:
        err.print("no unit costs held for this LA: no spend rows", highlight=False)
        return projection, None
    try:
        weekly = weekly_costs(rates, model, projection.dates[:-1])
    except CostError as exc:
        raise fail(str(exc)) from None
    factors = adjustments.cost_factors() if adjustments else None
    return projection, spend(projection, weekly, factors)


def _records_held(data_dir: Path | None) -> bool:
    """Whether a records database is set up (a forecast runs without one, costing nothing)."""
    from cscmonitor.records import db
    from cscmonitor.records.errors import RecordsError

    url = db.database_url(settings_for(data_dir))
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    try:
        db.require_schema(db.make_engine(url))
    except RecordsError:
        return False
    return True


@forecast_app.command("backtest")
def backtest(
    la: La,
    origin: Annotated[
        list[str], typer.Option(help="An origin date (ISO); repeat for rolling origins.")
    ],
    horizon: Annotated[
        list[int] | None,
        typer.Option(min=1, max=120, help="Months ahead; repeat (default 3, 6, 12 and 24)."),
    ] = None,
    data_dir: DataDir = None,
    paths: Paths = 1000,
    seed: Seed = 0,
    half_life: HalfLife = DEFAULT_HALF_LIFE,
    places: Places = None,
    accuracy: Annotated[
        bool,
        typer.Option(
            "--accuracy",
            help="Instead of each forecast: per horizon and category, MAPE of the model and of "
            "the naive no-change forecast, and the share of actuals in the 80% and 95% intervals.",
        ),
    ] = False,
    fmt: FormatOption = Format.CSV,
    output: OutputOption = None,
) -> None:
    """Fit at each origin, forecast each horizon, and set the forecast beside what the
    returns later showed and the naive no-change forecast (columns origin, horizon_months,
    category, actual, forecast, lower80, upper80, lower95, upper95, naive; category `all`
    is the total). Horizons beyond the last return held are left out."""
    from cscmonitor.forecast.backtest import HORIZONS
    from cscmonitor.forecast.backtest import accuracy as accuracy_of
    from cscmonitor.forecast.backtest import backtest as run_backtest
    from cscmonitor.forecast.history import NoHistory

    history = _history(data_dir, la, places)
    origins = sorted({_date(o, "--origin") for o in origin})
    try:
        results = run_backtest(
            history,
            origins,
            horizon or HORIZONS,
            paths=paths,
            seed=seed,
            half_life=half_life or None,
        )
    except NoHistory as exc:
        raise fail(str(exc)) from None
    if results.empty:
        raise fail(f"no horizon ends on or before {history.end}, the last day the returns cover")
    table: pd.DataFrame = accuracy_of(results) if accuracy else results
    emit(table, fmt, output, title=f"Backtest, LA {la}")


@costs_app.command("import")
def costs_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: "
            + ", ".join(
                ("category", "provider", "effective_from", "weekly_cost", "inflation_percent")
            )
        ),
    ],
    la: La,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Add weekly unit costs (a rate for the same category, provider and date is replaced;
    earlier rates stay). A file with any bad row changes nothing."""
    from cscmonitor.forecast import store
    from cscmonitor.forecast.costs import read_rates
    from cscmonitor.returns.issues import ReturnError

    try:
        rates = read_rates(file)
    except ReturnError as exc:
        raise fail(str(exc)) from None
    with _records(data_dir, by) as session:
        count = store.import_rates(session, la, rates, file.name)
    err.print(f"unit costs: {count} rates imported for LA {la}", highlight=False)


@costs_app.command("list")
def costs_list(
    la: La,
    data_dir: DataDir = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Every unit cost held for the LA, with the date each applies from."""
    import pandas as pd

    from cscmonitor.forecast import store

    with _records(data_dir, None) as session:
        rates = store.held_rates(session, la)
    table = pd.DataFrame(
        {
            "category": [r.category for r in rates],
            "provider": [r.provider for r in rates],
            "effective_from": [r.effective_from for r in rates],
            "weekly_cost": [r.weekly_pence / 100 for r in rates],
            "inflation_percent": [r.inflation_bp / 100 for r in rates],
        }
    )
    emit(table, fmt, None, title=f"Unit costs, LA {la}")


def _factors(values: list[str] | None, what: str) -> dict[str, float]:
    factors = {}
    for value in values or []:
        name, _, factor = value.rpartition("=")
        try:
            factors[name.strip()] = float(factor)
        except ValueError:
            raise fail(f"{what} {value!r}: give NAME=FACTOR, e.g. all=1.1") from None
    return factors


@scenario_app.command("save")
def scenario_save(
    name: Annotated[str, typer.Argument(help="The scenario's name.")],
    la: La,
    entry: Annotated[
        list[str] | None,
        typer.Option(help="AGE_BAND=FACTOR on the entry rate (or all=FACTOR); repeat."),
    ] = None,
    transition: Annotated[
        list[str] | None,
        typer.Option(
            help="FROM:TO=FACTOR on a monthly transition, FROM a category or all, TO a category "
            "or 'leave care', e.g. 'residential:fostering=1.5'; repeat."
        ),
    ] = None,
    cost: Annotated[
        list[str] | None, typer.Option(help="CATEGORY=FACTOR on unit costs (or all=); repeat.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What the scenario supposes, and why.")] = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Save (or replace) a named scenario, with who made it and on which snapshot."""
    from cscmonitor.forecast import store
    from cscmonitor.forecast.adjust import AdjustmentError, Adjustments, Transition
    from cscmonitor.warehouse import Warehouse

    moves = []
    for key, factor in _factors(transition, "--transition").items():
        source, _, target = key.partition(":")
        moves.append(Transition(source.strip(), target.strip(), factor))
    try:
        adjustments = Adjustments(
            entry=_factors(entry, "--entry"),
            transitions=tuple(moves),
            unit_costs=_factors(cost, "--cost"),
        )
        snapshot = Warehouse(settings_for(data_dir).warehouse_dir).require_current().id
    except (AdjustmentError, FileNotFoundError) as exc:
        raise fail(str(exc)) from None
    with _records(data_dir, by) as session:
        saved = store.save_scenario(
            session, la, name, adjustments, snapshot, by or getpass.getuser(), note
        )
    err.print(f"scenario {saved.name!r} saved on snapshot {saved.snapshot_id}", highlight=False)


@scenario_app.command("list")
def scenario_list(
    la: La,
    data_dir: DataDir = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """The scenarios saved for the LA: adjustments, who made them, when, on which snapshot."""
    import json

    import pandas as pd

    from cscmonitor.forecast import store

    with _records(data_dir, None) as session:
        held = store.scenarios(session, la)
    table = pd.DataFrame(
        {
            "name": [s.name for s in held],
            "snapshot": [s.snapshot_id for s in held],
            "created_by": [s.created_by for s in held],
            "created_at": [s.created_at for s in held],
            "adjustments": [json.dumps(store.adjustments_json(s.adjustments)) for s in held],
            "note": [s.note for s in held],
        }
    )
    emit(table, fmt, None, title=f"Forecast scenarios, LA {la}")


@forecast_app.command("outturn")
def outturn(
    la: La,
    budget: Annotated[str, typer.Option(help="The budget's label, e.g. 2015-16.")],
    line: Annotated[str, typer.Option(help="The placement budget line's service area.")],
    as_at: Annotated[str, typer.Option("--as-at", help="Forecast from this date (ISO).")],
    spent: Annotated[str, typer.Option(help="The line's spend to date, in pounds.")],
    contract: Annotated[
        str | None, typer.Option(help="Contract name (default: the only one held).")
    ] = None,
    data_dir: DataDir = None,
    scenario: ScenarioName = None,
    paths: Paths = 1000,
    seed: Seed = 0,
    by: By = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """The placement line's forecast outturn (spend to date plus the simulated rest of the
    year), kept in the finance records as modelled, and the budget's risk-share split at the
    median and at the ends of the 80% and 95% intervals."""
    import pandas as pd

    from cscmonitor.forecast import outturn as money
    from cscmonitor.forecast import store
    from cscmonitor.forecast.costs import CostError
    from cscmonitor.forecast.history import NoHistory
    from cscmonitor.records import contracts, finance
    from cscmonitor.records.money import pounds_to_pence
    from cscmonitor.warehouse import Warehouse

    day = _date(as_at, "--as-at")
    history = _history(data_dir, la, None)
    snapshot = Warehouse(settings_for(data_dir).warehouse_dir).require_current().id
    with _records(data_dir, by) as session:
        held = finance.get_budget(contracts.get_contract(session, contract), budget)
        spent_pence = pounds_to_pence(spent, "--spent")
        adjustments = None
        if scenario is not None:
            saved = store.get_scenario(session, la, scenario)
            stale = saved.stale_note(snapshot)
            if stale:
                err.print(f"note: {stale}", highlight=False, soft_wrap=True)
            adjustments = saved.adjustments
        try:
            splits = money.model_outturn(
                session,
                history,
                held,
                line,
                day,
                snapshot_id=snapshot,
                created_by=by or getpass.getuser(),
                spent_to_date_pence=spent_pence,
                scenario=scenario,
                adjustments=adjustments,
                paths=paths,
                seed=seed,
            ).splits
        except (NoHistory, CostError) as exc:
            raise fail(str(exc)) from None
    table = pd.DataFrame(
        {
            "measure": [s.label for s in splits],
            "line_outturn": [s.line_outturn_pence / 100 for s in splits],
            "budget": [s.position.budget_pence / 100 for s in splits],
            "variance": [s.position.variance_pence / 100 for s in splits],
            "direction": [s.position.direction or "" for s in splits],
            "council_share": [s.position.council_pence / 100 for s in splits],
            "trust_share": [s.position.trust_pence / 100 for s in splits],
        }
    )
    emit(table, fmt, None, title=f"Modelled outturn of {line}, budget {budget}")
