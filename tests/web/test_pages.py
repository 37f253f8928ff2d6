"""The pages, used as people use them: forms, the validation report, the workflow, reports."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import escape

from cscmonitor.indicators.registry import all_indicators
from cscmonitor.warehouse import Warehouse
from tests.web.conftest import World, token_for


def _changed_workforce_return(world: World, tmp_path: Path) -> Path:
    """The 2015 workforce return, resubmitted without its last worker."""
    original = (world.returns_dir / "workforce" / "workforce_2015.csv").read_text()
    lines = original.rstrip("\n").split("\n")
    changed = tmp_path / "workforce_2015.csv"
    changed.write_text("\n".join(lines[:-1]) + "\n")
    return changed


def test_dashboard_shows_each_basket_indicator_as_a_tile_with_a_table(world) -> None:
    page = world.sign_in("viewer").get("/").text
    assert page.count('class="app-tile"') == 5
    assert "23.0%" in page and "govuk-tag--green" in page
    assert page.count('class="app-sparkline"') == 5
    assert "The basket as a table" in page


def test_dashboard_filters_by_domain(world) -> None:
    page = world.sign_in("viewer").get("/?domain=workforce").text
    tiles = re.findall(r'data-code="([A-Z0-9_]+)"', page)
    assert tiles == ["SW_AGENCY", "SW_TURNOVER"]


def test_indicator_page_has_chart_tables_and_commentary_history(world) -> None:
    page = world.sign_in("viewer").get("/indicators/REREF_12M").text
    assert '<svg class="app-chart"' in page and '<title id="chart-title">' in page
    assert "Rolling 12 months at each quarter end" in page
    assert "Published benchmarks" in page and "Quartile band" in page
    assert "front door" in page  # the council's commentary from the demo records
    assert "Explain this figure" not in page  # a viewer sees no child-level records


def test_commentary_is_added_for_the_users_party(world) -> None:
    client = world.sign_in("council")
    assert "Checked at QPMG." not in client.get("/indicators/CPP_REPEAT").text  # and kept
    response = client.post(
        "/indicators/CPP_REPEAT/commentary",
        data={"csrf_token": token_for(client), "period": "1", "text": "Checked at QPMG."},
    )
    assert response.status_code == 303
    page = client.get("/indicators/CPP_REPEAT").text
    assert "Checked at QPMG." in page and "Council · Demo Council Officer" in page


def test_empty_commentary_shows_an_error_summary(world) -> None:
    client = world.sign_in("council")
    response = client.post(
        "/indicators/CPP_REPEAT/commentary",
        data={"csrf_token": token_for(client), "period": "1", "text": " "},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and 'href="#text"' in response.text


def test_upload_check_accept_and_roll_back(world, tmp_path: Path) -> None:
    client = world.sign_in("manager")
    upload = _changed_workforce_return(world, tmp_path)
    response = client.post(
        "/data/uploads",
        data={"csrf_token": token_for(client), "la_code": "371"},
        files={"files": (upload.name, upload.read_bytes(), "text/csv")},
    )
    assert response.status_code == 303, response.text[:1000]
    report = client.get(response.headers["location"])
    assert "Validation report" in report.text and "Accept into a new snapshot" in report.text
    assert "workforce_2015.csv" in report.text
    warehouse = Warehouse(world.data_dir / "warehouse")
    assert warehouse.require_current().id == "0001"  # checking changed nothing
    accepted = client.post(
        response.headers["location"] + "/accept", data={"csrf_token": token_for(client)}
    )
    assert accepted.status_code == 303
    assert warehouse.require_current().id == "0002"
    assert "Accepted into snapshot 0002" in client.get("/data").text
    back = client.post("/data/snapshots/0001/rollback", data={"csrf_token": token_for(client)})
    assert back.status_code == 303
    assert warehouse.require_current().id == "0001"
    audit = world.sign_in("admin").get("/audit").text
    assert all(action in audit for action in ("upload", "accept", "rollback"))


def test_an_upload_that_is_not_a_return_is_reported_not_loaded(world) -> None:
    client = world.sign_in("analyst")
    response = client.post(
        "/data/uploads",
        data={"csrf_token": token_for(client), "la_code": "371"},
        files={"files": ("notes.csv", b"colour,shape\nred,round\n", "text/csv")},
    )
    page = client.get(response.headers["location"]).text
    assert "failed" in page and "not a return cscmonitor recognises" in page
    assert "Accept into a new snapshot" not in page


def test_a_file_name_with_a_path_is_refused(world) -> None:
    client = world.sign_in("analyst")
    response = client.post(
        "/data/uploads",
        data={"csrf_token": token_for(client)},
        files={"files": ("../../etc/passwd", b"x", "text/plain")},
    )
    assert response.status_code == 400
    assert "upload CIN census" in response.text


def test_change_request_workflow_through_the_pages(world) -> None:
    trust, council = world.sign_in("manager"), world.sign_in("council")
    page = trust.get("/change-requests/CV-2016-01").text
    assert 'value="proposed"' in page
    assert 'value="proposed"' not in council.get("/change-requests/CV-2016-01").text
    trust.post(
        "/change-requests/CV-2016-01/moves",
        data={"csrf_token": token_for(trust), "to_state": "proposed", "reason": "Ready."},
    )
    page = council.get("/change-requests/CV-2016-01").text
    assert "Proposed" in page and 'value="agreed_in_principle"' in page
    refused = council.post(
        "/change-requests/CV-2016-01/moves",
        data={"csrf_token": token_for(council), "to_state": "implemented", "reason": "Skip."},
    )
    assert refused.status_code == 400 and "cannot move to implemented" in refused.text


def test_drafting_a_service_transfer(world) -> None:
    client = world.sign_in("analyst")
    response = client.post(
        "/change-requests",
        data={
            "csrf_token": token_for(client),
            "reference": "NCR-2017-09",
            "kind": "service_transfer",
            "title": "Bring the edge of care service in",
            "effective_date": "2017-04-01",
            "service": "Edge of care",
            "direction": "in",
        },
    )
    assert response.status_code == 303
    page = client.get("/change-requests/NCR-2017-09").text
    assert "Edge of care into scope from 1 April 2017" in page and "Draft" in page


def test_forecast_shows_the_risk_share(world) -> None:
    client = world.sign_in("council")
    response = client.post(
        "/finance/forecasts",
        data={
            "csrf_token": token_for(client),
            "budget": "2016/17",
            "quarter": "1",
            "spend": "43,000,000",
            "as_at": "2016-06-30",
        },
    )
    assert response.status_code == 303, response.text[:2000]
    page = client.get("/finance").text
    assert "Quarter 1 forecast (30 June 2016)" in page


def test_action_progress_is_recorded(world) -> None:
    client = world.sign_in("analyst")
    page = client.get("/inspections").text
    found = re.search(r'href="/inspections/(\d+)"', page)
    assert found is not None
    inspection = found.group(1)
    detail = client.get(f"/inspections/{inspection}").text
    action = re.search(r'action="/inspections/actions/(\d+)/progress"', detail)
    assert action is not None
    response = client.post(
        f"/inspections/actions/{action.group(1)}/progress",
        data={"csrf_token": token_for(client), "note": "Audit done.", "status": "in_progress"},
    )
    assert response.status_code == 303
    assert "Audit done." in client.get(f"/inspections/{inspection}").text


def test_report_download_is_the_summary_and_is_audited(world) -> None:
    client = world.sign_in("viewer")
    assert 'action="/reports/download"' in client.get("/reports").text
    response = client.get("/reports/download?report=summary&format=html&year=1")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert "Summary of the Trust" in response.text
    assert "export" in world.sign_in("admin").get("/audit?entity=report").text


def test_the_annual_review_downloads_as_a_word_document(world) -> None:
    client = world.sign_in("council")
    response = client.get("/reports/download?report=annual&format=docx&year=1&mode=publication")
    assert response.status_code == 200, response.text[:500]
    assert response.content[:2] == b"PK"  # a DOCX is a zip
    assert "annual-year-1-publication" in response.headers["content-disposition"]


def test_a_quarterly_report_without_its_quarter_says_so(world) -> None:
    response = world.sign_in("viewer").get("/reports/download?report=quarterly&year=1")
    assert response.status_code == 400 and "needs a quarter" in response.text


def test_an_unknown_report_or_format_is_404(world) -> None:
    client = world.sign_in("viewer")
    assert client.get("/reports/download?report=nope").status_code == 404
    assert client.get("/reports/download?report=summary&format=pdf").status_code == 404


def test_admin_creates_an_account_that_can_sign_in(world) -> None:
    admin = world.sign_in("admin")
    response = admin.post(
        "/users",
        data={
            "csrf_token": token_for(admin),
            "username": "jo.bloggs",
            "full_name": "Jo Bloggs",
            "role": "council_officer",
            "password": "a long enough secret",
        },
    )
    assert response.status_code == 303
    client = world.sign_in("jo.bloggs", "a long enough secret")
    assert client.get("/api/me").json()["role"] == "council_officer"


def test_the_last_administrator_cannot_be_removed(world) -> None:
    admin = world.sign_in("admin")
    page = admin.get("/users").text
    found = re.search(r'action="/users/(\d+)"', page)
    assert found is not None
    admin_id = found.group(1)
    response = admin.post(
        f"/users/{admin_id}", data={"csrf_token": token_for(admin), "role": "viewer"}
    )
    assert response.status_code == 400 and "at least one active administrator" in response.text


def test_every_indicator_has_a_page_and_an_explanation(world) -> None:
    # Percentages, rates, mean days, a ratio and a count: each unit's page, API figure and
    # records render from the demo's returns.
    analyst = world.sign_in("analyst")
    for ind in all_indicators():
        page = analyst.get(f"/indicators/{ind.code}")
        assert page.status_code == 200, ind.code
        # Titles are escaped as any text is ("children's homes").
        assert escape(ind.title) in page.text
        assert "Rolling 12 months at each quarter end" in page.text
        body = analyst.get(f"/api/indicators/{ind.code}").json()
        # A factor the census collects only from 2020-21 has no value in the demo's years.
        assert body["trend"] or ind.collected_from is not None, ind.code
        explained = analyst.get(f"/indicators/{ind.code}/explain?period=1")
        assert explained.status_code == 200, ind.code
