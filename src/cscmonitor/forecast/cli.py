"""`cscmonitor forecast`: run a forecast, backtest it (docs/forecast.md).

Mounted on the main app by `cli.py`. Heavy imports wait until a command runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cscmonitor.output import Format, emit
from cscmonitor.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from cscmonitor.forecast.history import History

err = Console(stderr=True)

forecast_app = typer.Typer(
    help="Forecast the children looked after (and placement spend) from the 903 history.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $CSCMONITOR_DATA_DIR or ./data)."),
]
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
OutputOption = Annotated[
    Path | None, typer.Option(help="Write to this file instead of the screen.")
]


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r}: give an ISO date, e.g. 2015-03-31") from None


def _history(data_dir: Path | None, la: str, places: Path | None) -> History:
    from cscmonitor.forecast.categories import category_map, read_map
    from cscmonitor.forecast.history import NoHistory, read_history
    from cscmonitor.returns.issues import ReturnError
    from cscmonitor.warehouse import Warehouse

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        overrides = read_map(places, str(places)) if places else None
        tables = Warehouse(settings.warehouse_dir).tables()
        return read_history(tables, la, category_map(overrides))
    except (FileNotFoundError, NoHistory, ReturnError) as exc:
        raise _fail(str(exc)) from None


@forecast_app.command("run")
def run(
    la: La,
    origin: Annotated[str, typer.Option(help="Forecast from this date (ISO), within the data.")],
    horizon: Annotated[int, typer.Option(min=1, max=120, help="Months to forecast.")],
    data_dir: DataDir = None,
    paths: Paths = 1000,
    seed: Seed = 0,
    places: Places = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Children in care per month and category (and all): the median path and the 80% and
    95% intervals of the paths (columns month, category, forecast, lower80, upper80,
    lower95, upper95)."""
    from cscmonitor.forecast.fit import fit
    from cscmonitor.forecast.history import NoHistory
    from cscmonitor.forecast.simulate import simulate, summary

    history = _history(data_dir, la, places)
    try:
        model = fit(history, _date(origin, "--origin"))
    except NoHistory as exc:
        raise _fail(str(exc)) from None
    table = summary(simulate(model, horizon, paths=paths, seed=seed))
    emit(table, fmt, output, title=f"Children looked after by LA {la}: forecast from {origin}")


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
    places: Places = None,
    accuracy: Annotated[
        bool,
        typer.Option(
            "--accuracy",
            help="Instead of each forecast: per horizon and category, MAPE of the model and of "
            "the naive no-change forecast, and the share of actuals in the 80% and 95% intervals.",
        ),
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.CSV,
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
        results = run_backtest(history, origins, horizon or HORIZONS, paths=paths, seed=seed)
    except NoHistory as exc:
        raise _fail(str(exc)) from None
    if results.empty:
        raise _fail(f"no horizon ends on or before {history.end}, the last day the returns cover")
    table: pd.DataFrame = accuracy_of(results) if accuracy else results
    emit(table, fmt, output, title=f"Backtest, LA {la}")
