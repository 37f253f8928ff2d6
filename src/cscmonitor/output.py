"""Writing result tables as a terminal table, CSV or JSON."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and rich load when a table is written, not for a command's --help
    import pandas as pd


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def render(frame: pd.DataFrame, fmt: Format, *, title: str | None = None) -> str:
    """The frame as CSV or JSON text (NaN as blank/null, dates ISO); a rich table for TABLE."""
    match fmt:
        case Format.CSV:
            return frame.to_csv(index=False, float_format="%.6g")
        case Format.JSON:
            dated = frame.apply(lambda c: c.astype(str) if c.dtype == object else c)
            return json.dumps(
                json.loads(dated.to_json(orient="records", double_precision=10)), indent=2
            )
        case Format.TABLE:
            from rich.console import Console
            from rich.table import Table

            console = Console(width=200, record=True)
            table = Table(title=title)
            for column in frame.columns:
                table.add_column(str(column))
            for row in frame.itertuples(index=False):
                table.add_row(*("" if _plain(v) is None else _fmt(v) for v in row))
            with console.capture() as capture:
                console.print(table)
            return capture.get()


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(_plain(value))


def emit(
    frame: pd.DataFrame, fmt: Format, output: Path | None, *, title: str | None = None
) -> None:
    text = render(frame, fmt, title=title)
    if output is None:
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
