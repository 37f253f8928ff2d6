"""The check of one upload, run in a worker process of its own with a memory limit.

The server starts `python -m cscmonitor.web.upload_check` and writes the job (as JSON) to
its standard input: the settings (with the key, which so never touches a disk), the upload's
folder and the scratch folder holding the raw files. The worker parses, checks and
pseudonymises them with the CLI's own ingest (into the scratch folder), then keeps in the
upload's folder only what is fit to keep: the redacted validation report, the returns as
parsed and pseudonymised (what accepting merges into the warehouse; the raw files are never
read again) and the preview of accepting them into the real warehouse as it is now: table by
table, the rows added, changed and removed, or why accepting would be refused (a held return
replaced by less than a whole one, unless the upload is a declared partial update). A return
that needs more memory than the limit fails with a message that says so.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import SecretStr

from cscmonitor import redaction
from cscmonitor.ingest import NothingLoaded, ValidationReport, ingest
from cscmonitor.returns import report as report_files
from cscmonitor.returns.issues import Problems, ReturnError
from cscmonitor.returns.parsed import Parsed, ReturnInfo
from cscmonitor.returns.staged import Staged
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Preview, Warehouse

# A distinct exit status: the check ran out of the memory it is allowed.
OUT_OF_MEMORY = 3
MEMORY_MESSAGE = (
    "The check needed more memory than a check is allowed ({mb:,} MB) and was stopped; "
    "nothing was loaded. Upload the return in smaller parts (one year at a time), or ask "
    "the administrator to raise CSCMONITOR_UPLOAD_WORKER_MEMORY_MB."
)


def main() -> int:
    job = json.loads(sys.stdin.read())
    # Everything the check needs was imported before the limit, so the limit bounds the work.
    limit = int(job["memory_mb"]) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    folder = Path(job["folder"])
    try:
        check(
            job["settings"],
            folder,
            Path(job["scratch"]),
            job["la_code"],
            job["year"],
            partial=bool(job.get("partial")),
        )
    except BaseException as exc:
        memory = _out_of_memory(exc)
        # Never the exception's text: it may quote a cell of the return.
        message = (
            MEMORY_MESSAGE.format(mb=int(job["memory_mb"]))
            if memory
            else f"The check stopped unexpectedly ({type(exc).__name__}); nothing was loaded."
        )
        _finish(folder, {"status": "failed", "message": message})
        return OUT_OF_MEMORY if memory else 1
    return 0


def _out_of_memory(exc: BaseException) -> bool:
    words = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, MemoryError) or any(
        w in words for w in ("outofmemory", "out of memory", "bad_alloc", "cannot allocate")
    )


def check(
    settings_fields: dict[str, Any],
    folder: Path,
    scratch: Path,
    la_code: str | None,
    year: int | None,
    *,
    partial: bool = False,
) -> None:
    """Ingest the raw files into a scratch warehouse; keep the redacted report and the returns,
    and what accepting them into the real warehouse would do (`partial`: keep the tables not
    given)."""
    fields = dict(settings_fields)
    key = SecretStr(fields.pop("pseudonym_key"))
    settings = Settings.model_validate(fields)
    # The check's own data directory is the scratch folder, so the installation's postcode
    # lookup (named, or kept in the real data directory) is named for it: the upload's
    # distances are worked out as the command line's ingest works them out.
    scratch_settings = settings.model_copy(
        update={
            "data_dir": scratch / "check",
            "pseudonym_key": key,
            "postcode_lookup": settings.postcode_lookup_file,
        }
    )
    raw = scratch / "files"
    folders = {str(raw): "the upload", str(scratch): "the check"}
    if scratch_settings.postcode_lookup is not None:
        # A lookup that cannot serve is named by what it is, not by where it sits on the server.
        folders[str(scratch_settings.postcode_lookup)] = "the installation's postcode lookup"
    outcome: dict[str, Any] = {"status": "checked", "message": None}
    report: ValidationReport | None = None
    try:
        report = ingest([raw], scratch_settings, la_code=la_code, year=year)
    except NothingLoaded as exc:
        report = exc.report
        outcome = {"status": "failed", "message": _said(str(exc), folders)}
    except (ReturnError, FileNotFoundError) as exc:
        outcome = {"status": "failed", "message": _said(str(exc), folders)}
    if report is not None:
        problems = redaction.problems(report.problems.table, folders)
        summary = redaction.summary(report.summary, folders)
        pq.write_table(problems, folder / "problems.parquet")
        report_files.write(folder, "validation-report", summary, problems)
        outcome |= {
            "errors": report.problems.errors,
            "warnings": report.problems.warnings,
            "rows_loaded": report.rows_loaded,
            "summary": summary.to_pylist(),
        }
        if outcome["status"] == "checked":
            manifest = report.result.snapshot.manifest  # type: ignore[attr-defined]
            validation = dict(manifest.get("validation") or {})
            unreadable = list(validation.get("files_unreadable", []))
            preview = Warehouse(settings.warehouse_dir).preview(
                report.parsed, partial=partial, unreadable=unreadable
            )
            outcome["preview"] = described(preview, folders)
            validation["files_unreadable"] = [_said(f, folders) for f in unreadable]
            if not preview.refusals:  # a refused upload is never merged: keep nothing of it
                save_returns(
                    report.parsed, folder / "returns", manifest["privacy"], validation, folders
                )
    _finish(folder, outcome)


def described(preview: Preview, folders: redaction.Folders = None) -> dict[str, Any]:
    """A preview as the upload's record keeps it: counts per table, and refusals that name
    returns, tables and file names (never a cell of a return, nor a server path)."""
    return {
        "refusals": [_said(r, folders) for r in preview.refusals],
        "changes": [
            {"table": c.table, "added": c.added, "changed": c.changed, "removed": c.removed}
            for c in preview.changes
        ],
    }


def _said(message: str, folders: redaction.Folders) -> str:
    return str(redaction.text(pa.array([message]), folders)[0])


def _finish(folder: Path, outcome: dict[str, Any]) -> None:
    """The upload's record, with the check's outcome (written atomically)."""
    path = folder / "upload.json"
    upload = json.loads(path.read_text())
    upload |= outcome | {"checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(upload, indent=2, default=str))
    tmp.replace(path)


def save_returns(
    parsed: list[Parsed],
    folder: Path,
    privacy: dict[str, str],
    validation: dict[str, Any],
    folders: redaction.Folders,
) -> None:
    """The returns as parsed and pseudonymised: a folder each, its tables as Parquet."""
    folder.mkdir()
    (folder / "ingest.json").write_text(json.dumps({"privacy": privacy, "validation": validation}))
    for i, p in enumerate(parsed):
        held = folder / f"{i:03d}"
        held.mkdir()
        for name, table in p.tables.items():
            if isinstance(table, Staged):  # a large file's table, already written
                table.save(held / f"{name}.parquet")
            else:
                pq.write_table(table, held / f"{name}.parquet")
        pq.write_table(redaction.problems(p.problems.table, folders), held / "problems.parquet")
        described = {
            "info": {k: str(v) for k, v in vars(p.info).items()},
            "files": {Path(f).name: digest for f, digest in p.files.items()},
            "sources": {t: Path(f).name for t, f in p.sources.items()},
            "rows_read": p.rows_read,
        }
        (held / "return.json").write_text(json.dumps(described))


def load_returns(folder: Path) -> tuple[list[Parsed], dict[str, str], dict[str, Any]]:
    """What `save_returns` kept: the returns, and the privacy and validation of the check."""
    meta = json.loads((folder / "ingest.json").read_text())
    parsed = []
    for held in sorted(p for p in folder.iterdir() if p.is_dir()):
        described = json.loads((held / "return.json").read_text())
        info = described["info"]
        tables = {p.stem: pq.read_table(p) for p in held.glob("*.parquet") if p.stem != "problems"}
        parsed.append(
            Parsed(
                ReturnInfo(
                    la_code=info["la_code"],
                    kind=info["kind"],
                    year=int(info["year"]),
                    period_start=dt.date.fromisoformat(info["period_start"]),
                    period_end=dt.date.fromisoformat(info["period_end"]),
                ),
                tables,
                Problems([pq.read_table(held / "problems.parquet")]),
                described["files"],
                described["sources"],
                described["rows_read"],
            )
        )
    return parsed, meta["privacy"], meta["validation"]


if __name__ == "__main__":
    sys.exit(main())
