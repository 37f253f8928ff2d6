"""Uploaded returns: saved, checked by the CLI's own ingest, then accepted into the warehouse.

Checking runs `cscmonitor.ingest.ingest` on the uploaded files into a scratch data directory
(with the installation's pseudonymisation key and privacy settings), so the validation report
a person reads is exactly the one the real ingest would write; accepting runs the same ingest
on the same files into the installation's warehouse, making a new snapshot. Nothing is parsed
here: file names are cleaned and sizes counted, the rest is ingest's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import SecretStr

from cscmonitor.ingest import NothingLoaded, ValidationReport, ingest
from cscmonitor.privacy import load_key
from cscmonitor.returns.issues import PROBLEM_COLUMNS, ReturnError
from cscmonitor.settings import Settings

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,120}")
SUFFIXES = (".xml", ".csv")
MAX_FILES = 60
UPLOAD_ID = re.compile(r"[0-9a-f]{16}")
CHECKED, ACCEPTED, FAILED = "checked", "accepted", "failed"


class UploadError(ValueError):
    """An upload that cannot be taken; the message says why."""


@dataclass
class Upload:
    id: str
    created_at: str
    by: str
    la_code: str | None
    year: int | None
    files: list[str]
    status: str = CHECKED
    message: str | None = None
    errors: int = 0
    warnings: int = 0
    rows_loaded: int = 0
    summary: list[dict[str, object]] = field(default_factory=list)
    snapshot: str | None = None
    accepted_by: str | None = None
    accepted_at: str | None = None

    @property
    def acceptable(self) -> bool:
        return self.status == CHECKED and self.rows_loaded > 0


def clean_name(name: str) -> str:
    """A file's own name, if it is a plain .xml or .csv name; nothing of a path survives."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not SAFE_NAME.fullmatch(base) or not base.lower().endswith(SUFFIXES):
        raise UploadError(
            f"{base or 'A file'}: upload CIN census or SSDA903 XML, or CSV files, named with "
            "letters, digits, dots, dashes and spaces"
        )
    return base


class Uploads:
    def __init__(self, settings: Settings, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self.root = settings.data_dir / "uploads"

    def _folder(self, upload_id: str) -> Path:
        if not UPLOAD_ID.fullmatch(upload_id):
            raise UploadError(f"No upload {upload_id!r}")
        return self.root / upload_id

    def _save_meta(self, upload: Upload) -> None:
        path = self._folder(upload.id) / "upload.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(upload), indent=2, default=str))
        tmp.replace(path)

    def get(self, upload_id: str) -> Upload:
        path = self._folder(upload_id) / "upload.json"
        if not path.exists():
            raise UploadError(f"No upload {upload_id}")
        return Upload(**json.loads(path.read_text()))

    def recent(self) -> list[Upload]:
        if not self.root.exists():
            return []
        held = [self.get(p.name) for p in self.root.iterdir() if (p / "upload.json").exists()]
        return sorted(held, key=lambda u: u.created_at, reverse=True)

    def save(
        self,
        files: Iterable[tuple[str, BinaryIO]],
        *,
        by: str,
        la_code: str | None,
        year: int | None,
    ) -> Upload:
        """Store the files under a new upload id and check them; refuses bad names and sizes."""
        upload_id = secrets.token_hex(8)
        folder = self._folder(upload_id)
        target = folder / "files"
        target.mkdir(parents=True)
        names: list[str] = []
        total = 0
        try:
            for name, stream in files:
                clean = clean_name(name)
                if clean in names:
                    raise UploadError(f"{clean} is uploaded twice")
                if len(names) >= MAX_FILES:
                    raise UploadError(f"Upload at most {MAX_FILES} files at a time")
                with (target / clean).open("wb") as out:
                    while block := stream.read(1 << 20):
                        total += len(block)
                        if total > self.max_bytes:
                            raise UploadError(
                                f"The files are larger than {self.max_bytes // (1 << 20)} MB"
                            )
                        out.write(block)
                names.append(clean)
            if not names:
                raise UploadError("Select at least one file")
        except UploadError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        upload = Upload(
            id=upload_id,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            by=by,
            la_code=la_code,
            year=year,
            files=names,
        )
        self._save_meta(upload)
        return self._check(upload)

    def _scratch_settings(self, scratch: Path) -> Settings:
        key = load_key(self.settings).decode()
        return self.settings.model_copy(
            update={"data_dir": scratch, "pseudonym_key": SecretStr(key)}
        )

    def _check(self, upload: Upload) -> Upload:
        folder = self._folder(upload.id)
        scratch = folder / "check"
        report: ValidationReport | None = None
        try:
            report = ingest(
                [folder / "files"],
                self._scratch_settings(scratch),
                la_code=upload.la_code,
                year=upload.year,
            )
        except NothingLoaded as exc:
            report = exc.report
            upload.status, upload.message = FAILED, str(exc)
        except (ReturnError, FileNotFoundError) as exc:
            upload.status, upload.message = FAILED, str(exc)
        if report is not None:
            upload.errors, upload.warnings = report.problems.errors, report.problems.warnings
            upload.rows_loaded = report.rows_loaded
            upload.summary = report.summary.to_pylist()
            pq.write_table(
                report.problems.table.select(PROBLEM_COLUMNS), folder / "problems.parquet"
            )
            for made in report.report_files:
                shutil.copy(made, folder / f"validation-report{made.suffix}")
        # The scratch warehouse held pseudonymised rows only to be checked: not kept.
        shutil.rmtree(scratch, ignore_errors=True)
        self._save_meta(upload)
        return upload

    def problems(self, upload: Upload, limit: int = 500) -> tuple[list[dict[str, object]], int]:
        """The first `limit` problems of the validation report, and how many there are."""
        path = self._folder(upload.id) / "problems.parquet"
        if not path.exists():
            return [], 0
        table: pa.Table = pq.read_table(path)
        return table.slice(0, limit).to_pylist(), table.num_rows

    def report_file(self, upload: Upload, suffix: str) -> Path:
        if suffix not in (".csv", ".xlsx"):
            raise UploadError("The report is CSV or XLSX")
        path = self._folder(upload.id) / f"validation-report{suffix}"
        if not path.exists():
            raise UploadError("This upload has no validation report")
        return path

    def accept(self, upload: Upload, *, by: str) -> Upload:
        """Ingest the checked files into the installation's warehouse: a new snapshot."""
        if not upload.acceptable:
            raise UploadError("Only a checked upload with rows to load can be accepted")
        folder = self._folder(upload.id)
        try:
            report = ingest(
                [folder / "files"], self.settings, la_code=upload.la_code, year=upload.year
            )
        except (ReturnError, FileNotFoundError) as exc:
            # NothingLoaded included: the files changed nothing in the warehouse.
            raise UploadError(str(exc)) from None
        upload.status = ACCEPTED
        upload.snapshot = report.result.snapshot.id
        upload.message = None if report.result.changed else "Already held: no new snapshot"
        upload.accepted_by = by
        upload.accepted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._save_meta(upload)
        return upload
