"""Narrative: the words people write in each report's sections, with who and when.

One page per report and period lists its sections; a section's page has its edit form and its
history. Anyone who sees the governance records reads them; Trust roles write the Trust's
sections and council officers the Council's (`records.narrative` decides the party, as
`records.changes` does for moves). A whole report's words come and go as one Markdown or YAML
file, as `cscmonitor records narrative export|import` writes and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.records import narrative
from cscmonitor.records.contracts import Contract
from cscmonitor.records.db import Session
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.narrative import MAX_TEXT, ReportPeriod, Version
from cscmonitor.records.narrative_file import (
    MAX_FILE_BYTES,
    FileFormat,
    export_text,
    import_file,
    parse,
)
from cscmonitor.records.narrative_sections import ReportKind, Section, sections
from cscmonitor.reports.document import Block
from cscmonitor.reports.markdown import blocks
from cscmonitor.web.basket import basket_year
from cscmonitor.web.deps import AppDep, ContractYear, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()
ReportQuery = Annotated[str, Query(max_length=30)]
QuarterQuery = Annotated[str, Query(max_length=1)]
KeyQuery = Annotated[str, Query(max_length=80)]


@dataclass(frozen=True)
class SectionView:
    section: Section
    latest: Version | None
    writable: bool  # the visitor may write it

    @property
    def shown(self) -> tuple[Block, ...]:
        """The newest text as the reports lay it out."""
        return blocks(self.latest.text) if self.latest else ()

    @property
    def status(self) -> str:
        if self.latest is None or self.latest.empty:
            return "No text yet"
        return "Not applicable" if self.latest.not_applicable else "Written"


def _quarter(text: str) -> int | None:
    if text not in ("", "1", "2", "3", "4"):
        raise RecordsError("A quarter is 1 to 4")
    return int(text) if text else None


def _period(
    app: AppDep, records: RecordsDep, user: UserView, report: str, year: int | None, quarter: str
) -> ReportPeriod:
    """The period asked for; the year by default the latest the figures hold."""
    chosen = year or basket_year(records, app.performance, None, user.party).year
    return ReportPeriod.of(report, chosen, _quarter(quarter))


def _query(period: ReportPeriod, **more: str) -> str:
    values = {"report": period.report.value, "year": str(period.contract_year)}
    if period.quarter:
        values["quarter"] = str(period.quarter)
    return urlencode(values | more)


def _writable(user: UserView, section: Section) -> bool:
    return user.may(Permission.WRITE_NARRATIVE) and user.party == section.party


def _views(
    session: Session, contract: Contract, period: ReportPeriod, user: UserView
) -> list[SectionView]:
    held = narrative.latest(session, contract, period)
    return [
        SectionView(s, held.get(s.key), _writable(user, s))
        for s in sections(period.report, narrative.basket_indicators(contract))
    ]


def _list_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: UserView,
    period: ReportPeriod,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        views = _views(session, records.contract(session), period, user)
    return render(
        request,
        app,
        current,
        "narrative.html",
        status_code=status_code,
        period=period,
        views=views,
        query=_query(period),
        kinds=[(k.value, k.heading) for k in ReportKind if k.written],
        errors=errors or [],
        max_kb=MAX_FILE_BYTES // 1024,
    )


@router.get("/narrative", response_class=HTMLResponse, include_in_schema=False)
def narrative_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    report: ReportQuery = ReportKind.ANNUAL.value,
    year: ContractYear = None,
    quarter: QuarterQuery = "",
) -> HTMLResponse:
    period = _period(app, records, user, report, year, quarter)
    return _list_page(request, app, current, records, user, period)


def _section_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: UserView,
    period: ReportPeriod,
    key: str,
    *,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        contract = records.contract(session)
        section = narrative.section_of(contract, period, key)
        versions = narrative.history(session, contract, period, key)
    latest = versions[0] if versions else None
    return render(
        request,
        app,
        current,
        "narrative_section.html",
        status_code=status_code,
        period=period,
        view=SectionView(section, latest, _writable(user, section)),
        versions=versions,
        query=_query(period),
        values=values
        or {
            "text": latest.text if latest else "",
            "not_applicable": "yes" if latest and latest.not_applicable else "",
        },
        errors=errors or [],
        max_text=MAX_TEXT,
    )


@router.get("/narrative/section", response_class=HTMLResponse, include_in_schema=False)
def section_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    report: ReportQuery = ReportKind.ANNUAL.value,
    year: ContractYear = None,
    quarter: QuarterQuery = "",
    key: KeyQuery = "letter",
) -> HTMLResponse:
    period = _period(app, records, user, report, year, quarter)
    return _section_page(request, app, current, records, user, period, key)


@router.post("/narrative/section", include_in_schema=False)
def write_section(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.WRITE_NARRATIVE)],
    report: Annotated[str, Form(max_length=30)] = "",
    year: Annotated[str, Form(max_length=2)] = "",
    quarter: Annotated[str, Form(max_length=1)] = "",
    key: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=MAX_TEXT + 2_000)] = "",
    not_applicable: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    if not year.isdigit():
        raise RecordsError("Choose the contract year")
    period = ReportPeriod.of(report, int(year), _quarter(quarter))
    flagged = not_applicable == "yes"
    try:
        with records.unit() as session:
            contract = records.contract(session)
            title = narrative.section_of(contract, period, key).title
            version = narrative.write(
                session, contract, period, key, text, user.actor, not_applicable=flagged
            )
    except RecordsError as exc:
        if "is not a section" in str(exc):
            raise
        return _section_page(
            request,
            app,
            current,
            records,
            user,
            period,
            key,
            errors=[("text", str(exc))],
            values={"text": text, "not_applicable": "yes" if flagged else ""},
            status_code=400,
        )
    message = f"{title}: version {version.version} saved" if version else f"{title}: no change"
    flash(app, current, message)
    return RedirectResponse(f"/narrative/section?{_query(period, key=key)}", status_code=303)


@router.get("/narrative/download", include_in_schema=False)
def download(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    report: ReportQuery = ReportKind.ANNUAL.value,
    year: ContractYear = None,
    quarter: QuarterQuery = "",
    format: Annotated[str, Query(max_length=4)] = FileFormat.MARKDOWN.value,
) -> Response:
    """The report's words as one file to draft in, and upload again."""
    period = _period(app, records, user, report, year, quarter)
    chosen = FileFormat.of(f"x.{format}")
    with records.unit() as session:
        text = export_text(session, records.contract(session), period, chosen)
    part = f"-q{period.quarter}" if period.quarter else ""
    name = f"narrative-{period.report.value}-year-{period.contract_year}{part}.{chosen.value}"
    media = "text/markdown" if chosen is FileFormat.MARKDOWN else "application/yaml"
    return Response(
        text.encode("utf-8"),
        media_type=f"{media}; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.post("/narrative/upload", include_in_schema=False)
def upload(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.WRITE_NARRATIVE)],
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A narrative file (as downloaded, edited): a version for each of your sections whose
    text it changes; any problem changes nothing and names the line."""
    period: ReportPeriod | None = None
    try:
        if file is None or not file.filename:
            raise RecordsError("Choose a narrative file (.md or .yaml)")
        data = file.file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise RecordsError(
                f"{file.filename}: a narrative file is at most {MAX_FILE_BYTES // 1024} KB"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RecordsError(f"{file.filename}: not UTF-8 text; save it as UTF-8") from None
        held = parse(text, file.filename)
        period = held.period
        with records.unit() as session:
            written = import_file(session, held, user.actor, file.filename)
    except RecordsError as exc:
        shown = period or _period(app, records, user, ReportKind.ANNUAL.value, None, "")
        return _list_page(
            request,
            app,
            current,
            records,
            user,
            shown,
            errors=[("narrative-file", str(exc))],
            status_code=400,
        )
    flash(
        app,
        current,
        f"{file.filename}: " + (", ".join(written) + " saved" if written else "no section changed"),
    )
    return RedirectResponse(f"/narrative?{_query(held.period)}", status_code=303)
