"""Uploaded returns: queued, checked in a worker process, then accepted into the warehouse.

The raw files never reach the data directory. They are written (mode 600) to a scratch
folder of their own outside it (`upload_scratch_dir`, by default the system's temporary
folder), checked there by a worker process (`upload_check`: the CLI's own ingest, with a
memory limit) and erased when the check ends, whatever its outcome; a scratch folder left by
a killed server is erased when the next one starts. What an upload keeps in the data
directory is its record, the redacted validation report and the returns as parsed and
pseudonymised, and the preview of accepting them (table by table, the rows added, changed and
removed; or why accepting would be refused). Accepting merges the returns into a new snapshot
without reading a raw file again, checked once more against the warehouse as it is then: a
held return is replaced only by a whole one, unless the upload was declared a partial update
(only the tables given are replaced, the others kept).
Checks run one at a time (or `upload_workers` at once); upload records older than
`upload_retention_days` are deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from cscmonitor import redaction
from cscmonitor.privacy import key_path, load_key
from cscmonitor.returns.issues import ReturnError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import ReturnRefused, Warehouse
from cscmonitor.web import upload_check

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no worker processes either
    fcntl = None  # type: ignore[assignment]

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,120}")
SUFFIXES = (".xml", ".csv")
MAX_FILES = 60
UPLOAD_ID = re.compile(r"[0-9a-f]{16}")
QUEUED, RUNNING, CHECKED, ACCEPTED, FAILED = "queued", "running", "checked", "accepted", "failed"
WAITING = (QUEUED, RUNNING)
SCRATCH_PREFIX = "upload-"
# The worker's allocators reserve little address space they do not use, so the limit on
# address space is close to a limit on memory.
WORKER_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}
UNLOCKED_GRACE_SECONDS = 60
INTERRUPTED = "The check was interrupted (the server stopped); nothing was loaded. Upload again."


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
    status: str = QUEUED
    message: str | None = None
    errors: int = 0
    warnings: int = 0
    rows_loaded: int = 0
    summary: list[dict[str, object]] = field(default_factory=list)
    snapshot: str | None = None
    accepted_by: str | None = None
    accepted_at: str | None = None
    checked_at: str | None = None
    partial: bool = False  # declared a partial update: the tables not given are kept
    # What accepting would do (upload_check.described): refusals, and counts per table.
    preview: dict[str, list[Any]] | None = None

    @property
    def refusals(self) -> list[str]:
        return list((self.preview or {}).get("refusals") or [])

    @property
    def acceptable(self) -> bool:
        return self.status == CHECKED and self.rows_loaded > 0 and not self.refusals

    @property
    def waiting(self) -> bool:
        return self.status in WAITING


def clean_name(name: str) -> str:
    """A file's own name, if it is a plain .xml or .csv name; nothing of a path survives."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not SAFE_NAME.fullmatch(base) or not base.lower().endswith(SUFFIXES):
        raise UploadError(
            f"{base or 'A file'}: upload CIN census or SSDA903 XML, or CSV files, named with "
            "letters, digits, dots, dashes and spaces"
        )
    return base


def scratch_root(settings: Settings) -> Path:
    """Where raw files wait to be checked: never inside the data directory."""
    root = settings.upload_scratch_dir or (
        Path(tempfile.gettempdir()) / f"cscmonitor-uploads-{os.getuid()}"
    )
    if root.resolve().is_relative_to(settings.data_dir.resolve()):
        raise UploadError(
            f"CSCMONITOR_UPLOAD_SCRATCH_DIR ({root}) is inside the data directory: raw uploads "
            "must never be kept with the data; choose a folder outside it"
        )
    return root


class Scratch:
    """One upload's raw files, mode 600 in a folder of mode 700, locked while in use.

    The lock (held by the server process until the check ends) tells a live folder from
    one a killed server left behind.
    """

    def __init__(self, root: Path, upload_id: str) -> None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{upload_id}-", dir=root))
        self._lock: IO[str] | None = (self.path / ".lock").open("w")
        if fcntl is not None:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        (self.path / "files").mkdir(mode=0o700)

    def create(self, name: str) -> BinaryIO:
        fd = os.open(self.path / "files" / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return os.fdopen(fd, "wb")

    def erase(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def erase_stale(root: Path) -> list[str]:
    """Erase scratch folders no live process holds (left by a kill); the upload ids."""
    if not root.exists():
        return []
    erased = []
    for folder in root.glob(f"{SCRATCH_PREFIX}*"):
        try:
            lock = (folder / ".lock").open("r")
        except FileNotFoundError:
            # Killed before its lock was made, or being made this moment: wait a minute.
            with contextlib.suppress(FileNotFoundError):
                if time.time() - folder.stat().st_mtime > UNLOCKED_GRACE_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
            continue
        with lock:
            if fcntl is not None:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a check in progress, in this or another server process
            shutil.rmtree(folder, ignore_errors=True)
            erased.append(folder.name.removeprefix(SCRATCH_PREFIX).split("-")[0])
    return erased


class Uploads:
    def __init__(self, settings: Settings, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self.root = settings.data_dir / "uploads"
        key_path(settings)  # production refuses a key kept in the data directory: say so now
        self.scratch = scratch_root(settings)
        self._pool = ThreadPoolExecutor(settings.upload_workers, "upload-check")
        self._jobs: dict[str, Future[Upload]] = {}
        self._guard = threading.Lock()
        self._tidy()

    def _tidy(self) -> None:
        """On start: erase raw files a killed server left, fail its checks, prune old uploads."""
        erase_stale(self.scratch)
        live = {p.name.removeprefix(SCRATCH_PREFIX).split("-")[0] for p in self._live()}
        for upload in self._prune():
            folder = self._folder(upload.id)
            for raw in ("files", "check"):  # raw files and scratch warehouses of old releases
                shutil.rmtree(folder / raw, ignore_errors=True)
            if upload.waiting and upload.id not in live:
                upload.status, upload.message = FAILED, INTERRUPTED
                self._save_meta(upload)

    def _prune(self) -> list[Upload]:
        """Delete uploads older than the retention period; those kept."""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.settings.upload_retention_days)
        kept = []
        for upload in self.recent():
            if dt.datetime.fromisoformat(upload.created_at) < cutoff and not upload.waiting:
                shutil.rmtree(self._folder(upload.id), ignore_errors=True)
            else:
                kept.append(upload)
        return kept

    def _live(self) -> list[Path]:
        return list(self.scratch.glob(f"{SCRATCH_PREFIX}*")) if self.scratch.exists() else []

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
        known = {f.name for f in fields(Upload)}
        held = json.loads(path.read_text())
        return Upload(**{k: v for k, v in held.items() if k in known})

    def recent(self) -> list[Upload]:
        if not self.root.exists():
            return []
        held = [self.get(p.name) for p in self.root.iterdir() if (p / "upload.json").exists()]
        return sorted(held, key=lambda u: u.created_at, reverse=True)

    def ahead_of(self, upload: Upload) -> int:
        """How many uploads wait to be checked before this one."""
        return sum(1 for u in self.recent() if u.waiting and u.created_at < upload.created_at)

    def save(
        self,
        files: Iterable[tuple[str, BinaryIO]],
        *,
        by: str,
        la_code: str | None,
        year: int | None,
        partial: bool = False,
    ) -> Upload:
        """Take the files into a scratch folder and queue their check; refuses bad names, sizes
        and a full queue. The raw bytes never reach the data directory. `partial`: the files
        update only the tables they give, the others are kept."""
        self._prune()
        with self._guard:
            self._jobs = {k: job for k, job in self._jobs.items() if not job.done()}
            waiting = len(self._jobs)
        if waiting >= self.settings.upload_queue_max:
            raise UploadError(
                f"{waiting} uploads are waiting to be checked: try again in a few minutes"
            )
        upload_id = secrets.token_hex(8)
        scratch = Scratch(self.scratch, upload_id)
        names: list[str] = []
        total = 0
        try:
            for name, stream in files:
                clean = clean_name(name)
                if clean in names:
                    raise UploadError(f"{clean} is uploaded twice")
                if len(names) >= MAX_FILES:
                    raise UploadError(f"Upload at most {MAX_FILES} files at a time")
                with scratch.create(clean) as out:
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
            upload = Upload(
                id=upload_id,
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
                by=by,
                la_code=la_code,
                year=year,
                files=names,
                partial=partial,
            )
            self._folder(upload_id).mkdir(parents=True)
            self._save_meta(upload)
            with self._guard:
                self._jobs[upload_id] = self._pool.submit(self._check, upload, scratch)
        except BaseException:
            scratch.erase()
            raise
        return upload

    def wait(self, upload_id: str, timeout: float | None = None) -> Upload:
        """The upload once its check has ended (for callers that cannot come back later)."""
        with self._guard:
            job = self._jobs.get(upload_id)
        if job is not None:
            try:
                job.result(timeout)
            except TimeoutError:
                raise
            except Exception:  # the upload's record says the check failed
                pass
        return self.get(upload_id)

    def _check(self, upload: Upload, scratch: Scratch) -> Upload:
        """Run the worker process on the scratch folder; whatever happens, erase it."""
        try:
            upload.status = RUNNING
            self._save_meta(upload)
            fields_ = self.settings.model_dump(mode="json")
            fields_["pseudonym_key"] = load_key(self.settings).decode()
            job = {
                "settings": fields_,
                "folder": str(self._folder(upload.id)),
                "scratch": str(scratch.path),
                "la_code": upload.la_code,
                "year": upload.year,
                "partial": upload.partial,
                "memory_mb": self.settings.upload_worker_memory_mb,
            }
            worker = subprocess.run(
                [sys.executable, "-m", "cscmonitor.web.upload_check"],
                input=json.dumps(job).encode(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # may quote the return: never kept
                env=_worker_environment(),
                check=False,
            )
            done = self.get(upload.id)
            if done.waiting:  # the worker never said how it ended: it was killed
                done.status = FAILED
                done.message = _ended(worker.returncode, self.settings.upload_worker_memory_mb)
                self._save_meta(done)
            if done.status == FAILED:  # whatever a stopped worker had kept is not to be merged
                shutil.rmtree(self._folder(upload.id) / "returns", ignore_errors=True)
            return done
        except Exception:
            upload.status, upload.message = FAILED, "The check could not be started."
            self._save_meta(upload)
            raise
        finally:
            scratch.erase()

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
        """Merge the checked returns (parsed and pseudonymised) into a new snapshot.

        The warehouse may have moved since the check: the merge is refused (and the upload's
        preview says why from then on) if it would now replace a held return by less than a
        whole one, unless the upload is a declared partial update.
        """
        if upload.refusals:
            raise UploadError(" ".join(upload.refusals))
        if not upload.acceptable:
            raise UploadError("Only a checked upload with rows to load can be accepted")
        held = self._folder(upload.id) / "returns"
        if not held.exists():
            raise UploadError("This upload's checked returns are no longer held: upload again")
        parsed, privacy, validation = upload_check.load_returns(held)
        # The files were kept by name, so the unreadable ones are named alike.
        unreadable = [Path(f).name for f in validation.get("files_unreadable", [])]
        warehouse = Warehouse(self.settings.warehouse_dir)
        try:
            result = warehouse.ingest(
                parsed,
                privacy=privacy,
                validation=validation,
                partial=upload.partial,
                unreadable=unreadable,
            )
        except ReturnRefused as exc:
            now = warehouse.preview(parsed, partial=upload.partial, unreadable=unreadable)
            upload.preview = upload_check.described(now)
            if not upload.refusals:  # the warehouse moved again since: say what refused it
                upload.preview["refusals"] = [str(exc)]
            self._save_meta(upload)
            raise UploadError(
                "the warehouse has changed since this upload was checked: "
                + " ".join(upload.refusals)
            ) from None
        except (ReturnError, FileNotFoundError) as exc:
            here = "the data directory"
            where = {str(self.settings.data_dir.resolve()): here, str(self.settings.data_dir): here}
            raise UploadError(str(redaction.text(pa.array([str(exc)]), where)[0])) from None
        upload.status = ACCEPTED
        upload.snapshot = result.snapshot.id
        upload.message = None if result.changed else "Already held: no new snapshot"
        upload.accepted_by = by
        upload.accepted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._save_meta(upload)
        shutil.rmtree(held)  # in the warehouse now; the report stays until retention ends
        return upload


def _worker_environment() -> dict[str, str]:
    """The server's environment, its import path (the worker imports what it does), and
    allocators that reserve only what they use."""
    path = os.pathsep.join(p for p in sys.path if p)
    return {**os.environ, "PYTHONPATH": path, **WORKER_ENVIRONMENT}


def _ended(code: int, memory_mb: int) -> str:
    """What a person is told when the worker ended without a word."""
    if code == upload_check.OUT_OF_MEMORY or code < 0:
        return upload_check.MEMORY_MESSAGE.format(mb=memory_mb)
    return f"The check stopped unexpectedly (exit status {code}); nothing was loaded."
