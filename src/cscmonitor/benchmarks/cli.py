"""The `benchmark` command and the `benchmarks` sub-commands (import and list published tables).

Mounted on the main app by `cli.py`:

    app.command()(benchmark)
    app.add_typer(benchmarks_app, name="benchmarks")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.output import Format, emit
from cscmonitor.terminal import DataDir, FormatOption, OutputOption, fail, settings_for, stderr

if TYPE_CHECKING:
    import pandas as pd

    from cscmonitor.benchmarks.store import BenchmarkStore

benchmarks_app = typer.Typer(
    help="The published DfE tables used as benchmarks: import newer releases, list what is held.",
    no_args_is_help=True,
    add_completion=False,
)


def benchmark_store(data_dir: Path | None) -> BenchmarkStore:
    """The store of published tables: bundled ones plus imports under DATA_DIR/benchmarks."""
    from cscmonitor.benchmarks.store import BenchmarkStore

    return BenchmarkStore(settings_for(data_dir).data_dir / "benchmarks")


def benchmark(
    la: Annotated[str, typer.Option("--la", help="LA: DfE code (371), ONS code or name.")],
    year: Annotated[
        str | None,
        typer.Option(
            help="Financial year, e.g. 2015-16 (DfE's time_period 2016). A bare 2016 is refused "
            "as ambiguous."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="START:END (ISO dates) instead of --year: computed and pooled only."),
    ] = None,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Indicator codes (default: every one benchmarked).")
    ] = None,
    sn: Annotated[
        int | None,
        typer.Option(
            "--sn", help="Statistical neighbour grouping, 2021 or 2025 (default: by year)."
        ),
    ] = None,
    contract: Annotated[
        str | None,
        typer.Option("--contract", help="Contract YAML file or packaged name: RAG against it."),
    ] = None,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Benchmark an LA: value, England, region, neighbours, quartile band, RAG and travel."""
    from cscmonitor.basket import contract_from
    from cscmonitor.benchmarks.geography import UnknownLA
    from cscmonitor.benchmarks.neighbours import GROUPING_FILES
    from cscmonitor.benchmarks.published import parse_year
    from cscmonitor.benchmarks.table import benchmark_view
    from cscmonitor.periods import Period
    from cscmonitor.terms import ContractError
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    try:
        if (year is None) == (period is None):
            raise ValueError("give --year (e.g. 2015-16) or --period START:END")
        if sn is not None and sn not in GROUPING_FILES:
            raise ValueError(f"--sn must be one of {', '.join(map(str, GROUPING_FILES))}")
        first = parse_year(year) if year is not None else None
        span = Period.parse(period) if period is not None else None
        terms = contract_from(contract) if contract else None
        warehouse = Warehouse(settings.warehouse_dir)
        tables = warehouse.tables() if warehouse.current() is not None else None
        if span is not None and tables is None:
            raise ValueError(f"--period needs a warehouse; none at {settings.warehouse_dir}")
        published = benchmark_store(data_dir).published()
        view = benchmark_view(
            published,
            la,
            year=first,
            period=span,
            codes=indicator,
            grouping=sn,
            tables=tables,
            contract=terms,
        )
    except (ValueError, KeyError, FileNotFoundError, ContractError, UnknownLA) as exc:
        raise fail(str(exc).strip("'\"")) from None
    from cscmonitor.wording import neighbours_model_text

    place = view.la
    model = neighbours_model_text(view.grouping)
    title = (
        f"{place.name} ({place.code}{', ' + place.new_code if place.new_code else ''}), "
        f"{view.label}: region {place.region_name}; {model} (DfE statistical neighbours)"
    )
    if format is Format.TABLE:
        emit(display_table(view.table), format, output, title=title)
        if output is None:
            names = ", ".join(view.neighbours["la_name"].fillna(view.neighbours["la_code"]))
            print(f"Statistical neighbours (DfE's {view.grouping} model): {names or 'none'}")
    else:
        emit(view.table, format, output)
    for note in view.notes:
        stderr().print(f"note: {note}", highlight=False)


def _float(value: object) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number  # NaN is the only value unequal to itself


# Why a figure is missing, in the terminal's few letters (CSV and JSON keep the full states).
_MISSING = {"not held": "not held", "not published": "not pub.", "no published benchmark": "—"}


def _shown(value: object, unit: str, flag: object = None, *, missing: object = "") -> str:
    number = _float(value)
    if number is None:
        if isinstance(flag, str):
            return flag  # DfE's own suppression code
        return _MISSING.get(missing, "") if isinstance(missing, str) else ""
    decimals = 0 if unit in ("days", "count") else 1
    return f"{number:.{decimals}f}{'%' if unit == 'percent' else ''}"


def _p(value: object) -> str:
    number = _float(value)
    if number is None:
        return ""
    return f"{number:.3f}" if number >= 0.001 else "<0.001"


# Short words for the terminal; CSV and JSON keep the full phrases.
_SHORT = {
    "significantly better": "better",
    "significantly worse": "worse",
    "significantly higher": "higher",
    "significantly lower": "lower",
    "not significantly different": "similar",
    "no significant change": "not significant",
    "not comparable": "",
}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The benchmark table as text for the terminal: figures in their unit, flags as DfE shows."""
    import pandas as pd

    blank = pd.Series(None, index=table.index, dtype=object)

    def col(name: str) -> pd.Series:
        return table.get(name, blank)

    def words(name: str) -> pd.Series:
        return col(name).map(lambda v: _SHORT.get(v, v) if isinstance(v, str) else "")

    def figures(name: str, flag: str | None = None, state: str | None = None) -> list[str]:
        flags = col(flag) if flag else blank
        states = col(state) if state else blank
        return [
            _shown(v, u, f, missing=m)
            for v, u, f, m in zip(col(name), col("unit"), flags, states, strict=True)
        ]

    shown = pd.DataFrame({"indicator": table["code"]})
    if "value" in table:
        shown["value"] = figures("value", "flag", "value_state")
    if "computed" in table:
        shown["computed"] = figures("computed")
    if "value" in table:
        shown["England"] = figures("england", "england_flag", "england_state")
        shown["region"] = figures("region", "region_flag", "region_state")
        shown["SN mean"] = figures("sn_mean", None, "sn_state")
        shown["band"] = col("band").fillna("")
    shown["RAG"] = col("rag").fillna("")
    if "travel" in table:
        shown["travel"] = words("travel")
        shown["p"] = [_p(v) for v in col("travel_p")]
        shown["vs England"] = words("vs_england")
    if "computed_travel" in table:
        shown["computed travel"] = words("computed_travel")
        shown["p (computed)"] = [_p(v) for v in col("computed_travel_p")]
    if "baseline_travel" in table:
        shown["since baseline"] = words("baseline_travel")
    if "pooled_england" in table:
        shown["pooled England"] = figures("pooled_england")
        shown["pooled band"] = col("pooled_band").fillna("")
    return shown


@benchmarks_app.command("import")
def import_tables(
    files: Annotated[list[Path], typer.Argument(help="EES CSV files (standard layout).")],
    data_dir: DataDir = None,
) -> None:
    """Import DfE tables downloaded from Explore Education Statistics (newer releases supersede)."""
    from cscmonitor.benchmarks.ees import EESFormatError
    from cscmonitor.benchmarks.mapping import COMPARATORS

    store = benchmark_store(data_dir)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise fail(f"no such file: {', '.join(missing)}")
    try:
        imported = store.import_files(files)
    except EESFormatError as exc:
        raise fail(str(exc)) from None
    for done in imported:
        codes = [c.code for c in COMPARATORS if done.dataset in c.datasets]
        years = f"{done.years[0]}–{done.years[-1]}" if done.years else "no years"
        flags = ", ".join(f"{k} {v}" for k, v in sorted(done.flags.items())) or "none"
        state = "already held" if done.already_held else "imported"
        stderr().print(
            f"{done.source_file}: {state} as dataset {done.dataset}: {done.rows} values of "
            f"{done.measures} measures, {years}; suppressed: {flags}; benchmarks: "
            f"{', '.join(codes) or 'none mapped yet'}",
            highlight=False,
        )


@benchmarks_app.command("list")
def list_tables(
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """List the published tables held (bundled and imported) and what each release supplies."""
    emit(benchmark_store(data_dir).releases(), format, output, title="Published tables")


@benchmarks_app.command("structure")
def structure(
    from_year: Annotated[
        int, typer.Option("--from-year", help="First financial year (2015 for 2015-16).")
    ],
    to_year: Annotated[int, typer.Option("--to-year", help="Last financial year.")],
    indicator: Annotated[
        list[str] | None,
        typer.Option(help="Indicator codes (default: every one checked, CIN and Framework)."),
    ] = None,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """The outside check: the CIN, plan and National Framework measures DfE publishes for
    every LA, computed from the warehouse for every LA held, beside DfE's published tables:
    LAs, years, ranges, spread."""
    import datetime as dt

    from cscmonitor.benchmarks.structure import OUTSIDE_CHECK, compare
    from cscmonitor.benchmarks.values import Published
    from cscmonitor.indicators.engine import compute
    from cscmonitor.periods import Period
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    if to_year < from_year:
        raise fail("--to-year is before --from-year")
    codes = list(indicator or OUTSIDE_CHECK)
    unknown = [c for c in codes if c not in OUTSIDE_CHECK]
    if unknown:
        raise fail(f"not checked: {', '.join(unknown)}; checked: {', '.join(OUTSIDE_CHECK)}")
    years = [Period(dt.date(y, 4, 1), dt.date(y + 1, 3, 31)) for y in range(from_year, to_year + 1)]
    try:
        tables = Warehouse(settings.warehouse_dir).tables()
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    computed = compute(tables, years, codes=codes)
    published = Published(benchmark_store(data_dir).published()).values
    emit(compare(computed, published, codes), format, output, title="Computed beside published")


# The two mounted on their own: for tests, and `python -c` use without the main app.
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Benchmarks.")
app.command()(benchmark)
app.add_typer(benchmarks_app, name="benchmarks")
