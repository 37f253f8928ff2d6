"""Uploads keep no raw data at rest, are checked in a worker process with a memory limit and a
queue, and leave no scratch files behind whatever happens to the check."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cscmonitor.settings import POSTCODE_LOOKUP, Settings
from cscmonitor.web import performance
from cscmonitor.web import uploads as uploads_module
from cscmonitor.web.routers import data as data_router
from cscmonitor.web.uploads import SCRATCH_PREFIX, Uploads
from tests.web.conftest import World, token_for

FULL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The uploads' scratch folder for this test (outside the data directory)."""
    folder = tmp_path / "scratch"
    monkeypatch.setenv("CSCMONITOR_UPLOAD_SCRATCH_DIR", str(folder))
    return folder


def post(world: World, client, files: list[tuple[str, bytes]], la: str = "371"):
    return client.post(
        "/data/uploads",
        data={"csrf_token": token_for(client), "la_code": la},
        files=[("files", (name, body, "text/csv")) for name, body in files],
    )


def upload_id(response) -> str:
    assert response.status_code == 303, response.text[:1000]
    return response.headers["location"].rsplit("/", 1)[1]


def identifiers(files: list[tuple[str, bytes]]) -> set[str]:
    """Every child id, UPN and full postcode in the uploaded files, as written there."""
    found: set[str] = set()
    for name, body in files:
        text = body.decode("utf-8", "replace")
        if name.endswith(".csv"):
            for row in csv.DictReader(text.splitlines()):
                found |= {row[c] for c in ("CHILD", "UPN") if row.get(c)}
                found |= {v for v in row.values() if v and FULL_POSTCODE.fullmatch(v)}
        else:
            found |= set(re.findall(r"<(?:LAchildID|UPN|FormerUPN)>([^<]+)<", text))
    return found


def texts_at_rest(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every file below `folder` as text: Parquet cells and workbook parts decoded, so that
    compression hides nothing. Not the installation's postcode lookup (postcode_lookup.csv):
    reference data put there by the installation (in use, the ONS directory's every
    postcode), never written by an upload; an upload leaves it as it was (checked below)."""
    lookup = folder / POSTCODE_LOOKUP
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p != lookup):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            yield path, "\n".join(str(v) for c in table.columns for v in c.to_pylist())
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    yield path, book.read(member).decode("utf-8", "replace")
        else:
            yield path, path.read_bytes().decode("latin-1")


def raw_identifiers_found(folder: Path, raw: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    ids = {r for r in raw if not FULL_POSTCODE.fullmatch(r)}
    postcodes = raw - ids
    for path, text in texts_at_rest(folder):
        tokens = set(re.findall(r"[A-Za-z0-9]+", text))
        hits = (tokens & ids) | {p for p in postcodes if p in text or p.replace(" ", "") in text}
        if hits:
            found.setdefault(str(path.relative_to(folder)), set()).update(hits)
    return found


def returns_of(world: World) -> dict[str, list[tuple[str, bytes]]]:
    """Three uploads from the demo's returns: a changed 903 year (accepted), the same year
    with identifiers in the wrong columns of its header (checked, not accepted), a CIN census
    cut off mid-file with a child's id repeated (nothing loadable)."""
    year = world.returns_dir / "ssda903" / "2015"
    whole = [(p.name, p.read_bytes()) for p in sorted(year.glob("*.csv"))]
    changed = [
        (n, b.replace(b",24/01/2013,", b",25/01/2013,", 1) if n == "episodes.csv" else b)
        for n, b in whole
    ]
    lines = (year / "header.csv").read_text().splitlines()
    child, _sex, _dob, _ethnic, upn, *_ = lines[1].split(",")
    misplaced = [
        lines[0],
        f"{child},1,{upn},WBRI,{upn},,",  # a UPN where the date of birth goes
        f"{child},1,01/01/2010,DN4 8PP,,,",  # a full postcode where the ethnicity goes
        *lines[2:40],
    ]
    census = (world.returns_dir / "cin_census" / "CIN_Census_2016.xml").read_text()
    first_child = re.search(r"<LAchildID>([^<]+)</LAchildID>", census)
    assert first_child is not None
    repeated = census.replace(first_child.group(0), first_child.group(0) * 2, 1)
    cut = repeated[: len(repeated) // 3]
    broken = [(n, "\n".join(misplaced).encode() if n == "header.csv" else b) for n, b in whole]
    return {
        "accepted": changed,
        "checked": broken,
        "failed": [("CIN_Census_2016.xml", cut.encode())],
    }


def test_no_raw_identifier_or_server_path_at_rest_after_uploads(make_world, scratch: Path) -> None:
    world = make_world()
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    sent = returns_of(world)
    lookup = (world.data_dir / POSTCODE_LOOKUP).read_bytes()
    # What the demo wrote before any upload, byte for byte: a 7-digit number there (a signed
    # edition's file size, a sum of money) can equal a synthetic child id by chance, and is
    # not the uploads' doing.
    before = {p: p.read_bytes() for p in world.data_dir.rglob("*") if p.is_file()}
    made = {}
    for outcome, files in sent.items():
        made[outcome] = upload_id(post(world, client, files))
        assert uploads.wait(made[outcome]).status == (
            "failed" if outcome == "failed" else "checked"
        ), uploads.get(made[outcome]).message
    accepted = client.post(
        f"/data/uploads/{made['accepted']}/accept", data={"csrf_token": token_for(client)}
    )
    assert accepted.status_code == 303
    assert uploads.get(made["accepted"]).status == "accepted"
    checked = uploads.get(made["checked"])
    assert checked.errors >= 2  # the UPN as a date and the postcode as a code, at least
    problems, _ = uploads.problems(checked)
    # The cells are still shown, as much as may be: withheld, or cut to the district.
    values = {p["value"] for p in problems}
    assert "[UPN withheld]" in values and "DN4 [withheld]" in values

    raw = set().union(*(identifiers(files) for files in sent.values()))
    assert len(raw) > 500  # children, UPNs and postcodes of a year's return and more
    found = raw_identifiers_found(world.data_dir, raw)
    untouched = {
        name
        for name in found
        if before.get(world.data_dir / name) == (world.data_dir / name).read_bytes()
    }
    assert {name: hits for name, hits in found.items() if name not in untouched} == {}
    assert (world.data_dir / POSTCODE_LOOKUP).read_bytes() == lookup
    # Nothing raw left in the scratch folder either; no server path in what is kept.
    assert not list(scratch.glob(f"{SCRATCH_PREFIX}*"))
    for upload in made.values():
        for path, text in texts_at_rest(world.data_dir / "uploads" / upload):
            assert str(scratch) not in text and str(world.data_dir) not in text, path
    page = client.get(f"/data/uploads/{made['failed']}").text
    assert "Done: failed" in page and str(scratch) not in page


def test_a_worker_over_its_memory_limit_fails_with_a_clear_message(
    make_world, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSCMONITOR_UPLOAD_WORKER_MEMORY_MB", "256")
    world = make_world()
    client = world.sign_in("manager")
    files = [("header.csv", (world.returns_dir / "ssda903" / "2015" / "header.csv").read_bytes())]
    made = world.app.state.web.uploads.wait(upload_id(post(world, client, files)))
    # 256 MB is less than the worker's own libraries take: the check itself runs out of memory.
    assert made.status == "failed"
    assert "needed more memory than a check is allowed (256 MB)" in (made.message or "")
    assert "CSCMONITOR_UPLOAD_WORKER_MEMORY_MB" in (made.message or "")
    assert not list(scratch.glob(f"{SCRATCH_PREFIX}*"))  # erased after the failure
    assert not (world.data_dir / "uploads" / made.id / "returns").exists()
    page = client.get(f"/data/uploads/{made.id}").text
    assert "needed more memory" in page and "Accept into a new snapshot" not in page


def test_a_killed_worker_leaves_no_raw_file(
    make_world, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world()
    seen: list[Path] = []
    real_run = subprocess.run

    def killed(args, **kwargs):
        job = json.loads(kwargs["input"])
        seen.extend(Path(job["scratch"]).rglob("*.csv"))  # the raw file, while it is checked
        suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
        return real_run([args[0], "-c", suicide], **kwargs)

    monkeypatch.setattr(uploads_module.subprocess, "run", killed)
    client = world.sign_in("manager")
    files = [("header.csv", (world.returns_dir / "ssda903" / "2015" / "header.csv").read_bytes())]
    made = world.app.state.web.uploads.wait(upload_id(post(world, client, files)))
    assert seen  # the raw file was there while the worker ran
    assert made.status == "failed" and "was stopped" in (made.message or "")
    assert not any(p.exists() for p in seen)
    assert not list(scratch.glob(f"{SCRATCH_PREFIX}*"))


def test_raw_files_are_private_while_they_wait(
    make_world, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSCMONITOR_UPLOAD_QUEUE_MAX", "2")
    monkeypatch.setattr(data_router, "CHECK_WAIT_SECONDS", 0)
    world = make_world()
    release = threading.Event()
    real_run = subprocess.run
    modes: list[int] = []

    def held(args, **kwargs):
        job = json.loads(kwargs["input"])
        modes.extend(p.stat().st_mode & 0o777 for p in Path(job["scratch"]).rglob("*.csv"))
        modes.append(Path(job["scratch"]).stat().st_mode & 0o777)
        release.wait(60)
        return real_run(args, **kwargs)

    monkeypatch.setattr(uploads_module.subprocess, "run", held)
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    year = world.returns_dir / "ssda903" / "2015"
    files = [(p.name, p.read_bytes()) for p in sorted(year.glob("*.csv"))]
    try:
        first = upload_id(post(world, client, files))
        second = upload_id(post(world, client, files))
        # One check at a time (upload_workers = 1): the second waits its turn.
        for _ in range(100):
            if uploads.get(first).status == "running":
                break
            threading.Event().wait(0.1)
        assert "Running: being checked" in client.get(f"/data/uploads/{first}").text
        queued = client.get(f"/data/uploads/{second}").text
        assert "Queued: waiting to be checked" in queued and "1 upload ahead" in queued
        # The queue holds two: a third is refused, saying why.
        third = post(world, client, files)
        assert third.status_code == 400 and "waiting to be checked" in third.text
        assert len(list(scratch.glob(f"{SCRATCH_PREFIX}*"))) == 2
    finally:
        release.set()
    assert uploads.wait(first).status == "checked"
    assert uploads.wait(second).status == "checked"
    assert modes and set(modes) == {0o600, 0o700}  # files 600, their folder 700
    assert not list(scratch.glob(f"{SCRATCH_PREFIX}*"))


def test_a_new_server_erases_what_a_killed_one_left(make_world, scratch: Path) -> None:
    world = make_world()
    uploads = world.app.state.web.uploads
    # As a killed server leaves it: a raw file in scratch, its upload still "running".
    stale = scratch / f"{SCRATCH_PREFIX}0123456789abcdef-x"
    (stale / "files").mkdir(parents=True)
    (stale / "files" / "header.csv").write_text("CHILD,UPN\n1000935,Q371227804203\n")
    (stale / ".lock").touch()
    folder = world.data_dir / "uploads" / "0123456789abcdef"
    folder.mkdir(parents=True)
    (folder / "upload.json").write_text(
        json.dumps(
            {
                "id": "0123456789abcdef",
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "by": "analyst",
                "la_code": "371",
                "year": None,
                "files": ["header.csv"],
                "status": "running",
            }
        )
    )
    # And an old release's raw files kept beside a report of long ago.
    old = world.data_dir / "uploads" / "fedcba9876543210"
    (old / "files").mkdir(parents=True)
    (old / "files" / "header.csv").write_text("CHILD\n1000935\n")
    (old / "upload.json").write_text(
        json.dumps(
            {
                "id": "fedcba9876543210",
                "created_at": "2020-01-01T00:00:00+00:00",
                "by": "analyst",
                "la_code": "371",
                "year": None,
                "files": ["header.csv"],
                "status": "checked",
            }
        )
    )
    restarted = Uploads(uploads.settings, uploads.max_bytes)
    assert not stale.exists()
    interrupted = restarted.get("0123456789abcdef")
    assert interrupted.status == "failed" and "interrupted" in (interrupted.message or "")
    # Older than the retention (90 days by default): the whole upload record is gone.
    assert not old.exists()


def test_scratch_inside_the_data_directory_is_refused(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path / "data", upload_scratch_dir=tmp_path / "data" / "tmp"
    )
    with pytest.raises(ValueError, match="inside the data directory"):
        Uploads(settings, 1 << 20)


def test_a_damaged_snapshot_is_a_page_not_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = world.data_dir / "warehouse" / "snapshots" / "0001"
    for table in current.glob("*.parquet"):
        data = bytearray(table.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit, in a data page
        table.write_bytes(bytes(data))
    # Figures already computed from this snapshot while it was whole stay cached (keyed by
    # its checksums, shared in the process); a page that reads the tables again finds it.
    monkeypatch.setattr(performance, "_CACHE", performance.SingleFlight(8))
    page = world.sign_in("manager").get("/")
    assert page.status_code == 503
    assert "snapshot 0001: table" in page.text and "is damaged" in page.text


def test_accepting_needs_a_second_person_when_the_setting_says_so(
    make_world, scratch: Path
) -> None:
    # The manager checks a changed 903 year and presses Accept: that only asks. Pressing it
    # again is the same person, refused; the analyst's press approves and accepts, once.
    world = make_world(uploads_need_second_person=True)
    uploads = world.app.state.web.uploads
    warehouse = world.app.state.web.performance.warehouse
    before = warehouse.current().id
    manager = world.sign_in("manager")
    made = upload_id(post(world, manager, returns_of(world)["accepted"]))
    assert uploads.wait(made).status == "checked"

    asked = manager.post(f"/data/uploads/{made}/accept", data={"csrf_token": token_for(manager)})
    assert asked.status_code == 303
    assert uploads.get(made).status == "checked" and warehouse.current().id == before
    assert data_router.SECOND_PERSON in manager.get(f"/data/uploads/{made}").text

    again = manager.post(f"/data/uploads/{made}/accept", data={"csrf_token": token_for(manager)})
    assert again.status_code == 400 and warehouse.current().id == before

    analyst = world.sign_in("analyst")
    done = analyst.post(f"/data/uploads/{made}/accept", data={"csrf_token": token_for(analyst)})
    assert done.status_code == 303, done.text[:500]
    assert uploads.get(made).status == "accepted" and warehouse.current().id != before


def test_a_broken_postcode_lookup_fails_the_check_without_its_server_path(
    make_world, scratch: Path
) -> None:
    """The installation's lookup (kept in the data directory) has lost its northing column:
    the upload's check fails before reading any return, and says so without the path."""
    world = make_world()
    (world.data_dir / POSTCODE_LOOKUP).write_text("postcode,easting\nDN1 1AA,458000\n")
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    year = world.returns_dir / "ssda903" / "2015"
    files = [(p.name, p.read_bytes()) for p in sorted(year.glob("*.csv"))]
    made = uploads.wait(upload_id(post(world, client, files)))
    assert made.status == "failed"
    assert "the installation's postcode lookup" in made.message and "northing" in made.message
    assert str(world.data_dir) not in made.message
