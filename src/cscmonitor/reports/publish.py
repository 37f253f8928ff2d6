"""Build a report's context once, lay it out once, and write it in any number of formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import assert_never

from cscmonitor.basket import data_end
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.context.annual import build_annual_context
from cscmonitor.reports.context.corporate_parenting import build_corporate_parenting_context
from cscmonitor.reports.context.framework import build_framework_context
from cscmonitor.reports.context.quarterly import build_quarterly_context
from cscmonitor.reports.context.sources import Sources, open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Document
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.layout.corporate_parenting import corporate_parenting_document
from cscmonitor.reports.layout.framework import framework_document
from cscmonitor.reports.layout.quarterly import quarterly_document
from cscmonitor.reports.render import formats, renderer, write
from cscmonitor.reports.render.pdf_worker import PdfWorker, wanted
from cscmonitor.settings import Settings

# The reports the package makes: the records' own list, which their narrative sections and
# editions are keyed by.
Report = ReportKind


def build_document(
    report: Report,
    sources: Sources,
    year: int,
    mode: Mode,
    *,
    quarter: int | None = None,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> Document:
    """The report's context, built once from the sources, laid out as a document.

    Refused (`figures.NoFigures`) when no figure is held for the period, unless `draft`.
    """
    match report:
        case Report.QUARTERLY:
            if quarter is None:
                raise ValueError("the quarterly report needs a quarter (1 to 4)")
            context = build_quarterly_context(
                sources, year, quarter, mode, as_at=as_at, draft=draft
            )
            return quarterly_document(context)
        case Report.ANNUAL:
            annual = build_annual_context(sources, year, mode, as_at=as_at, draft=draft)
            return annual_document(annual)
        case Report.CORPORATE_PARENTING:
            pack = build_corporate_parenting_context(
                sources, year, mode, quarter=quarter, as_at=as_at, draft=draft
            )
            return corporate_parenting_document(pack)
        case Report.FRAMEWORK:
            if quarter is None:
                raise ValueError("the National Framework pack needs a quarter (1 to 4)")
            framework = build_framework_context(
                sources, year, quarter, mode, as_at=as_at, draft=draft
            )
            return framework_document(framework)
        case _:
            assert_never(report)


def latest_year(settings: Settings, contract: str | None = None) -> int:
    """The latest contract year that the returns held cover to its end."""
    with open_sources(settings, 1, contract, with_benchmarks=False) as sources:
        terms = sources.terms
        until = data_end(sources.tables, terms.la_code)
        if until is None or terms.contract_year(1).end > until:
            raise ValueError(
                f"the returns held do not cover contract year 1 of {terms.name} "
                f"({terms.contract_year(1).label}) to its end"
            )
        year = 1
        while terms.contract_year(year + 1).end <= until:
            year += 1
        return year


def outputs_for(format: str, output: Path) -> list[tuple[str, Path]]:
    """(format, path) for `--format`: one format written to `output`; several (joined by
    commas, or `all`) each to `output` with the format's suffix."""
    chosen = formats() if format == "all" else [f.strip() for f in format.split(",") if f.strip()]
    if not chosen:
        raise ValueError("no format given; formats: " + ", ".join([*formats(), "all"]))
    if len(chosen) == 1:
        return [(chosen[0], output)]
    return [(f, output.with_suffix(renderer(f).suffix)) for f in chosen]


def write_reports(
    settings: Settings,
    report: Report,
    outputs: Sequence[tuple[str, Path]],
    *,
    contract: str | None = None,
    year: int | None = None,
    quarter: int | None = None,
    mode: Mode = Mode.INTERNAL,
    as_at: dt.date | None = None,
    draft: bool = False,
) -> list[Path]:
    """Write the report to each (format, path): context and charts are made only once, and a
    PDF written with other formats is laid out in a worker process beside them."""
    for format, _ in outputs:
        renderer(format)  # an unknown format fails before any work is done
    # Started first, the worker loads WeasyPrint while the figures are computed.
    with PdfWorker() if wanted([f for f, _ in outputs]) else nullcontext() as worker:
        chosen = year if year is not None else latest_year(settings, contract)
        with open_sources(settings, chosen, contract) as sources:
            document = build_document(
                report, sources, chosen, mode, quarter=quarter, as_at=as_at, draft=draft
            )
        if worker is not None:
            return worker.write(document, outputs)
    return [write(document, format, path) for format, path in outputs]


def write_annual_review(
    out_dir: Path,
    *,
    data_dir: Path | None = None,
    contract: str | None = None,
    year: int | None = None,
    mode: Mode = Mode.INTERNAL,
) -> dict[str, Path]:
    """The annual review in every format, as `out_dir/annual-review-YEAR.<format>`.

    Reads the warehouse and records under `data_dir` (default: the settings' data directory);
    the year defaults to the latest contract year the returns cover.
    """
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    chosen = year if year is not None else latest_year(settings, contract)
    every = formats()
    paths = write_reports(
        settings,
        Report.ANNUAL,
        [(f, out_dir / f"annual-review-{chosen}{renderer(f).suffix}") for f in every],
        contract=contract,
        year=chosen,
        mode=mode,
    )
    return dict(zip(every, paths, strict=True))
