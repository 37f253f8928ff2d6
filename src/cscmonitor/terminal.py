"""What every command shares at the terminal: --data-dir, the settings it names, one-line errors.

Kept light on purpose: `cscmonitor <command> --help` imports this and the command's own
module, nothing more (pydantic-settings alone costs a third of a second, so it is imported
when a command runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cscmonitor.output import Format

if TYPE_CHECKING:
    from rich.console import Console

    from cscmonitor.settings import Settings
    from cscmonitor.settings_fields import SettingsFields

T = TypeVar("T")

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Data directory (default: $CSCMONITOR_DATA_DIR or ./data).",
    ),
]

FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]
OutputOption = Annotated[
    Path | None, typer.Option(metavar="FILE", help="Write to this file instead of the screen.")
]


@cache
def stderr() -> Console:
    """The console messages and tables go to, so stdout holds only what a command outputs."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class LazyConsole:
    """A Rich console made on its first message: a command's module is imported to show its
    `--help`, which needs no Rich (`cscmonitor <command> --help` stays under 0.3 s)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def print(self, *objects: Any, **options: Any) -> None:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        self._console.print(*objects, **options)


def fail(message: str) -> typer.Exit:
    """Print `error: message` on one line; raise what this returns (exit code 2)."""
    stderr().print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code=2)


def settings_for(data_dir: Path | None) -> Settings:
    """The installation's settings, read once, with --data-dir over $CSCMONITOR_DATA_DIR."""
    from cscmonitor.settings import Settings

    return _read_settings(Settings, data_dir)


def fields_for(data_dir: Path | None) -> SettingsFields:
    """The same settings as `settings_for`, read without pydantic-settings (for a command
    that must start fast and needs no more than the values: `ingest`)."""
    from cscmonitor.settings_fields import from_environment

    return _read_settings(from_environment, data_dir)


def _read_settings(read: Callable[..., T], data_dir: Path | None) -> T:
    """`read()` with --data-dir given to it; a value that does not fit, in the environment's
    words (`CSCMONITOR_X='value': what is expected`)."""
    from pydantic import ValidationError

    from cscmonitor.settings_fields import settings_problem

    try:
        return read(data_dir=data_dir) if data_dir else read()
    except ValidationError as exc:
        raise fail(settings_problem(exc)) from None


def iso_date(text: str) -> dt.date:
    """Parse an option's YYYY-MM-DD date, or say what was expected."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"wants a date YYYY-MM-DD (e.g. 2015-03-31), not {text!r}"
        ) from None
