"""`cscmonitor demo`: the whole flow on synthetic returns (Doncaster's seed years, or a Trust
today), and what to run next."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.terminal import stderr


class DemoScenario(StrEnum):
    SEED = "doncaster-2014"
    PRESENT_DAY = "present-day"


def demo(
    out: Annotated[
        Path,
        typer.Option(metavar="DIR", help="Folder for the returns, warehouse and report."),
    ] = Path("demo-output"),
    seed: Annotated[int, typer.Option(metavar="N", help="Seed for the synthetic returns.")] = 0,
    scenario: Annotated[
        DemoScenario,
        typer.Option(
            help="doncaster-2014: the seed's contract years, basket, reports and sign-off. "
            "present-day: a Trust's returns 2021-22 to 2025-26 and 2026-27 to date, in each "
            "year's format, with the National Framework's measures beside neighbours and England."
        ),
    ] = DemoScenario.SEED,
    size: Annotated[
        float,
        typer.Option(
            metavar="FACTOR",
            help="The share of the scenario's volumes to simulate, above 0 and at most 1 "
            "(--scenario present-day; e.g. 0.1 for a quick run).",
        ),
    ] = 1.0,
) -> None:
    """Run the whole flow on synthetic returns: synth, ingest, compute, assess, report."""
    from cscmonitor.output import Format, emit

    if scenario is DemoScenario.PRESENT_DAY:
        present_day(out, seed=seed, size=size)
        return
    if size != 1.0:
        stderr().print("[red]error:[/red] --size is for --scenario present-day")
        raise typer.Exit(code=2)
    from cscmonitor.demo import run_demo

    result = run_demo(out, seed=seed, console=stderr())
    emit(
        result.table, Format.TABLE, None, title="Doncaster basket: computed (reported in the seed)"
    )
    print(next_steps(result.report, out / "data", result.sign_ins, program()), end="")


def present_day(out: Path, *, seed: int, size: float) -> None:
    """The present-day demo: the framework's measures by outcome and enabler, then where the
    data is."""
    from cscmonitor.demo_present import run_present_day
    from cscmonitor.output import Format, emit

    try:
        result = run_present_day(out, seed=seed, scale=size, console=stderr())
    except ValueError as exc:
        stderr().print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    for table in result.tables:
        emit(table.rows, Format.TABLE, None, title=f"{result.la_name}: {table.framework.label}")
    year, quarter = result.pack_quarter
    pack = "\n".join(f"  {path.resolve()}" for path in result.framework_pack)
    print(
        f"National Framework pack, contract year {year} quarter {quarter}:\n{pack}\n"
        f"Warehouse: {result.data_dir.resolve()}\n"
        f"Postcode lookup: {result.postcode_lookup.resolve()}"
    )


def program() -> str:
    """This command as a new shell can run it: the script's full path, or python -m cscmonitor."""
    script = Path(sys.argv[0])
    if script.name == "cscmonitor" and script.is_file():
        return shlex.quote(str(script.absolute()))
    return f"{shlex.quote(sys.executable)} -m cscmonitor"


def next_steps(
    report: Path, data_dir: Path, sign_ins: list[tuple[str, str, str]], program: str
) -> str:
    """Where the report is, the command that serves the web app, and the demo's sign-ins."""
    data = shlex.quote(str(data_dir.resolve()))
    lines = [
        f"Report: {report.resolve()}",
        f"Web app: {program} serve --data-dir {data}",
        "         then open http://127.0.0.1:8000/",
        "Demo sign-ins (development only):",
    ]
    rows = [("role", "username", "password"), *sign_ins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines) + "\n"
