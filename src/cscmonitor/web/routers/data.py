"""Data: upload returns, read their validation report, accept them; list and roll back snapshots."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from cscmonitor.records import accounts_approvals as approvals
from cscmonitor.returns.issues import ReturnError
from cscmonitor.web import trail
from cscmonitor.web.deps import AppDep, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render
from cscmonitor.web.uploads import Upload, UploadError

router = APIRouter()
PROBLEMS_SHOWN = 500
CHECK_WAIT_SECONDS = 30


def _snapshots(app: AppDep) -> list[dict[str, object]]:
    warehouse = app.performance.warehouse
    current = warehouse.current()
    rows = []
    for snapshot in reversed(warehouse.snapshots()):
        manifest = snapshot.manifest
        returns = manifest.get("returns", [])
        validation = manifest.get("validation") or {}
        rows.append(
            {
                "id": snapshot.id,
                "created": snapshot.created_at.replace("T", " ")[:16],
                "returns": ", ".join(f"{r['kind']} {r['la_code']} {r['year']}" for r in returns),
                "rows": sum(int(n) for n in manifest.get("row_counts", {}).values()),
                "errors": validation.get("errors", ""),
                "current": current is not None and snapshot.id == current.id,
            }
        )
    return rows


def _data_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: UserView,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    uploads = app.uploads.recent()[:20] if user.may(Permission.UPLOAD_RETURNS) else []
    return render(
        request,
        app,
        current,
        "data.html",
        status_code=status_code,
        snapshots=_snapshots(app),
        uploads=uploads,
        errors=errors or [],
        max_mb=app.settings.upload_max_mb,
    )


@router.get("/data", response_class=HTMLResponse, include_in_schema=False)
def data_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    user: Annotated[UserView, require(Permission.VIEW_DATA)],
) -> HTMLResponse:
    return _data_page(request, app, current, user)


@router.post("/data/uploads", include_in_schema=False)
def upload(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.UPLOAD_RETURNS)],
    files: Annotated[list[UploadFile] | None, File()] = None,
    la_code: Annotated[str, Form(max_length=3)] = "",
    year: Annotated[str, Form(max_length=4)] = "",
    partial: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    errors = []
    if la_code and not (la_code.isdigit() and len(la_code) == 3):
        errors.append(("la_code", "LA code must be the DfE code, three digits, like 371"))
    if year and not (year.isdigit() and len(year) == 4):
        errors.append(("year", "Collection year must be a year, like 2016"))
    chosen = [f for f in files or [] if f.filename]
    if not chosen:
        errors.append(("files", "Select the return files to upload"))
    if errors:
        return _data_page(request, app, current, user, errors=errors, status_code=400)
    try:
        made = app.uploads.save(
            [(f.filename or "", f.file) for f in chosen],
            by=user.actor.name,
            la_code=la_code or None,
            year=int(year) if year else None,
            partial=partial == "yes",
        )
    except UploadError as exc:
        return _data_page(
            request, app, current, user, errors=[("files", str(exc))], status_code=400
        )
    with contextlib.suppress(TimeoutError):
        # A small return is checked in moments: show its report rather than a queue.
        made = app.uploads.wait(made.id, timeout=CHECK_WAIT_SECONDS)
    with records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.UPLOAD,
            "upload",
            made.id,
            {
                "files": made.files,
                "status": made.status,
                "errors": made.errors,
                "partial": made.partial,
            },
        )
    return RedirectResponse(f"/data/uploads/{made.id}", status_code=303)


@router.get("/data/uploads/{upload_id}", response_class=HTMLResponse, include_in_schema=False)
def validation_report(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.UPLOAD_RETURNS)],
    upload_id: str,
) -> HTMLResponse:
    try:
        made = app.uploads.get(upload_id)
    except UploadError as exc:
        return render(
            request,
            app,
            current,
            "message.html",
            status_code=404,
            title="Page not found",
            message=str(exc),
        )
    problems, total = app.uploads.problems(made, PROBLEMS_SHOWN)
    ahead = app.uploads.ahead_of(made) if made.waiting else 0
    with records.unit() as session:
        # The report quotes cells of the returns: a view of child-level data.
        trail.record(session, user.actor, trail.VIEW, "upload", made.id, {"problems": total})
    return render(
        request,
        app,
        current,
        "upload.html",
        upload=made,
        ahead=ahead,
        problems=problems,
        total=total,
        shown=min(total, PROBLEMS_SHOWN),
    )


@router.get("/data/uploads/{upload_id}/report.{suffix}", include_in_schema=False)
def validation_report_file(
    app: AppDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.UPLOAD_RETURNS)],
    upload_id: str,
    suffix: str,
) -> Response:
    try:
        made = app.uploads.get(upload_id)
        path = app.uploads.report_file(made, f".{suffix}")
    except UploadError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    with records.unit() as session:
        trail.record(session, user.actor, trail.EXPORT, "upload", made.id, {"file": path.name})
    return FileResponse(path, filename=f"validation-report-{made.id}.{suffix}")


SECOND_PERSON = (
    "Accepting this upload needs a second person: your request is waiting. Another analyst "
    "or manager accepts it from this page."
)


@router.post("/data/uploads/{upload_id}/accept", include_in_schema=False)
def accept(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.UPLOAD_RETURNS)],
    upload_id: str,
) -> Response:
    try:
        upload = app.uploads.get(upload_id)
    except UploadError as exc:
        flash(app, current, f"Not accepted: {exc}")
        return RedirectResponse(f"/data/uploads/{upload_id}", status_code=303)
    if upload.refusals:  # refused at the check: nothing for a second person to approve
        flash(app, current, f"Not accepted: {' '.join(upload.refusals)}")
        return RedirectResponse(f"/data/uploads/{upload_id}", status_code=303)
    made: Upload | None = None  # none: only asked for a second person
    try:
        # One transaction: a second person's approval stands only if the upload goes in.
        with records.unit() as session:
            second = app.settings.second_person_for_uploads
            kind = approvals.Kind.ACCEPT_UPLOAD
            if second and approvals.pending_for(session, kind, upload_id) is None:
                approvals.request_acceptance(
                    session, user.id, upload_id, {"upload": upload_id, "la": upload.la_code}
                )
            else:
                if second:
                    approvals.approve_acceptance(session, upload_id, user.id)
                made = app.uploads.accept(upload, by=user.actor.name)
    except UploadError as exc:
        flash(app, current, f"Not accepted: {exc}")
        return RedirectResponse(f"/data/uploads/{upload_id}", status_code=303)
    if made is None:
        # Flashed once the request is stored: the flash writes through a connection of its
        # own, which an open write transaction on SQLite would keep waiting (a 503).
        flash(app, current, SECOND_PERSON)
        return RedirectResponse(f"/data/uploads/{upload_id}", status_code=303)
    with records.unit() as session:
        trail.record(
            session, user.actor, trail.ACCEPT, "snapshot", made.snapshot or "-", {"upload": made.id}
        )
    flash(app, current, made.message or f"Accepted into snapshot {made.snapshot}")
    return RedirectResponse("/data", status_code=303)


@router.post("/data/snapshots/{snapshot_id}/rollback", include_in_schema=False)
def rollback(
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.ROLLBACK_SNAPSHOT)],
    snapshot_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    warehouse = app.performance.warehouse
    before = warehouse.current()
    try:
        restored = warehouse.rollback(snapshot_id)
    except (ReturnError, FileNotFoundError) as exc:
        flash(app, current, f"Not rolled back: {exc}")
        return RedirectResponse("/data", status_code=303)
    with records.unit() as session:
        trail.record(
            session,
            user.actor,
            trail.ROLLBACK,
            "snapshot",
            restored.id,
            {
                "from": before.id if before else None,
                "reason": reason.strip(),
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
    flash(app, current, f"Snapshot {restored.id} is current again")
    return RedirectResponse("/data", status_code=303)
