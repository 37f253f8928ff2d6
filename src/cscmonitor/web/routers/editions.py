"""Report editions: the list, opening a draft, moving and signing one, its frozen files, and
what changed since the last signed edition."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.errors import OneLine
from cscmonitor.records import editions as records_editions
from cscmonitor.records.editions import EditionView
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.narrative_sections import ReportKind
from cscmonitor.reports.editions import changes_since_signed, file_name, sign_edition, stored
from cscmonitor.reports.render import RENDERERS, load_builtin
from cscmonitor.web import trail
from cscmonitor.web.deps import AppDep, RecordId, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()
REPORT_TITLES = {k.value: k.heading for k in ReportKind}
FILE_TYPES = {
    records_editions.DOCUMENT: "application/json",
    records_editions.FIGURES: "application/json",
}
# The moves made from the edition's page by a button; signing has its own form.
BUTTONS = (
    records_editions.SUBMIT,
    records_editions.AGREE,
    records_editions.WITHDRAW,
    records_editions.SEND_BACK,
)


def _list_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        held = [
            records_editions.view(e)
            for e in records_editions.editions_of(session, records.contract(session))
        ]
    return render(
        request,
        app,
        current,
        "editions.html",
        status_code=status_code,
        editions=list(reversed(held)),
        reports=REPORT_TITLES,
        errors=errors or [],
    )


@router.get("/reports/editions", response_class=HTMLResponse, include_in_schema=False)
def edition_list(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    _user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
) -> HTMLResponse:
    return _list_page(request, app, current, records)


@router.post("/reports/editions", include_in_schema=False)
def open_edition(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.DRAFT_EDITION)],
    report: Annotated[str, Form(max_length=30)] = "",
    year: Annotated[str, Form(max_length=2)] = "",
    quarter: Annotated[str, Form(max_length=1)] = "",
    mode: Annotated[str, Form(max_length=20)] = "internal",
) -> Response:
    try:
        if not year.isdigit():
            raise RecordsError("Enter the contract year, a number from 1")
        if quarter not in ("", "1", "2", "3", "4"):
            raise RecordsError("A quarter is 1 to 4")
        with records.unit() as session:
            edition = records_editions.open_edition(
                session,
                records.contract(session),
                report,
                int(year),
                user.actor,
                user.role,
                quarter=int(quarter) if quarter else None,
                mode=mode,
            )
            edition_id, number = edition.id, edition.number
    except RecordsError as exc:
        return _list_page(
            request, app, current, records, errors=[("report", str(exc))], status_code=400
        )
    flash(app, current, f"Edition {number} opened as a draft")
    return RedirectResponse(f"/reports/editions/{edition_id}", status_code=303)


def _edition(records: RecordsDep, edition_id: int) -> EditionView:
    with records.unit() as session:
        return records_editions.view(records_editions.get_edition(session, edition_id))


def _detail(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: UserView,
    edition_id: int,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with records.unit() as session:
        held = records_editions.get_edition(session, edition_id)
        edition = records_editions.view(held)
        role = user.role if user.may(Permission.MOVE_EDITION) else None
        moves = records_editions.allowed_moves(held, role) if role else []
        signers = records_editions.signers_of(held.contract)
        signed = records_editions.last_signed(session, held)
        previous = records_editions.view(signed) if signed else None
    load_builtin()
    downloads = [(f.format, file_name(edition, f.format), f.size, f.sha256) for f in edition.files]
    return render(
        request,
        app,
        current,
        "edition.html",
        status_code=status_code,
        edition=edition,
        title=REPORT_TITLES.get(edition.report, edition.report),
        buttons=[m for m in moves if m.name in BUTTONS],
        may_sign=any(m.name == records_editions.SIGN for m in moves),
        signers=signers,
        previous=previous,
        downloads=downloads,
        today=dt.date.today().isoformat(),
        errors=errors or [],
    )


@router.get("/reports/editions/{edition_id}", response_class=HTMLResponse, include_in_schema=False)
def edition_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
    edition_id: RecordId,
) -> HTMLResponse:
    return _detail(request, app, current, records, user, edition_id)


@router.post("/reports/editions/{edition_id}/moves", include_in_schema=False)
def move_edition(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.MOVE_EDITION)],
    edition_id: RecordId,
    move: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        with records.unit() as session:
            held = records_editions.get_edition(session, edition_id)
            match move:
                case records_editions.SUBMIT:
                    records_editions.submit(session, held, user.actor, user.role)
                case records_editions.AGREE:
                    records_editions.agree(session, held, user.actor, user.role)
                case records_editions.WITHDRAW:
                    records_editions.withdraw(session, held, user.actor, user.role, reason)
                case records_editions.SEND_BACK:
                    records_editions.send_back(session, held, user.actor, user.role, reason)
                case _:
                    raise RecordsError(f"Choose a move: {', '.join(BUTTONS)}")
            state = held.state
    except NotFound:
        raise
    except RecordsError as exc:
        return _detail(
            request,
            app,
            current,
            records,
            user,
            edition_id,
            errors=[("reason", str(exc))],
            status_code=400,
        )
    flash(app, current, f"The edition is now {state}")
    return RedirectResponse(f"/reports/editions/{edition_id}", status_code=303)


@router.post("/reports/editions/{edition_id}/sign", include_in_schema=False)
def sign(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.MOVE_EDITION)],
    edition_id: RecordId,
    on: Annotated[str, Form(max_length=10)] = "",
    signatory: Annotated[list[str] | None, Form(max_length=200)] = None,
    others: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    # Ticked signatories come as repeated fields; typed ones one a line (name|title|party).
    ticked = signatory or []
    typed = [line.strip() for line in others.splitlines() if line.strip()]
    try:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise RecordsError("Enter the day it was signed, like 2016-01-29") from None
        sign_edition(
            app.core, app.engine, edition_id, user.actor, user.role, [*ticked, *typed], day
        )
    except NotFound:
        raise
    except (RecordsError, OneLine) as exc:
        return _detail(
            request,
            app,
            current,
            records,
            user,
            edition_id,
            errors=[("signatory", str(exc))],
            status_code=400,
        )
    flash(app, current, "Signed: the edition's files are frozen")
    return RedirectResponse(f"/reports/editions/{edition_id}", status_code=303)


@router.get("/reports/editions/{edition_id}/files/{format}", include_in_schema=False)
def download(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
    edition_id: RecordId,
    format: str,
) -> Response:
    """A signed edition's frozen file, as signed (refused if it no longer matches its hash)."""
    edition = _edition(records, edition_id)
    load_builtin()
    held = edition.file(format)
    try:
        body = stored(app.core, edition, format)
    except OneLine as exc:
        raise RecordsError(str(exc)) from None
    media = RENDERERS[format].media_type if format in RENDERERS else FILE_TYPES[held.format]
    name = file_name(edition, format)
    with records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.EXPORT,
            "report_edition",
            f"{edition_id}/{name}",
            {"edition": edition_id, "format": format, "sha256": held.sha256},
        )
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="edition-{edition.number}-{name}"'},
    )


@router.get(
    "/reports/editions/{edition_id}/changes", response_class=HTMLResponse, include_in_schema=False
)
def changes(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    _user: Annotated[UserView, require(Permission.EXPORT_REPORTS)],
    edition_id: RecordId,
) -> HTMLResponse:
    with records.unit() as session:
        held = records_editions.get_edition(session, edition_id)
        previous = records_editions.last_signed(session, held)
        if previous is None:
            raise NotFound(f"edition {held.number} has no signed edition before it")
        before, after = records_editions.view(previous), records_editions.view(held)
    try:
        comparison = changes_since_signed(app.core, before, after)
    except (OneLine, ValueError, FileNotFoundError) as exc:
        raise RecordsError(str(exc).strip("'\"")) from None
    return render(
        request,
        app,
        current,
        "edition_changes.html",
        title=REPORT_TITLES.get(after.report, after.report),
        comparison=comparison,
    )
