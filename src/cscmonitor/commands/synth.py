"""The `cscmonitor synth` command: one LA from a scenario, or every LA in England.

Kept outside `synth/`, whose package imports the generator (numpy, pandas), so that
`cscmonitor synth --help` imports neither.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cscmonitor.terminal import stderr

# The latest census year whose child population is published in the bundled estimates.
DEFAULT_TO_YEAR = 2024
ENGLAND_YEARS = 10


class Scale(StrEnum):
    LA = "la"
    ENGLAND = "england"


def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the returns into.")],
    scale: Annotated[
        Scale,
        typer.Option(help="One LA from a scenario, or every LA in England (a folder per LA code)."),
    ] = Scale.LA,
    scenario: Annotated[
        str,
        typer.Option(
            help="Scenario name (--scale la): doncaster-2014 (the seed's years) or present-day "
            "(2021-22 to 2025-26 and an in-year 2026-27 extract, each in its year's format)."
        ),
    ] = "doncaster-2014",
    size: Annotated[
        float,
        typer.Option(
            metavar="FACTOR",
            help="The share of the scenario's volumes to simulate, above 0 and at most 1 "
            "(--scale la).",
        ),
    ] = 1.0,
    postcode_lookup: Annotated[
        Path | None,
        typer.Option(
            "--postcode-lookup",
            metavar="FILE",
            help="Where a scenario with postcodes (present-day) writes its postcode lookup "
            "(default: beside OUT, as OUT-postcode-lookup.csv, so that ingest OUT reads only "
            "returns).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 0,
    la: Annotated[
        list[str] | None,
        typer.Option(
            "--la",
            help="LA code to write (--scale la; default: the scenario's). With --scale "
            "england: only these LAs (repeat for several; default: all).",
        ),
    ] = None,
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from-year",
            help=f"First census year, ending 31 March (--scale england; default: "
            f"{ENGLAND_YEARS - 1} years before --to-year).",
        ),
    ] = None,
    to_year: Annotated[
        int | None,
        typer.Option(
            "--to-year",
            help=f"Last census year, ending 31 March (--scale england; default: "
            f"{DEFAULT_TO_YEAR}).",
        ),
    ] = None,
) -> None:
    """Write synthetic statutory returns (CIN census XML, SSDA903 CSVs, workforce CSVs).

    Each year's returns are in that year's format; the present-day scenario adds an in-year
    extract and a postcode lookup (beside OUT; see --postcode-lookup).

    --scale england simulates every English LA together, sized by its child population,
    and writes OUT/<la>/cin_census, OUT/<la>/ssda903 and OUT/<la>/workforce per LA.
    """
    try:
        if scale is Scale.ENGLAND and size != 1.0:
            raise ValueError("--size is for --scale la; England is sized by its population")
        if scale is Scale.ENGLAND:
            from cscmonitor.synth.england import generate_england

            last = to_year if to_year is not None else DEFAULT_TO_YEAR
            first = from_year if from_year is not None else last - ENGLAND_YEARS + 1
            summary = generate_england(out, first, last, seed=seed, las=la or None)
            stderr().print(summary.describe(), highlight=False)
            return
        if from_year is not None or to_year is not None:
            raise ValueError(
                "--from-year and --to-year are for --scale england; a scenario sets its years"
            )
        if la is not None and len(la) > 1:
            raise ValueError("--scale la writes one LA: give --la once")
        from cscmonitor.synth import generate

        single = generate(
            out,
            scenario=scenario,
            seed=seed,
            la_code=la[0] if la else None,
            scale=size,
            postcode_lookup=postcode_lookup,
        )
        stderr().print(single.describe())
    except ValueError as exc:
        stderr().print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
