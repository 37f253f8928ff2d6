"""Reports: each pack the reports package makes, in each format, generated and downloaded."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from cscmonitor.figures import refuse_without_figures
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.publish import Report, build_document
from cscmonitor.reports.render import formats, render, renderer
from cscmonitor.reports.summary import build_summary_context, render_summary
from cscmonitor.web import trail
from cscmonitor.web.basket import as_at_date, basket_year
from cscmonitor.web.deps import AppDep, ContractYear, RecordsDep, UserView, VisitDep, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render as render_page

router = APIRouter()
SUMMARY = "summary"
TITLES = {SUMMARY: "Performance summary (HTML only)"} | {k.value: k.heading for k in Report}


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def report_list(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
) -> HTMLResponse:
    basket = basket_year(records, app.performance, None, user.party)
    years = [(y, basket.terms.contract_year(y)) for y in reversed(basket.years)]
    return render_page(
        request,
        app,
        current,
        "reports.html",
        years=years,
        reports=TITLES,
        formats=formats(),
        modes=[(Mode.INTERNAL.value, "Internal"), (Mode.PUBLICATION.value, "For publication")],
    )


def _summary(
    app: AppDep, records: RecordsDep, user: UserView, year: int | None, as_at: dt.date
) -> tuple[bytes, int]:
    basket = basket_year(records, app.performance, year, user.party, as_at)
    snapshot = app.performance.snapshot()
    created = dt.datetime.fromisoformat(snapshot.created_at).date()
    figures = app.performance.figures(basket.terms, basket.year, basket.as_at, basket.phases)
    period = basket.terms.contract_year(basket.year)
    try:
        refuse_without_figures(figures, f"the summary of contract year {basket.year}", period)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    context = build_summary_context(
        basket.terms, figures, snapshot_id=snapshot.id, snapshot_date=created
    )
    return render_summary(context).encode(), basket.year


@router.get("/reports/download", include_in_schema=False)
def download(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
    report: Annotated[str, Query(max_length=30)] = SUMMARY,
    format: Annotated[str, Query(max_length=10)] = "html",
    year: ContractYear = None,
    quarter_text: Annotated[str, Query(alias="quarter", max_length=1)] = "",
    mode: Annotated[str, Query(max_length=20)] = Mode.INTERNAL.value,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Make the report from the current snapshot and records, and send it as a file."""
    if report not in TITLES or format not in formats() or mode not in set(Mode):
        raise HTTPException(404, "No such report, format or mode")
    if quarter_text not in ("", "1", "2", "3", "4"):
        raise HTTPException(404, "A quarter is 1 to 4")
    quarter = int(quarter_text) if quarter_text else None
    snapshot = app.performance.snapshot()
    if report == SUMMARY:
        if format != "html":
            raise HTTPException(404, "The performance summary is HTML only")
        body, year = _summary(app, records, user, year, as_at_date(as_at))
        media, suffix = "text/html; charset=utf-8", ".html"
    else:
        chosen = year or basket_year(records, app.performance, None, user.party).year
        try:
            with open_sources(app.core, chosen, app.settings.contract) as sources:
                # A report speaks as at its own date unless the user picks one.
                when = as_at_date(as_at) if as_at else None
                document = build_document(
                    Report(report), sources, chosen, Mode(mode), quarter=quarter, as_at=when
                )
        except (ValueError, KeyError) as exc:
            raise HTTPException(400, str(exc).strip("'\"")) from None
        body, year = render(document, format), chosen
        media, suffix = renderer(format).media_type, renderer(format).suffix
    part = f"-q{quarter}" if quarter and report != SUMMARY else ""
    name = f"{report}-year-{year}{part}-{mode}-snapshot-{snapshot.id}{suffix}"
    with records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.EXPORT,
            "report",
            name,
            {"report": report, "format": format, "year": year, "quarter": quarter, "mode": mode},
        )
    return Response(
        body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )
