"""The forecast page: who may see and change it, scenarios saved through it, unit costs
imported from a CSV upload (a bad row named by row and field, nothing imported)."""

from __future__ import annotations

import pytest

from cscmonitor.forecast import store
from cscmonitor.forecast.adjust import Adjustments, Transition
from cscmonitor.records import db
from cscmonitor.records.audit import Actor
from cscmonitor.web.permissions import Role
from tests.web.conftest import ROLE_USERS, World, csrf_of

EDITORS = (Role.TRUST_ANALYST, Role.TRUST_MANAGER, Role.COUNCIL_OFFICER)
READERS = (Role.VIEWER, Role.ADMIN)  # board members read; an administrator runs the service
HEADER = "category,provider,effective_from,weekly_cost,inflation_percent\n"


def _held(world: World) -> tuple[list, list]:
    with db.transaction(world.app.state.web.engine, Actor("test")) as session:
        return store.scenarios(session, "371"), store.held_rates(session, "371")


def test_every_role_sees_the_page_and_only_editors_change_it(world: World) -> None:
    for role in (*EDITORS, *READERS):
        client = world.sign_in(ROLE_USERS[str(role)])
        page = client.get("/forecast")
        assert page.status_code == 200, (role, page.text[:300])
        # The demo's returns run to 31 March 2016: the forecast starts there, with a fan
        # per category and for all children, and the backtest beside the naive forecast.
        assert "Forecast from 2016-03-31" in page.text
        # The demo holds its illustrative unit costs: a spend fan beside the five.
        assert page.text.count('class="app-chart"') == 6
        assert "£3,000.00" in page.text  # the demo's children's home rate
        assert "Naive MAPE" in page.text
        editor = role in EDITORS
        assert ('action="/forecast/scenarios"' in page.text) is editor
        assert ('action="/forecast/costs"' in page.text) is editor
        token = csrf_of(page.text)
        saved = client.post("/forecast/scenarios", data={"csrf_token": token, "name": str(role)})
        assert saved.status_code == (303 if editor else 403), role
    names = [s.name for s in _held(world)[0]]
    assert names == sorted(str(r) for r in EDITORS)


def test_a_scenario_saved_through_the_page_round_trips(world: World) -> None:
    client = world.sign_in(ROLE_USERS["trust_analyst"])
    token = csrf_of(client.get("/forecast").text)
    form = {
        "csrf_token": token,
        "name": "step-down",
        "entry": "1.1",
        "transition_from": "residential",
        "transition_to": "fostering",
        "transition": "1.5",
        "cost_category": "residential",
        "cost": "0.95",
        "note": "More step-downs to fostering",
    }
    response = client.post("/forecast/scenarios", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == "/forecast?scenario=step-down#scenarios"
    (saved,), _ = _held(world)
    assert saved.adjustments == Adjustments(
        entry={"all": 1.1},
        transitions=(Transition("residential", "fostering", 1.5),),
        unit_costs={"residential": 0.95},
    )
    assert saved.note == "More step-downs to fostering"
    assert saved.created_by.endswith("(analyst)")
    page = client.get("/forecast?scenario=step-down").text
    assert "under scenario <strong>step-down</strong>" in page
    assert "entry all ×1.1; residential → fostering ×1.5; costs residential ×0.95" in page
    # Once in the saved list and once side by side with the baseline.
    assert page.count('<td class="govuk-table__cell">step-down</td>') == 2
    assert '<td class="govuk-table__cell">Baseline</td>' in page
    bad = client.post("/forecast/scenarios", data={**form, "transition": "lots"})
    assert bad.status_code == 400
    assert "Enter the factor as a number, like 1.1, not &#39;lots&#39;" in bad.text


def test_a_unit_cost_csv_upload_imports_and_a_bad_row_is_named(world: World) -> None:
    client = world.sign_in(ROLE_USERS["council_officer"])
    token = csrf_of(client.get("/forecast").text)
    demo = _held(world)[1]  # the demo's illustrative rates, from 1 April 2015
    bad = HEADER + "fostering,all,2010-04-01,800,2\nresidential,PR9,2010-04-01,4000,3\n"
    response = client.post(
        "/forecast/costs",
        data={"csrf_token": token},
        files={"file": ("costs.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 400
    # Row 3 of the file (the header is row 1): its provider is not a PLACE_PROVIDER code.
    assert "costs.csv row 3 field provider: &#39;PR9&#39; is not one of" in response.text
    assert _held(world)[1] == demo  # the good first row was not imported either
    good = (
        HEADER + "fostering,all,2010-04-01,800,2\nresidential,all,2010-04-01,4000,3\n"
        "supported,all,2010-04-01,1500,0\nother,all,2010-04-01,1000,0\n"
    )
    response = client.post(
        "/forecast/costs",
        data={"csrf_token": token},
        files={"file": ("costs.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 303
    rates = [r for r in _held(world)[1] if r not in demo]
    assert [(r.category, r.weekly_pence, r.inflation_bp) for r in rates] == [
        ("fostering", 800_00, 200),
        ("other", 1000_00, 0),
        ("residential", 4000_00, 300),
        ("supported", 1500_00, 0),
    ]
    page = client.get("/forecast").text
    assert page.count('class="app-chart"') == 6  # with unit costs, the spend fan
    assert "£4,000.00" in page


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_import_unit_costs(world: World, role: Role) -> None:
    client = world.sign_in(ROLE_USERS[str(role)])
    token = csrf_of(client.get("/forecast").text)
    demo = _held(world)[1]
    response = client.post(
        "/forecast/costs",
        data={"csrf_token": token},
        files={"file": ("costs.csv", (HEADER + "fostering,all,2010-04-01,800,2\n").encode())},
    )
    assert response.status_code == 403
    assert _held(world)[1] == demo
