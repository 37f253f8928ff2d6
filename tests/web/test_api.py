"""The JSON API: the pages' figures as data, the workflow, OpenAPI."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from cscmonitor.assess import assess
from cscmonitor.basket import basket_results, contract_from
from cscmonitor.warehouse import Warehouse
from tests.web.conftest import token_for


@pytest.fixture
def expected(world) -> dict[str, float]:
    """The demo's contract year 1 computed outside the web app, as the CLI would."""
    terms = contract_from("doncaster-2014")
    tables = Warehouse(world.data_dir / "warehouse").tables()
    return {
        a.indicator.code: a.latest.usable_value
        for a in assess(basket_results(tables, terms), terms, year=1)
    }


def test_indicators_are_the_basket_assessed_as_the_cli_assesses_it(world, expected) -> None:
    body = world.sign_in("viewer").get("/api/indicators").json()
    assert body["la_code"] == "371" and body["year"] == 1
    got = {i["code"]: i["value"] for i in body["indicators"]}
    assert got == pytest.approx(expected)
    reref = next(i for i in body["indicators"] if i["code"] == "REREF_12M")
    # The seed's figure: 23% against a target of 25% (lower is better) is green.
    assert round(reref["value"]) == 23 and reref["target"] == 25 and reref["rag"] == "green"
    assert reref["ci_lower"] < reref["value"] < reref["ci_upper"]


def test_an_indicator_has_its_trend_and_published_benchmarks(world) -> None:
    body = world.sign_in("viewer").get("/api/indicators/REREF_12M").json()
    assert body["in_basket"]
    assert body["trend"] and all(p["period_start"] < p["period_end"] for p in body["trend"])
    year = next(b for b in body["benchmarks"] if b["year"] == "2015-16")
    # DfE's published c1 table: England 22.5% re-referrals in 2015-16.
    assert year["england"] == "22.5%"


def test_an_unknown_indicator_is_404(world) -> None:
    assert world.sign_in("viewer").get("/api/indicators/NOPE").status_code == 404


def test_explain_lists_the_records_behind_the_figure_and_is_audited(world) -> None:
    client = world.sign_in("analyst")
    body = client.get("/api/indicators/REREF_12M/explain?period=1").json()
    figure = next(
        i for i in client.get("/api/indicators").json()["indicators"] if i["code"] == "REREF_12M"
    )
    assert body["rows"] == body["denominator"] > 1000  # one row per referral in the year
    assert body["numerator"] / body["denominator"] * 100 == pytest.approx(figure["value"])
    columns = body["columns"]
    assert {"Child ID", "Counted", "Referral date"} <= set(columns)
    # Those counted come first: the first row is a re-referral.
    first = dict(zip(columns, body["records"][0], strict=True))
    assert first["Counted"] == "Yes"
    audit = world.sign_in("admin").get("/audit?entity=child_records").text
    assert "REREF_12M" in audit and "Demo Trust Analyst" in audit


def test_explain_is_paged_readable_and_downloads_every_row(world) -> None:
    client = world.sign_in("analyst")
    body = client.get("/api/indicators/REREF_12M/explain?period=1&page=2").json()
    # Over 1,000 referrals in 100s: page 2 holds rows 101 to 200.
    assert body["page"] == 2 and body["pages"] == -(-body["rows"] // 100)
    assert len(body["records"]) == 100
    cells = [cell for row in body["records"] for cell in row]
    # Dates read as dates and flags as words: no True/False, no midnight times.
    assert not any(c in ("True", "False") or "00:00:00" in c for c in cells)
    when = dict(zip(body["columns"], body["records"][0], strict=True))["Referral date"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", when)
    download = client.get("/api/indicators/REREF_12M/explain.csv?period=1")
    assert download.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == body["columns"] and len(lines) - 1 == body["rows"]
    # The page's own download is the same file.
    page = client.get("/indicators/REREF_12M/explain.csv?period=1")
    assert page.text == download.text


def test_explain_of_a_rate_lists_the_children_counted(world) -> None:
    body = world.sign_in("analyst").get("/api/indicators/REF_RATE/explain?period=1").json()
    # A rate's denominator is the population; its records are the referrals counted.
    assert body["rows"] == body["numerator"] > 0
    counted = body["columns"].index("Counted")
    assert all(r[counted] == "Yes" for r in body["records"])


def test_a_change_request_moves_through_the_workflow_by_both_parties(world) -> None:
    trust, council = world.sign_in("manager"), world.sign_in("council")

    def move(client: TestClient, to_state: str) -> Response:
        return client.post(
            "/api/change-requests/CV-2016-01/moves",
            json={"to_state": to_state, "reason": f"test: {to_state}"},
            headers={"X-CSRF-Token": token_for(client)},
        )

    assert move(council, "proposed").status_code == 409  # only the trust proposes
    assert move(trust, "proposed").json()["state_code"] == "proposed"
    assert move(trust, "agreed_in_principle").status_code == 409
    assert move(council, "agreed_in_principle").json()["state_code"] == "agreed_in_principle"
    first = move(trust, "approved").json()
    assert first["state_code"] == "agreed_in_principle"  # the trust's sign-off, waiting
    assert move(council, "approved").json()["state_code"] == "approved"
    # Approval made the change: £348,000 more on the 2015/16 budget.
    budget = next(
        b for b in council.get("/api/finance").json()["budgets"] if b["label"] == "2015/16"
    )
    assert budget["variations"][0][1] == "£348,000"


def test_the_openapi_document_is_published_and_no_page_loads_a_cdn(world) -> None:
    client = world.client()
    paths = client.get("/api/openapi.json").json()["paths"]
    wanted = {"/api/indicators", "/api/indicators/{code}", "/api/inspections"}
    assert wanted | {"/api/change-requests"} <= set(paths)
    assert client.get("/docs").status_code == 404


def test_the_inspections_api_lists_overdue_actions(world) -> None:
    body = world.sign_in("viewer").get("/api/inspections").json()
    own = {i["id"] for i in body["own"]}
    assert own and body["overdue"]
    # Every overdue action belongs to one of the contract's inspections.
    assert {item[0] for item in body["overdue"]} <= own
