"""`cscmonitor demo`: the whole flow on synthetic Doncaster returns, and what to run next."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.terminal import stderr


def demo(
    out: Annotated[
        Path,
        typer.Option(metavar="DIR", help="Folder for the returns, warehouse and report."),
    ] = Path("demo-output"),
    seed: Annotated[int, typer.Option(metavar="N", help="Seed for the synthetic returns.")] = 0,
) -> None:
    """Run the whole flow on synthetic Doncaster returns: synth, ingest, compute, assess, report."""
    from cscmonitor.demo import run_demo
    from cscmonitor.output import Format, emit

    result = run_demo(out, seed=seed, console=stderr())
    emit(
        result.table, Format.TABLE, None, title="Doncaster basket: computed (reported in the seed)"
    )
    print(next_steps(result.report, out / "data", result.sign_ins, program()), end="")


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
