"""`cscmonitor records change-point`: the days control charts rebase at (docs/spc.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from cscmonitor.output import Format
from cscmonitor.records.cli import By, DataDir, FormatOption, _actor, _day, _show, _unit, err

change_point_app: typer.Typer = typer.Typer(
    help="Change points: days from which an LA's service ran differently; charts rebase there.",
    no_args_is_help=True,
)


@change_point_app.command("add")
def add(
    la: Annotated[str, typer.Option("--la", help="DfE LA code, e.g. 371.")],
    on: Annotated[str, typer.Option("--on", help="The first day it ran differently, YYYY-MM-DD.")],
    label: Annotated[str, typer.Option(help="What changed, e.g. 'front door restructure'.")],
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Record a change point (a restructure, a new model of practice); not the contract start,
    which is one already."""
    from cscmonitor.records import change_points

    with _unit(data_dir, _actor(by)) as session:
        point = change_points.add_change_point(session, la, _day(on, "--on"), label)
        err.print(f"change point {point.id}: LA {point.la_code} from {point.on}", highlight=False)


@change_point_app.command("list")
def list_(
    la: Annotated[str | None, typer.Option("--la", help="Only this LA.")] = None,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
) -> None:
    """Where the control charts rebase: contract starts and the change points entered."""
    from cscmonitor.records import change_points

    with _unit(data_dir, _actor(None)) as session:
        entered = {
            (p.la_code, p.on, p.label): p.id for p in change_points.change_points(session, la)
        }
        rows = [
            {
                "id": entered.get(start, ""),  # a contract start is not entered: no id
                "la_code": start.la_code,
                "on": start.on,
                "label": start.label,
            }
            for start in change_points.phase_starts(session, la)
        ]
    _show(rows, format, "Change points")


@change_point_app.command("remove")
def remove(
    point_id: Annotated[int, typer.Argument(help="The change point's id (from list).")],
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Remove a change point entered in error."""
    from cscmonitor.records import change_points

    with _unit(data_dir, _actor(by)) as session:
        point = change_points.remove_change_point(session, point_id)
        err.print(f"change point {point_id} removed (LA {point.la_code}, {point.on})")
