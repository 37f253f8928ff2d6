"""The `cscmonitor` command: one sub-command per stage of the flow, plus the demo.

Each command lives in its own module and is imported only when it runs (or shows its own
`--help`): `cscmonitor --help` lists the commands from the registry below without importing
any of them. A new command is one module and one line in COMMANDS:

    "forecast": Lazy("cscmonitor.forecast.cli:forecast", "Project demand and cost ..."),

where the target is a function (one command) or a `typer.Typer` (a group of sub-commands),
and the summary is the first line of its help (tests/test_cli.py checks they agree). Keep
a command module's top-level imports light (typer, the enums its options name): import
pandas, Ibis, SQLAlchemy, FastAPI, YAML and the settings inside the function that uses them,
and print through `terminal.LazyConsole` (Rich is imported by the first message).
tests/test_cli.py checks every command's `--help` in a fresh process.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from cscmonitor.errors import OneLine


@dataclass(frozen=True)
class Lazy:
    target: str  # "module:attribute": a command function or a typer.Typer of sub-commands
    summary: str  # the first line of the command's help, shown by `cscmonitor --help`


# In the order of the flow; `cscmonitor --help` lists them so.
COMMANDS: dict[str, Lazy] = {
    "synth": Lazy(
        "cscmonitor.commands.synth:synth",
        "Write synthetic statutory returns (CIN census XML, SSDA903 CSVs, workforce CSVs).",
    ),
    "ingest": Lazy(
        "cscmonitor.commands.ingest:ingest",
        "Parse returns, check them, pseudonymise ids, and merge them into a new warehouse "
        "snapshot.",
    ),
    "snapshots": Lazy(
        "cscmonitor.commands.data:snapshots_app",
        "List the warehouse snapshots (oldest first; the current one is marked *), or prune them.",
    ),
    "rollback": Lazy(
        "cscmonitor.commands.data:rollback",
        "Make an earlier snapshot current again (atomically, after checking its checksums).",
    ),
    "verify": Lazy(
        "cscmonitor.commands.data:verify",
        "Check the warehouse against its checksums, the records database, and the key.",
    ),
    "backup": Lazy(
        "cscmonitor.commands.data:backup",
        "Back up the records database and the current warehouse snapshot (never the key).",
    ),
    "restore": Lazy(
        "cscmonitor.commands.data:restore",
        "Rebuild an installation from a backup, into an empty data directory and database.",
    ),
    "compute": Lazy(
        "cscmonitor.commands.compute:compute",
        "Compute indicators for every LA and period at once (one query per indicator).",
    ),
    "indicators": Lazy(
        "cscmonitor.commands.compute:indicators",
        "List the indicators the registry knows, with unit, polarity and source.",
    ),
    "assess": Lazy(
        "cscmonitor.commands.assess:assess",
        "Rate the contract's basket: RAG against target and tolerance, direction of travel.",
    ),
    "figures": Lazy(
        "cscmonitor.commands.figures:figures",
        "The figure model of the basket: value, interval, RAG, travel, benchmarks, trajectory.",
    ),
    "spc": Lazy(
        "cscmonitor.spc_cli:spc",
        "Control charts (XmR or p-chart) of indicators, with the Making Data Count rules.",
    ),
    "forecast": Lazy(
        "cscmonitor.forecast.cli:forecast_app",
        "Forecast the children looked after (and placement spend) from the 903 history.",
    ),
    "benchmark": Lazy(
        "cscmonitor.benchmarks.cli:benchmark",
        "Benchmark an LA: value, England, region, neighbours, quartile band, RAG and travel.",
    ),
    "benchmarks": Lazy(
        "cscmonitor.benchmarks.cli:benchmarks_app",
        "The published DfE tables used as benchmarks: import newer releases, list what is held.",
    ),
    "records": Lazy(
        "cscmonitor.records.cli:records_app",
        "The contract's governance records: contract, basket, inspections, finance, changes.",
    ),
    "report": Lazy(
        "cscmonitor.reports.cli:report_app",
        "Write the reports people read: quarterly, annual review, corporate parenting, "
        "National Framework, summary.",
    ),
    "serve": Lazy(
        "cscmonitor.web.cli:serve",
        "Run the web app (refuses outside development without CSCMONITOR_SECRET_KEY).",
    ),
    "audit": Lazy(
        "cscmonitor.records.audit_cli:audit_app",
        "The audit log: check that no row was edited or removed.",
    ),
    "users": Lazy(
        "cscmonitor.web.cli:users_app",
        "Web app accounts: create the first administrator, list accounts.",
    ),
    "demo": Lazy(
        "cscmonitor.commands.demo:demo",
        "Run the whole flow on synthetic returns: synth, ingest, compute, assess, report.",
    ),
}


def load(name: str) -> Any:
    """The click command `name` runs: its module imported now, its help in plain words."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        target = single
    # Plain help: no Rich panels (Rich costs a quarter of a second), no `<bool>` beside flags.
    target.rich_markup_mode = None
    command = typer.main.get_command(target)
    command.name = name
    _plain_metavars(command)
    return command


def _plain_metavars(command: Any) -> None:
    """Name each value in words (`--host HOST`, `PATH`), never a Python type (`<list[str]>`)."""
    for param in getattr(command, "params", ()):
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "is_flag", False) or (descriptor is not None and descriptor.is_choice):
            continue
        if param.metavar is None:
            param.metavar = (param.name or "value").upper()
        if param.param_type_name == "argument":
            # typer shows an argument's type beside its name even when it has a metavar.
            param.display_type_rich = _no_type
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)


def _no_type(ctx: Any) -> None:
    return None


class LazyGroup(TyperGroup):
    """A group whose commands are imported when one runs; usage errors are one line."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return load(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The registry's summaries: listing the commands imports none of them."""
        rows = [(name, lazy.summary) for name, lazy in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        from typer._click import exceptions as problems
        from typer._click.utils import echo

        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except problems.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except problems.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "cscmonitor"
            echo(f"error: {exc.format_message()} (see {where} --help)", err=True)
            sys.exit(exc.exit_code)
        except problems.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            echo("Aborted!", err=True)
            sys.exit(1)
        except OneLine as exc:
            echo(f"error: {exc}", err=True)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=LazyGroup,
    help="Run a children's social care Service Delivery Contract from the statutory returns.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def cscmonitor() -> None:
    """Run a children's social care Service Delivery Contract from the statutory returns."""


def main() -> None:
    """The `cscmonitor` script and `python -m cscmonitor`."""
    app()


if __name__ == "__main__":
    main()
