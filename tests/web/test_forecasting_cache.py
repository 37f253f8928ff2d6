"""The forecast page's cache: one computation per key however many ask at once, different keys
(scenarios, origins, snapshots) in parallel, not one lock around every computation.

The forecast package is replaced by recorders so that the test controls when a computation
ends; waits have a timeout only so that a broken cache fails the test instead of hanging it.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

from cscmonitor.forecast.adjust import ALL, Adjustments
from cscmonitor.warehouse import Snapshot
from cscmonitor.web import forecasting
from cscmonitor.web.forecasting import Forecasts
from cscmonitor.web.performance import SingleFlight
from tests.web.test_performance_cache import WAIT, _Noted, _thread

ORIGIN = dt.date(2024, 3, 31)


class _Warehouse:
    def tables(self, snapshot: Snapshot) -> str:
        return f"tables of {snapshot.id}"


def _forecasts(snapshot_id: str = "0001", checksum: str = "aaa") -> Forecasts:
    snapshot = Snapshot(
        snapshot_id, Path("/nowhere") / snapshot_id, {"parquet_sha256": {"t": checksum}}
    )
    return Forecasts(_Warehouse(), snapshot, "371")  # type: ignore[arg-type]


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every simulation run: (tables read, origin, horizon, adjustments); the cache starts
    empty."""
    monkeypatch.setattr(forecasting, "_CACHE", SingleFlight(8))
    monkeypatch.setattr(forecasting, "read_history", lambda tables, _la, _map: tables)
    monkeypatch.setattr(forecasting, "fit", lambda history, origin: (history, origin))
    calls: list[tuple[Any, ...]] = []

    def simulate(model: Any, horizon: int, *, paths: int, adjustments: Any) -> object:
        calls.append((*model, horizon, adjustments))
        return object()

    monkeypatch.setattr(forecasting, "simulate", simulate)
    return calls


def test_two_scenarios_are_simulated_at_the_same_time(simulated, monkeypatch):
    # Each simulation waits at the barrier until the other arrives: under one lock around
    # the computations the second could never start, and the barrier would break.
    both = threading.Barrier(2, timeout=WAIT)
    counted = forecasting.simulate

    def simulate(*args: Any, **kwargs: Any) -> object:
        both.wait()
        return counted(*args, **kwargs)

    monkeypatch.setattr(forecasting, "simulate", simulate)
    forecasts = _forecasts()
    more = Adjustments(entry={ALL: 1.1})
    one, one_out = _thread(forecasts.projection, ORIGIN, 24, None)
    two, two_out = _thread(forecasts.projection, ORIGIN, 24, more)
    one.join(WAIT)
    two.join(WAIT)
    assert "error" not in one_out and "error" not in two_out, (one_out, two_out)
    assert one_out["value"] is not two_out["value"]
    assert sorted(adjustments is None for *_run, adjustments in simulated) == [False, True]


def test_one_scenario_asked_for_at_once_is_simulated_once(simulated, monkeypatch):
    started, release, second_waiting = threading.Event(), threading.Event(), threading.Event()
    counted = forecasting.simulate

    def simulate(*args: Any, **kwargs: Any) -> object:
        started.set()
        assert release.wait(WAIT)
        return counted(*args, **kwargs)

    monkeypatch.setattr(forecasting, "simulate", simulate)
    forecasts = _forecasts()
    first, first_out = _thread(forecasts.projection, ORIGIN, 24, None)
    assert started.wait(WAIT)
    # The first thread is simulating: the flight says when the second starts waiting for it.
    (flight,) = (f for key, f in forecasting._CACHE._running.items() if key[0] == "projection")
    flight.finished = _Noted(second_waiting)
    second, second_out = _thread(_forecasts().projection, ORIGIN, 24, Adjustments())
    assert second_waiting.wait(WAIT), "the second request did not wait for the first"
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert "error" not in first_out and "error" not in second_out, (first_out, second_out)
    assert first_out["value"] is second_out["value"]  # no adjustments: the same key as none
    assert len(simulated) == 1


def test_a_new_snapshot_origin_or_horizon_is_simulated_afresh(simulated):
    kept = _forecasts().projection(ORIGIN, 24, None)
    assert _forecasts().projection(ORIGIN, 24, None) is kept
    _forecasts("0002", "bbb").projection(ORIGIN, 24, None)  # an upload accepted
    _forecasts().projection(dt.date(2023, 3, 31), 24, None)
    _forecasts().projection(ORIGIN, 12, None)
    assert [(tables, origin, horizon) for tables, origin, horizon, _adj in simulated] == [
        ("tables of 0001", ORIGIN, 24),
        ("tables of 0002", ORIGIN, 24),
        ("tables of 0001", dt.date(2023, 3, 31), 24),
        ("tables of 0001", ORIGIN, 12),
    ]
    assert _forecasts("0003", "aaa").projection(ORIGIN, 24, None) is kept  # same contents
