"""Control charts on the web (issue 19 item 3) and a missing return named (issue 13).

The figure model carries each figure's control chart and its two icons (variation and
assurance) with their words; the API's records, the indicator page and the dashboard render
them and never judge anew. On the demo (synth/scenarios/doncaster-2014.yaml) re-referrals
step down from 38% to 23% of referrals on 1 October 2014, the Trust's start: the control
chart rebases there and flags the new phase's first 7 months (all below the old mean) as an
improvement.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil

from cscmonitor.figures import Figure, contract_year_figures
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse
from cscmonitor.web.charts import BLUE
from tests import test_warehouse

MONTH = re.compile(r"^[A-Z][a-z]{2} \d{4}$")
ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _control_rows(page: str) -> list[list[str]]:
    """The rows of the control chart's table: 7 cells, the first a month (`Oct 2014`)."""
    rows = []
    for row in ROW.findall(page):
        cells = [_text(re.sub(r"<[^>]+>", "", c)).strip() for c in CELL.findall(row)]
        if len(cells) == 7 and MONTH.match(cells[0]):
            rows.append(cells)
    return rows


def _model(world, year: int, as_at: dt.date) -> tuple[Figure, ...]:
    with open_sources(Settings(data_dir=world.data_dir), year) as sources:
        return contract_year_figures(
            sources.tables,
            sources.terms,
            year,
            as_at=as_at,
            published=sources.published,
            change_points=sources.phases(),
        )


def test_the_model_the_api_and_the_pages_say_the_same(world) -> None:
    client = world.sign_in("analyst")
    api = client.get("/api/figures").json()
    year, as_at = api["year"], dt.date.fromisoformat(api["as_at"])
    query = f"year={year}&as_at={as_at.isoformat()}"
    model = _model(world, year, as_at)
    # The API's records are the model's, SPC fields included.
    assert api["figures"] == [f.record() for f in model]
    summaries = {s["code"]: s for s in client.get(f"/api/indicators?{query}").json()["indicators"]}
    dashboard = _text(client.get(f"/?{query}").text)
    for f in model:
        assert f.control.charted, f"{f.code}: the demo has sound monthly figures"
        record = f.record()
        assert (record["variation"], record["assurance"]) == (
            f.control.variation or None,
            f.control.assurance or None,
        )
        assert (summaries[f.code]["variation"], summaries[f.code]["assurance"]) == (
            record["variation"],
            record["assurance"],
        )
        detail = client.get(f"/api/indicators/{f.code}?{query}").json()
        assert (detail["variation"], detail["assurance"]) == (f.variation_text, f.assurance_text)
        page = client.get(f"/indicators/{f.code}?{query}").text
        assert f.variation_text in _text(page) and f.assurance_text in _text(page)
        assert f.variation_text in dashboard and f.assurance_text in dashboard
        # The page's table under the chart is the model's chart, point for point.
        points = f.control.points
        rows = _control_rows(page)
        assert [r[0] for r in rows] == [f"{d:%b %Y}" for d in points["period_end"]]
        assert [r[5] for r in rows] == [s.capitalize() or "None" for s in points["signal"]]
        assert [r[6] for r in rows] == list(points["signal_rule"])
        assert [[c["month"], c["signal"], c["rule"]] for c in detail["control"]] == [
            [r[0], r[5], r[6]] for r in rows
        ]


def test_the_re_referral_fall_after_the_trust_s_start_is_an_improvement(world) -> None:
    client = world.sign_in("analyst")
    detail = client.get("/api/indicators/REREF_12M?year=1").json()
    points = detail["control"]
    before = [
        p for p in points if dt.datetime.strptime(p["month"], "%b %Y") < dt.datetime(2014, 10, 1)
    ]
    after = [
        p for p in points if dt.datetime.strptime(p["month"], "%b %Y") >= dt.datetime(2014, 10, 1)
    ]
    # April 2013 (the first month with 12 months of referrals behind it) to September 2014,
    # then October 2014 to September 2015 (contract year 1): 18 + 12 points.
    assert (before[0]["month"], len(before), len(after)) == ("Apr 2013", 18, 12)
    assert {p["phase"] for p in before} == {"series start"}
    assert {p["phase"] for p in after} == {"contract start (from 1 October 2014)"}
    # Before: a stable process near 38%, no special cause.
    assert {p["signal"] for p in before} == {"None"}
    # After: the first 7 months all sit below the old phase's mean, a shift at the change
    # point, which lower-is-better reads as an improvement.
    assert [p["signal"] for p in after[:7]] == ["Improvement"] * 7
    assert all("shift at change point" in p["rule"] for p in after[:7])
    page = client.get("/indicators/REREF_12M?year=1").text
    assert _control_rows(page)[18][0] == "Oct 2014"
    assert [r[5] for r in _control_rows(page)][18:25] == ["Improvement"] * 7
    # The chart draws each improving month as a blue triangle, and one more in its legend.
    triangles = re.findall(rf'<polygon points="[^"]+" fill="{BLUE}"/>', page)
    improving = sum(p["signal"] == "Improvement" for p in points)
    assert len(triangles) == improving + 1
    assert "Special cause: improvement" in page
    assert "contract start (from 1 October 2014)" in page


def test_the_dashboard_lists_the_latest_month_s_special_causes_first(world) -> None:
    client = world.sign_in("analyst")
    records = client.get("/api/figures").json()["figures"]
    page = client.get("/").text
    section = page[page.index('id="special-causes"') : page.index('class="app-tiles"')]
    rows = [
        [_text(re.sub(r"<[^>]+>", "", c)).strip() for c in CELL.findall(r)]
        for r in ROW.findall(section)
        if "<td" in r  # not the header row
    ]
    flagged = [r for r in records if r["spc_signal"]]
    # On the demo some indicators' latest month is a special cause (the model says which):
    # each is listed with its month, signal and rule, and no other indicator is.
    assert flagged, "the demo has special causes in its latest month"
    assert sorted(r[3] for r in rows) == sorted(r["spc_rule"] for r in flagged)
    assert {r[2] for r in rows} == {r["spc_signal"].capitalize() for r in flagged}
    assert len(rows) == len(flagged)
    assert page.index('id="special-causes"') < page.index('class="app-tiles"')


def test_the_dashboard_names_a_missing_return(world) -> None:
    """Hand-made CIN census returns of LA 371 for 2013, 2014 and 2016 but not 2015 (the
    children of tests/test_warehouse.py::TestMissingYear): the dashboard names the 2015 one."""
    warehouse_dir = world.data_dir / "warehouse"
    shutil.rmtree(warehouse_dir)
    Warehouse(warehouse_dir).ingest(test_warehouse.TestMissingYear().returns(2013, 2014, 2016))
    client = world.sign_in("analyst")
    page = _text(client.get("/?year=1").text)
    assert (
        "The CIN census return for 2015 (LA 371) is not held, though earlier and later ones "
        "are: the earlier return's open rows are kept as they were, and figures reaching "
        'into its year have status "return missing".'
    ) in page
    assert "CIN census return for 2014" not in page and "2016 (LA 371) is not held" not in page
