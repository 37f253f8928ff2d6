"""Demand and cost: the forecast's fan charts, scenarios, unit costs and backtest."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cscmonitor.forecast import store
from cscmonitor.forecast.adjust import ALL, AdjustmentError, Adjustments, Transition
from cscmonitor.forecast.costs import CostError, Rate, read_rates
from cscmonitor.forecast.history import NoHistory
from cscmonitor.forecast.states import CATEGORIES
from cscmonitor.records.errors import RecordsError
from cscmonitor.returns.issues import ReturnError
from cscmonitor.web import forecasting
from cscmonitor.web.deps import AppDep, RecordsDep, UserView, VisitDep, flash, require
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render

router = APIRouter()
COMPARED_AT_MOST = 8  # scenarios set side by side on the page
OUTCOMES = ("leave care", *CATEGORIES)


@dataclass(frozen=True)
class ScenarioView:
    name: str
    adjustments: str
    created_by: str
    created_at: str
    snapshot_id: str
    note: str
    stale: str


def describe(adjustments: Adjustments) -> str:
    """The factors in words: `entry all ×1.1; residential → fostering ×1.5; costs all ×1.05`."""
    parts = [f"entry {band} ×{f:g}" for band, f in adjustments.entry.items()]
    parts += [f"{t.source} → {t.outcome} ×{t.factor:g}" for t in adjustments.transitions]
    parts += [f"costs {c} ×{f:g}" for c, f in adjustments.unit_costs.items()]
    return "; ".join(parts) or "no adjustments (the baseline)"


def _day(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RecordsError(f"Enter the origin as a date, like 2015-03-31, not {text!r}") from None


def _page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    *,
    scenario: str | None = None,
    origin: str | None = None,
    horizon: int = forecasting.HORIZON,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    snapshot = app.performance.snapshot()
    with records.unit() as session:
        la_code = records.contract(session).la_code
        saved = store.scenarios(session, la_code)
        rates = store.held_rates(session, la_code)
    forecasts = forecasting.Forecasts(app.performance.warehouse, snapshot, la_code)
    chosen = next((s for s in saved if s.name == scenario), None)
    errors = list(errors or [])
    if scenario and chosen is None:
        errors.append(("scenario", f"No scenario called {scenario!r} is saved"))
    context: dict[str, object] = {
        "la_code": la_code,
        "snapshot": snapshot,
        "scenarios": [_view(s, snapshot.id) for s in saved],
        "chosen": chosen,
        "rates": rates,
        "horizon": horizon,
        "categories": CATEGORIES,
        "outcomes": OUTCOMES,
        "errors": errors,
        "paths": forecasting.PATHS,
        "problem": None,
    }
    try:
        history = forecasts.history()
        start = _day(origin, history.end)
        adjustments = chosen.adjustments if chosen else None
        projection = forecasts.projection(start, horizon, adjustments)
        context |= {
            "history": history,
            "origin": start,
            "fans": forecasting.stock_fans(forecasts, projection),
            "compared": [
                forecasting.compared(name, forecasts.projection(start, horizon, adj), rates, adj)
                for name, adj in [
                    ("Baseline", None),
                    *((s.name, s.adjustments) for s in saved[:COMPARED_AT_MOST]),
                ]
            ],
            "accuracy": forecasting.accuracy_rows(forecasts.accuracy()),
            "origins": forecasting.backtest_origins(history),
        }
        try:
            spending = forecasting.spend_fan(projection, rates, adjustments) if rates else None
            context |= {"spend": spending, "spend_problem": None}
        except CostError as exc:
            context["spend"], context["spend_problem"] = None, str(exc)
    except (NoHistory, RecordsError) as exc:
        context["problem"] = str(exc)
    return render(request, app, current, "forecast.html", status_code=status_code, **context)


def _view(saved: store.Scenario, current_snapshot: str) -> ScenarioView:
    return ScenarioView(
        saved.name,
        describe(saved.adjustments),
        saved.created_by,
        f"{saved.created_at:%d %B %Y %H:%M}",
        saved.snapshot_id,
        saved.note or "",
        saved.stale_note(current_snapshot) or "",
    )


@router.get("/forecast", response_class=HTMLResponse, include_in_schema=False)
def forecast_page(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_GOVERNANCE)],
    scenario: Annotated[str | None, Query(max_length=100)] = None,
    origin: Annotated[str | None, Query(max_length=10)] = None,
    horizon: Annotated[int, Query(ge=1, le=60)] = forecasting.HORIZON,
) -> HTMLResponse:
    return _page(request, app, current, records, scenario=scenario, origin=origin, horizon=horizon)


def _factor(text: str, field: str, errors: list[tuple[str, str]]) -> float | None:
    """A factor from a form field: blank is none; anything else a number 0 or above."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append((field, f"Enter the factor as a number, like 1.1, not {text!r}"))
        return None
    if not value >= 0:
        errors.append((field, "A factor must be 0 or above"))
    return value


@router.post("/forecast/scenarios", include_in_schema=False)
def save_scenario(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EDIT_FORECAST)],
    name: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    entry: Annotated[str, Form(max_length=20)] = "",
    transition_from: Annotated[str, Form(max_length=20)] = ALL,
    transition_to: Annotated[str, Form(max_length=20)] = "leave care",
    transition: Annotated[str, Form(max_length=20)] = "",
    cost_category: Annotated[str, Form(max_length=20)] = ALL,
    cost: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Save (or replace) a named scenario: a factor on the entry rate of every age band, on
    one transition, and on the unit costs of one category (or all)."""
    errors: list[tuple[str, str]] = []
    if not name.strip():
        errors.append(("name", "Enter a name for the scenario"))
    entry_factor = _factor(entry, "entry", errors)
    move = _factor(transition, "transition", errors)
    cost_factor = _factor(cost, "cost", errors)
    adjustments = None
    if not errors:
        try:
            adjustments = Adjustments(
                entry={} if entry_factor is None else {ALL: entry_factor},
                transitions=()
                if move is None
                else (Transition(transition_from, transition_to, move),),
                unit_costs={} if cost_factor is None else {cost_category: cost_factor},
            )
        except AdjustmentError as exc:
            errors.append(("transition", str(exc)))
    if errors or adjustments is None:
        return _page(request, app, current, records, errors=errors, status_code=400)
    snapshot = app.performance.snapshot()
    with records.unit() as session:
        la_code = records.contract(session).la_code
        saved = store.save_scenario(
            session,
            la_code,
            name,
            adjustments,
            snapshot.id,
            f"{user.full_name} ({user.username})",
            note.strip() or None,
        )
    flash(app, current, f"Scenario {saved.name!r} saved on snapshot {saved.snapshot_id}")
    return RedirectResponse(f"/forecast?scenario={quote(saved.name)}#scenarios", status_code=303)


@router.post("/forecast/costs", include_in_schema=False)
def import_costs(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.EDIT_FORECAST)],
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Unit costs from a CSV file; a file with any bad row changes nothing and the page
    names the row and field."""
    rates: list[Rate] = []
    errors: list[tuple[str, str]] = []
    if file is None or not file.filename:
        errors.append(("costs-file", "Select a CSV file of unit costs"))
    else:
        try:
            rates = read_rates(io.BytesIO(file.file.read()), file.filename)
        except ReturnError as exc:
            errors.append(("costs-file", str(exc)))
        if not errors and not rates:
            errors.append(("costs-file", f"{file.filename}: no rates in the file"))
    if errors or file is None:
        return _page(request, app, current, records, errors=errors, status_code=400)
    with records.unit() as session:
        count = store.import_rates(
            session, records.contract(session).la_code, rates, file.filename or "upload"
        )
    flash(app, current, f"{count} unit costs imported from {file.filename}")
    return RedirectResponse("/forecast#costs", status_code=303)
