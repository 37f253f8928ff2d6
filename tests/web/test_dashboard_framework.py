"""The dashboard grouped by National Framework outcome and enabler, beside the domain grouping."""

from __future__ import annotations

import re

from cscmonitor.indicators.framework import Framework

SECTION = re.compile(r'<h2 class="govuk-heading-m" id="framework-\d+">([^<]+)</h2>')
TILE = re.compile(r'data-code="([A-Z0-9_]+)"')


def _sections(page: str) -> list[tuple[str, list[str]]]:
    """Each outcome or enabler heading with the tiles under it, in page order."""
    parts = SECTION.split(page)[1:]  # heading, body, heading, body, ...
    return [
        (heading, TILE.findall(body.split("</section>")[0]))
        for heading, body in zip(parts[::2], parts[1::2], strict=True)
    ]


def test_the_basket_grouped_by_outcome_and_enabler(world) -> None:
    page = world.sign_in("viewer").get("/?by=framework").text
    # The demo basket, each under the outcome its registration tags it with (docs/indicators.md):
    # re-referrals are dashboard #2 (outcome 1), repeat plans #23 (outcome 2), three or more
    # placements #45 (outcome 4), agency and turnover #64 and #63 (the workforce enabler).
    assert _sections(page) == [
        (Framework.STAY_TOGETHER.label, ["REREF_12M"]),
        (Framework.SAFE.label, ["CPP_REPEAT"]),
        (Framework.STABLE_HOMES.label, ["CLA_3PLUS"]),
        (Framework.WORKFORCE.label, ["SW_AGENCY", "SW_TURNOVER"]),
    ]
    assert Framework.SAFE.description in page
    # The toggle marks the grouping shown, and the filter offers the outcomes and enablers.
    assert re.search(r'by=framework" aria-current="page">National Framework', page)
    assert "framework=stable-homes" in page and "domain=workforce" not in page


def test_the_dashboard_filters_by_one_outcome_or_enabler(world) -> None:
    client = world.sign_in("viewer")
    page = client.get("/?framework=workforce").text
    assert _sections(page) == [(Framework.WORKFORCE.label, ["SW_AGENCY", "SW_TURNOVER"])]
    # The year form keeps the filter, so changing the year stays on the enabler.
    assert '<input type="hidden" name="framework" value="workforce">' in page
    # An outcome the basket has nothing under shows the whole basket, not an empty page.
    every = client.get("/?by=framework&framework=family-network").text
    assert len(TILE.findall(every)) == 5


def test_the_domain_grouping_stays_the_default(world) -> None:
    page = world.sign_in("viewer").get("/").text
    assert not SECTION.search(page)
    assert re.search(r'aria-current="page">Domain</a>', page)
    assert len(TILE.findall(page)) == 5


def test_the_indicator_list_names_each_indicators_outcome_or_enabler(world) -> None:
    page = world.sign_in("viewer").get("/indicators").text
    row = re.search(r"<td[^>]*>CPP_REPEAT</td>(.*?)</tr>", page, re.S)
    assert row is not None and Framework.SAFE.label in row.group(1)


def test_the_api_names_each_indicators_outcome_or_enabler(world) -> None:
    client = world.sign_in("viewer")
    listed = {i["code"]: i["framework"] for i in client.get("/api/indicators").json()["indicators"]}
    assert listed["CLA_3PLUS"] == Framework.STABLE_HOMES.label
    assert listed["SW_AGENCY"] == Framework.WORKFORCE.label
    detail = client.get("/api/indicators/CPP_REPEAT").json()
    assert detail["framework"] == Framework.SAFE.label
