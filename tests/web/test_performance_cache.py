"""The performance pages' cache (issue 18 item 3): one computation per key however many ask at
once, different keys in parallel, and nothing stale after a new snapshot or a records change.

Concurrency is arranged with events and barriers, never with sleeps: each wait has a
timeout only so that a broken cache fails the test instead of hanging it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cscmonitor.assess import RAG
from cscmonitor.indicators.registry import Polarity
from cscmonitor.records import audit, basket, contracts, db
from cscmonitor.records.audit import Actor, GovernanceVersion
from cscmonitor.terms import ContractTerms, load_packaged_contract
from cscmonitor.warehouse import Snapshot
from cscmonitor.web import performance, permissions
from cscmonitor.web.performance import Performance, SingleFlight
from cscmonitor.web.permissions import Permission, Role

WAIT = 30  # seconds: only a broken cache ever waits this long


def _thread(target: Any, *args: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target(*args)
        except BaseException as exc:  # handed to the test thread
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


class _Noted(threading.Event):
    """An event that says when someone starts waiting on it."""

    def __init__(self, waiting: threading.Event) -> None:
        super().__init__()
        self.waiting = waiting

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.set()
        return super().wait(timeout)


def test_two_threads_asking_for_one_key_share_one_computation():
    cache = SingleFlight(8)
    started, release, second_waiting = threading.Event(), threading.Event(), threading.Event()
    calls = []

    def make() -> object:
        calls.append(threading.get_ident())
        started.set()
        assert release.wait(WAIT)
        return object()

    first, first_out = _thread(cache.get, "key", make)
    assert started.wait(WAIT)
    # The first thread is computing: make the flight say when the second starts waiting.
    flight = cache._running["key"]
    flight.finished = _Noted(second_waiting)
    second, second_out = _thread(cache.get, "key", make)
    assert second_waiting.wait(WAIT), "the second caller did not wait for the first"
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert "error" not in first_out and "error" not in second_out
    assert len(calls) == 1
    assert first_out["value"] is second_out["value"]
    assert cache.get("key", make) is first_out["value"]  # and it is kept
    assert len(calls) == 1


def test_different_keys_compute_at_the_same_time():
    cache = SingleFlight(8)
    # Each computation waits at the barrier until the other arrives: under one lock the
    # second could never start, and the barrier would break.
    both = threading.Barrier(2, timeout=WAIT)

    def make(name: str) -> Any:
        return lambda: (both.wait(), name)[1]

    one, one_out = _thread(cache.get, "one", make("one"))
    two, two_out = _thread(cache.get, "two", make("two"))
    one.join(WAIT)
    two.join(WAIT)
    assert one_out == {"value": "one"} and two_out == {"value": "two"}


def test_a_failure_reaches_every_waiter_and_is_not_kept():
    cache = SingleFlight(8)
    started, release, second_waiting = threading.Event(), threading.Event(), threading.Event()

    def fail() -> object:
        started.set()
        assert release.wait(WAIT)
        raise LookupError("no snapshot")

    first, first_out = _thread(cache.get, "key", fail)
    assert started.wait(WAIT)
    cache._running["key"].finished = _Noted(second_waiting)
    second, second_out = _thread(cache.get, "key", fail)
    assert second_waiting.wait(WAIT)
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert isinstance(first_out["error"], LookupError)
    assert isinstance(second_out["error"], LookupError)
    assert cache.get("key", lambda: "computed again") == "computed again"


def test_asking_for_a_key_inside_its_own_computation_is_an_error_not_a_hang():
    cache = SingleFlight(8)
    with pytest.raises(RuntimeError, match="being computed"):
        cache.get("key", lambda: cache.get("key", lambda: 1))


def test_the_least_recently_used_entry_goes_first():
    cache = SingleFlight(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # used: b is now the oldest
    cache.get("c", lambda: 3)
    assert cache.get("a", lambda: 0) == 1
    assert cache.get("b", lambda: 0) == 0  # computed again


# The keys: a new snapshot or a records change is a new key --------------------------------


@dataclass
class _Warehouse:
    """A warehouse whose current snapshot the test sets."""

    held: Snapshot
    made: list[str] = field(default_factory=list)

    def current(self) -> Snapshot:
        return self.held

    def current_mark(self) -> tuple[str, int]:
        return self.held.id, id(self.held)  # a snapshot set by the test is a move

    def tables(self, snapshot: Snapshot) -> str:
        self.made.append(snapshot.id)
        return f"tables of {snapshot.id} ({len(self.made)})"


def _snapshot(snapshot_id: str, checksum: str) -> Snapshot:
    return Snapshot(
        snapshot_id, Path("/nowhere") / snapshot_id, {"parquet_sha256": {"t": checksum}}
    )


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every figure computation: the tables it read, the LA and the first target."""
    monkeypatch.setattr(performance, "_CACHE", SingleFlight(64))
    monkeypatch.setattr(performance.Performance, "published", lambda self: None)
    calls: list[tuple[str, str, Any]] = []

    def figures(tables: str, terms: ContractTerms, year: int, **_: Any) -> tuple[Any, ...]:
        calls.append((tables, terms.la_code, terms.basket[0].target))
        return (len(calls),)

    monkeypatch.setattr(performance, "contract_year_figures", figures)
    return calls


def test_a_new_snapshot_is_computed_and_a_rollback_finds_its_figures(counted, tmp_path):
    warehouse = _Warehouse(_snapshot("0001", "aaa"))
    figures = Performance(warehouse, tmp_path)  # type: ignore[arg-type]
    terms = load_packaged_contract("doncaster-2014")
    on = terms.contract_year(1).end
    first = figures.figures(terms, 1, on)
    assert figures.figures(terms, 1, on) == first and len(counted) == 1
    warehouse.held = _snapshot("0002", "bbb")  # an upload accepted: new contents
    assert figures.figures(terms, 1, on) != first
    assert [tables for tables, _la, _target in counted] == [
        "tables of 0001 (1)",
        "tables of 0002 (2)",
    ]
    warehouse.held = _snapshot("0001", "aaa")  # rolled back: the same contents as before
    assert figures.figures(terms, 1, on) == first and len(counted) == 2


def test_a_target_changed_in_the_records_is_computed_afresh(counted, tmp_path):
    figures = Performance(_Warehouse(_snapshot("0001", "aaa")), tmp_path)  # type: ignore[arg-type]
    terms = load_packaged_contract("doncaster-2014")
    on = terms.contract_year(1).end
    figures.figures(terms, 1, on)
    entries = list(terms.basket)
    entries[0] = entries[0].model_copy(update={"target": (entries[0].target or 0) + 1})
    edited = terms.model_copy(update={"basket": tuple(entries)})
    figures.figures(edited, 1, on)
    figures.figures(edited, 1, on)
    assert [target for _t, _la, target in counted] == [terms.basket[0].target, entries[0].target]


def test_a_computation_never_shares_a_connection_with_another_thread(tmp_path):
    # Two computations at once each borrow a DuckDB view of their own; both go back to the
    # pool, and the next computation reuses one rather than opening a third.
    warehouse = _Warehouse(_snapshot("0001", "aaa"))
    figures = Performance(warehouse, tmp_path)  # type: ignore[arg-type]
    both = threading.Barrier(2, timeout=WAIT)
    one, one_out = _thread(_borrow, figures, warehouse, both)
    two, two_out = _thread(_borrow, figures, warehouse, both)
    one.join(WAIT)
    two.join(WAIT)
    assert "error" not in one_out and "error" not in two_out, (one_out, two_out)
    assert one_out["value"] != two_out["value"]
    assert len(warehouse.made) == 2
    _borrow(figures, warehouse, None)
    assert len(warehouse.made) == 2
    warehouse.held = _snapshot("0002", "bbb")  # a new snapshot: a view of it, not the old
    assert _borrow(figures, warehouse, None) == "tables of 0002 (3)"


def _borrow(figures: Performance, warehouse: _Warehouse, both: threading.Barrier | None) -> Any:
    with figures._tables(warehouse.held) as tables:
        if both is not None:
            both.wait()
        return tables


def test_the_app_runs_at_most_its_request_threads_at_once(world):
    from anyio import to_thread

    from cscmonitor.web.app import REQUEST_THREADS

    with world.client() as client:  # entering runs the app's lifespan
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == REQUEST_THREADS


# The pages: a target edited in the records changes the RAG the dashboard shows --------------


def _tile_rag(html: str, code: str) -> str:
    """The words of the RAG tag on the dashboard tile of `code`."""
    tile = re.search(rf'data-code="{code}">(.*?)</li>', html, re.S)
    assert tile, f"no tile for {code}"
    tag = re.search(r'<strong class="govuk-tag[^"]*">\s*(.*?)\s*</strong>', tile.group(1), re.S)
    assert tag, f"no RAG tag on the tile of {code}"
    return tag.group(1)


def _page_rag(html: str) -> str:
    """The words of the RAG tag in the indicator page's summary."""
    tag = re.search(
        r'RAG\s*</dt>\s*<dd[^>]*>\s*<strong class="govuk-tag[^"]*">\s*(.*?)\s*</strong>', html, re.S
    )
    assert tag, "no RAG tag in the indicator page's summary"
    return tag.group(1)


def test_a_target_edit_changes_the_rag_on_the_dashboard_and_the_indicator_page(world):
    viewer = world.sign_in("viewer")
    web = world.app.state.web
    before = viewer.get("/")
    assert before.status_code == 200
    pages = {
        code: viewer.get(f"/indicators/{code}").text
        for code in re.findall(r'data-code="([A-Z0-9_]+)"', before.text)
    }
    with db.transaction(web.engine, Actor("test")) as session:
        contract = contracts.get_contract(session)
        terms = contracts.terms(contract)
        years = web.performance.years(terms)
        year = years[-1]
        figure = next(
            f
            for f in web.performance.figures(
                contracts.terms(contract, year), year, terms.contract_year(year).end
            )
            if f.rag in (RAG.GREEN, RAG.RED) and f.latest.usable_value is not None
        )
        entry = next(
            e for e in basket.version_for_year(contract, year).entries if e.indicator == figure.code
        )
        # A target missed by far, or one met by far: the other RAG.
        value, higher = figure.latest.usable_value, figure.indicator.polarity is Polarity.HIGHER
        further = 100_000.0 if (figure.rag is RAG.GREEN) == higher else -100_000.0
        entry.target, entry.tolerance = value + further, 0.0
    after = viewer.get("/")
    assert after.status_code == 200
    other = "Red" if figure.rag is RAG.GREEN else "Green"
    assert _tile_rag(before.text, figure.code) == figure.rag_text
    assert _tile_rag(after.text, figure.code) == other
    assert _page_rag(pages[figure.code]) == figure.rag_text
    assert _page_rag(viewer.get(f"/indicators/{figure.code}").text) == other


def test_the_indicator_page_offers_explain_to_whoever_may_see_it_whoever_asked_first(
    world, monkeypatch
):
    # The page's figures are rendered once and shown to every user: the link to the records
    # behind them is there for the roles that may follow it and for no other, even of one
    # party (an administrator let see the records here, beside a viewer: both of no party).
    may = permissions.TABLE[Permission.VIEW_CHILD_RECORDS] | {Role.ADMIN}
    monkeypatch.setitem(permissions.TABLE, Permission.VIEW_CHILD_RECORDS, may)
    viewer, admin = world.sign_in("viewer"), world.sign_in("admin")
    assert Role.VIEWER.party == Role.ADMIN.party
    code = re.findall(r'data-code="([A-Z0-9_]+)"', viewer.get("/").text)[0]
    explain = f'href="/indicators/{code}/explain'
    assert explain not in viewer.get(f"/indicators/{code}").text
    assert explain in admin.get(f"/indicators/{code}").text
    assert explain not in viewer.get(f"/indicators/{code}").text


# What the pages read from the records: cached by the records' governance version ------------


def _edit_first_target(engine: Any) -> None:
    with db.transaction(engine, Actor("test")) as session:
        contract = contracts.get_contract(session)
        entry = basket.version_for_year(contract, 1).entries[0]
        entry.target = (entry.target or 0) + 1


def test_the_governance_version_moves_with_a_governance_write_and_not_with_a_view(world):
    engine = world.app.state.web.engine
    version = GovernanceVersion()

    def now() -> str:
        with db.transaction(engine, Actor("test")) as session:
            return version(session)

    first = now()
    assert first != "0"  # the demo's records were written, and audited
    assert now() == first
    with db.transaction(engine, Actor("test")) as session:
        audit.note(session, Actor("test"), audit.VIEW, "child_records", "CLA_3PLUS/2015-04-01")
    assert now() == first
    _edit_first_target(engine)
    edited = now()
    assert edited != first
    # Read afresh, not from the rows seen since the last call, the version is the same.
    with db.transaction(engine, Actor("test")) as session:
        assert GovernanceVersion()(session) == edited


def test_the_basket_is_read_from_the_records_once_until_a_target_is_edited(world, monkeypatch):
    from cscmonitor.web import basket as web_basket

    monkeypatch.setattr(web_basket, "_BASKETS", SingleFlight(64))
    reads: list[int] = []
    read = web_basket._read_basket

    def counted(*args: Any) -> Any:
        made = read(*args)
        reads.append(made.year)
        return made

    monkeypatch.setattr(web_basket, "_read_basket", counted)
    analyst = world.sign_in("analyst")
    first = analyst.get("/")
    assert first.status_code == 200
    code = re.findall(r'href="/indicators/([A-Z0-9_]+)[?"]', first.text)[0]
    assert analyst.get("/").text == first.text
    assert analyst.get(f"/indicators/{code}/explain").status_code == 200  # audited: a view
    assert analyst.get("/").text == first.text
    assert len(reads) == 1
    _edit_first_target(world.app.state.web.engine)
    assert analyst.get("/").status_code == 200
    assert len(reads) == 2
