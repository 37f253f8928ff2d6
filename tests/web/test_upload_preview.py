"""An upload's check shows, table by table, what accepting it would add, change and remove, and
refuses a held return replaced by less than a whole one (at the check, and again at accept
against the warehouse as it is then), unless the upload is declared a partial update, which
keeps the tables it does not give.

The demo's warehouse holds the SSDA903 return of LA 371 for 2015 (seven files: header,
episodes, reviews, missing, OC3, AD1, placed for adoption), and the 2014 and 2016 returns
around it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from cscmonitor.web.routers import data as data_router
from tests.web.conftest import World, token_for
from tests.web.test_uploads_safety import scratch as scratch  # a fixture
from tests.web.test_uploads_safety import upload_id

ACCEPT = "Accept into a new snapshot"
# The tables the 2015 return holds besides cla_children (header) and cla_episodes (episodes).
OTHER_903_TABLES = ("cla_ad1", "cla_missing", "cla_oc3", "cla_placed_adoption", "cla_reviews")
YEAR_2015 = (dt.date(2014, 4, 1), dt.date(2015, 3, 31))


def year_files(world: World) -> dict[str, bytes]:
    folder = world.returns_dir / "ssda903" / "2015"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def post(client, files: dict[str, bytes], *, la: str = "371", partial: bool = False):
    data = {"csrf_token": token_for(client), "la_code": la}
    if partial:
        data["partial"] = "yes"
    return client.post(
        "/data/uploads",
        data=data,
        files=[("files", (name, body, "text/csv")) for name, body in files.items()],
    )


def accept(client, made: str):
    return client.post(f"/data/uploads/{made}/accept", data={"csrf_token": token_for(client)})


def counts(world: World) -> dict[str, int]:
    warehouse = world.app.state.web.performance.warehouse
    return {
        name: warehouse.read(name).num_rows
        for name in ("cla_children", "cla_episodes", *OTHER_903_TABLES)
    }


def changes_row(page: str, table: str) -> list[int]:
    """The added, changed and removed counts the page's preview shows for `table`."""
    preview = page.split("What accepting would do", 1)[1].split("</table>", 1)[0]
    row = re.search(rf"<t[dh][^>]*>\s*{table}\s*</t[dh]>(.*?)</tr>", preview, re.S)
    assert row, f"no row for {table} in the preview"
    return [int(n.replace(",", "")) for n in re.findall(r">\s*([\d,]+)\s*<", row.group(1))]


def edited_episodes(body: bytes, *, place: bool = False, decom: bool = False) -> bytes:
    """The episodes file with hand-made changes to episodes that begin and end within the
    2015 collection year (so no other return carries them, and nothing supersedes them):
    `place`, one such episode's placement type changed; `decom`, the start of a child's
    only episode moved a day later (still before its end)."""
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    day = lambda s: dt.datetime.strptime(s, "%d/%m/%Y").date()  # noqa: E731
    inside = [
        i
        for i, r in enumerate(rows)
        if r["DEC"] and YEAR_2015[0] <= day(r["DECOM"]) < day(r["DEC"]) <= YEAR_2015[1]
    ]
    episodes_of = {r["CHILD"]: sum(1 for o in rows if o["CHILD"] == r["CHILD"]) for r in rows}
    if decom:
        only = next(
            i
            for i in inside
            if episodes_of[rows[i]["CHILD"]] == 1
            and (day(rows[i]["DEC"]) - day(rows[i]["DECOM"])).days > 1
        )
        later = day(rows[only]["DECOM"]) + dt.timedelta(days=1)
        rows[only]["DECOM"] = later.strftime("%d/%m/%Y")
        inside.remove(only)
    if place:
        changed = next(i for i in inside if rows[i]["PLACE"] == "U5")
        rows[changed]["PLACE"] = "U4"  # foster placement with another foster carer
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_header_and_episodes_of_a_held_year_are_refused_naming_what_is_missing(
    make_world, scratch
) -> None:
    world = make_world()
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    before = counts(world)
    files = {n: b for n, b in year_files(world).items() if n in ("header.csv", "episodes.csv")}
    made = uploads.wait(upload_id(post(client, files)))
    assert made.status == "checked" and made.rows_loaded > 0
    page = client.get(f"/data/uploads/{made.id}").text
    assert "This upload cannot be accepted" in page and "Done: refused" in page
    # The refusal names the return and every held table the files do not give.
    assert "return of LA 371 for 2015 held" in page
    assert f"no rows of {', '.join(OTHER_903_TABLES)}" in page
    assert "ticked" in page and ACCEPT not in page
    assert re.search(r">\s*refused\s*<", client.get("/data").text)  # in the recent uploads
    # Pressing Accept anyway (a stale page, a crafted request) is refused: nothing changes.
    pressed = accept(client, made.id)
    assert pressed.status_code == 303
    assert "Not accepted" in client.get(f"/data/uploads/{made.id}").text
    assert uploads.get(made.id).status == "checked" and counts(world) == before
    # Never to be merged, its parsed returns are not kept.
    assert not (world.data_dir / "uploads" / made.id / "returns").exists()


def test_a_partial_update_replaces_only_the_tables_given_and_keeps_the_others(
    make_world, scratch
) -> None:
    world = make_world()
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    before = counts(world)
    whole = year_files(world)
    files = {"header.csv": whole["header.csv"]}
    files["episodes.csv"] = edited_episodes(whole["episodes.csv"], place=True)
    made = uploads.wait(upload_id(post(client, files, partial=True)))
    assert made.status == "checked" and made.partial and made.refusals == []
    page = client.get(f"/data/uploads/{made.id}").text
    assert "Partial: only the tables in these files are replaced" in page
    # One episode's placement type changed; its key (child, start date) is the same, so it is
    # one row changed, none added or removed. The other tables are kept: not in the preview.
    assert changes_row(page, "cla_episodes") == [0, 1, 0]
    preview = page.split("What accepting would do", 1)[1].split("</table>", 1)[0]
    assert not any(table in preview for table in OTHER_903_TABLES)
    assert ACCEPT in page

    done = accept(client, made.id)
    assert done.status_code == 303, done.text[:500]
    assert uploads.get(made.id).status == "accepted"
    assert counts(world) == before  # every row kept; one episode's placement is new
    warehouse = world.app.state.web.performance.warehouse
    snapshot = warehouse.current()
    held = next(
        r for r in snapshot.manifest["returns"] if r["kind"] == "ssda903" and r["year"] == 2015
    )
    assert held["partial_update"] == ["cla_children", "cla_episodes"]


def test_a_changed_whole_year_shows_the_rows_it_would_add_change_and_remove(
    make_world, scratch
) -> None:
    world = make_world()
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    files = year_files(world)
    files["episodes.csv"] = edited_episodes(files["episodes.csv"], place=True, decom=True)
    made = uploads.wait(upload_id(post(client, files)))
    assert made.status == "checked" and made.refusals == []
    page = client.get(f"/data/uploads/{made.id}").text
    # cla_episodes is keyed by child and start date: the moved start is a new key, so one row
    # added and the old one removed; the changed placement keeps its key, so one row changed.
    assert changes_row(page, "cla_episodes") == [1, 1, 1]
    # No other table changes: the other six files are as held.
    assert [c["table"] for c in made.preview["changes"]] == ["cla_episodes"]
    assert ACCEPT in page


def test_a_garbage_header_is_refused(make_world, scratch) -> None:
    world = make_world(uploads_need_second_person=True)
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    before = counts(world)
    files = year_files(world)
    files["header.csv"] = bytes(range(256)) * 64  # not a CSV file at all
    made = uploads.wait(upload_id(post(client, files)))
    page = client.get(f"/data/uploads/{made.id}").text
    # The six other files read, but the return is not whole: no child details, and the file
    # beside them could not be read.
    assert made.status == "checked" and made.refusals
    assert "no rows of cla_children" in page and "header.csv could not be read" in page
    assert ACCEPT not in page
    # Pressing Accept anyway is refused outright: no request waits for a second person.
    accept(client, made.id)
    after = client.get(f"/data/uploads/{made.id}").text
    assert "Not accepted" in after and data_router.SECOND_PERSON not in after
    assert uploads.get(made.id).status == "checked" and counts(world) == before


def test_accept_rechecks_against_the_warehouse_as_it_is_then(
    make_world, scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LA 372's 2015 return is not held: header and episodes alone are a new return, acceptable.
    # Then the whole return is accepted from another upload; accepting the first would now
    # replace it by header and episodes alone, dropping five tables: refused, saying why.
    monkeypatch.setattr(data_router, "CHECK_WAIT_SECONDS", 60)
    world = make_world()
    client = world.sign_in("manager")
    uploads = world.app.state.web.uploads
    whole = year_files(world)
    some = {n: b for n, b in whole.items() if n in ("header.csv", "episodes.csv")}
    first = uploads.wait(upload_id(post(client, some, la="372")))
    assert first.status == "checked" and first.refusals == []
    assert ACCEPT in client.get(f"/data/uploads/{first.id}").text
    second = uploads.wait(upload_id(post(client, whole, la="372")))
    assert second.refusals == []
    assert accept(client, second.id).status_code == 303
    assert uploads.get(second.id).status == "accepted"
    after_second = counts(world)

    assert accept(client, first.id).status_code == 303
    page = client.get(f"/data/uploads/{first.id}").text
    assert "the warehouse has changed since this upload was checked" in page
    assert "return of LA 372 for 2015 held" in page and ACCEPT not in page
    assert uploads.get(first.id).status == "checked" and counts(world) == after_second
