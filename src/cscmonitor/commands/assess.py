"""`cscmonitor assess`: the contract's basket rated against its targets."""

from __future__ import annotations

from typing import Annotated

import typer

from cscmonitor.output import Format, emit
from cscmonitor.terminal import DataDir, FormatOption, OutputOption, fail, settings_for


def assess(
    contract: Annotated[
        str,
        typer.Option(
            "--contract", metavar="FILE|NAME", help="Contract YAML file, or a packaged one by name."
        ),
    ] = "doncaster-2014",
    data_dir: DataDir = None,
    year: Annotated[
        int | None,
        typer.Option(metavar="N", help="Contract year (default: the latest ended)."),
    ] = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
) -> None:
    """Rate the contract's basket: RAG against target and tolerance, direction of travel."""
    from cscmonitor.assess import assess as run_assess
    from cscmonitor.basket import basket_results, contract_from
    from cscmonitor.reports.table import assessment_table
    from cscmonitor.terms import ContractError
    from cscmonitor.warehouse import Warehouse

    settings = settings_for(data_dir)
    try:
        terms = contract_from(contract)
        tables = Warehouse(settings.warehouse_dir).tables()
        assessments = run_assess(basket_results(tables, terms), terms, year=year)
    except (ContractError, ValueError, KeyError, FileNotFoundError) as exc:
        raise fail(str(exc)) from None
    emit(assessment_table(assessments), format, output, title=terms.name)
