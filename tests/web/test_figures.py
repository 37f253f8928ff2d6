"""One figure, one story: the figure model against every surface that shows it (issue 13).

For every basket indicator and every contract year of the demo, the figure model built here on
its own is compared with the API's answer, the CLI's, the dashboard and indicator pages, the
summary, the quarterly, annual and corporate parenting contexts and the annual review's XLSX
cells. Any disagreement fails. Also: a report without figures is refused (or drafted), and
overdue actions are judged as at the date asked for.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re

import openpyxl
import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app as cli_app
from cscmonitor.figures import Figure, contract_year_figures
from cscmonitor.reports.context.annual import build_annual_context, review_date
from cscmonitor.reports.context.corporate_parenting import build_corporate_parenting_context
from cscmonitor.reports.context.quarterly import build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings


def _model(settings: Settings, year: int, as_at: dt.date) -> tuple[Figure, ...]:
    with open_sources(settings, year) as sources:
        return contract_year_figures(
            sources.tables, sources.terms, year, as_at=as_at, published=sources.published
        )


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def test_every_surface_tells_the_model_s_story(world) -> None:
    settings = Settings(data_dir=world.data_dir)
    client = world.sign_in("analyst")
    years = client.get("/api/indicators").json()["years"]
    assert years, "the demo holds at least one whole contract year"
    for year in years:
        with open_sources(settings, year) as sources:
            as_at = review_date(sources.terms.contract_year(year).end)
        model = _model(settings, year, as_at)
        records = [f.record() for f in model]
        assert [r["indicator"] for r in records] == [
            "REREF_12M",
            "CPP_REPEAT",
            "CLA_3PLUS",
            "SW_AGENCY",
            "SW_TURNOVER",
        ]
        query = f"year={year}&as_at={as_at.isoformat()}"

        # The API and the CLI: the same records, key for key and value for value.
        api = client.get(f"/api/figures?{query}").json()
        assert api["as_at"] == as_at.isoformat() and api["figures"] == records
        printed = CliRunner().invoke(
            cli_app,
            [
                "figures",
                "--data-dir",
                str(world.data_dir),
                "--contract-year",
                str(year),
                "--as-at",
                as_at.isoformat(),
                "--format",
                "json",
            ],
        )
        assert printed.exit_code == 0, printed.output
        assert json.loads(printed.stdout) == records
        listed = client.get(f"/api/indicators?{query}").json()["indicators"]
        for item, f in zip(listed, model, strict=True):
            assert (item["code"], item["value"]) == (f.code, f.latest.usable_value)
            assert item["rag"] == str(f.rag)
            assert item["travel_text"] == f.travel_text

        # The dashboard's tiles and the indicator pages show the model's words.
        dashboard = client.get(f"/?{query}").text
        tiles = dict(
            re.findall(r'<li class="app-tile" data-code="(\w+)">(.*?)</li>', dashboard, re.S)
        )
        for f in model:
            tile = _text(tiles[f.code])
            for words in (f.value_text(), f.rag_text, f.travel_text, f.target_text):
                assert words in tile, (year, f.code, words)
            page = _text(client.get(f"/indicators/{f.code}?{query}").text)
            for words in (
                f.value_text(),
                f.interval_text(),
                f.rag_text,
                f.travel_text,
                f.travel_last_text,
                f.band_text,
                *f.outlook_texts,
            ):
                assert words in page, (year, f.code, words)
            detail = client.get(f"/api/indicators/{f.code}?{query}").json()
            assert detail["figure"] == f.record() and detail["quartile_band"] == f.band_text

        # The summary (HTML) prints the same figures and travel.
        summary = _text(client.get(f"/reports/download?report=summary&format=html&{query}").text)
        for f in model:
            assert f.value_text() in summary and f.travel_text in summary

        # Every report context renders the same figure, built the same way.
        with open_sources(settings, year) as sources:
            annual = build_annual_context(sources, year, Mode.INTERNAL, as_at=as_at)
            quarterly = build_quarterly_context(sources, year, 4, Mode.INTERNAL, as_at=as_at)
            pack = build_corporate_parenting_context(sources, year, Mode.INTERNAL, as_at=as_at)
        by_code = {f.code: f for f in model}
        for panel in annual.panels + quarterly.panels:
            f = by_code[panel.code]
            assert panel.figure is not None and panel.figure.record() == f.record()
            assert panel.rag is f.rag and panel.travel == f.travel
            assert panel.comparison == f.benchmark
            assert panel.latest.value.text == f.value_text()
        for panel in pack.panels:
            if panel.code in by_code:  # a year earlier, not the baseline: the other travel
                f = by_code[panel.code]
                assert panel.figure is not None and panel.figure.record() == f.record()
                assert panel.travel == f.travel_last
        for finding, f in zip(annual.findings, model, strict=True):
            assert f.travel_clause in finding.text

        # The annual review's spreadsheet: the basket table's cells are the model's.
        book = openpyxl.load_workbook(io.BytesIO(render(annual_document(annual), "xlsx")))
        summary = list(book["Summary"].iter_rows(values_only=True))
        header = next(n for n, r in enumerate(summary) if r[0] == "Indicator" and r[6] == "RAG")
        rows = {
            str(r[0]).rsplit("(", 1)[-1].rstrip(")"): r
            for r in summary[header + 1 : header + 1 + len(model)]
        }
        for f in model:
            row = rows[f.code]
            assert row[1] == pytest.approx(f.latest.value)
            assert row[4] == f.asked.target  # the contract's number, not its words
            assert (row[6], row[7]) == (f.rag_text, f.travel_text)
            assert row[11] == (f.benchmark.band or "—") and row[12] == (f.benchmark.year or "—")


def test_the_benchmark_year_is_the_same_everywhere(world) -> None:
    """CPP_REPEAT, contract year 1 (Oct 2014–Sep 2015): DfE's latest year ending by 30 September
    2015 is 2014-15 (to 31 March 2015); 2015-16 ends after the year, so it is not used."""
    client = world.sign_in("viewer")
    record = next(
        r
        for r in client.get("/api/figures?year=1&as_at=2016-01-29").json()["figures"]
        if r["indicator"] == "CPP_REPEAT"
    )
    assert record["benchmark_year"] == "2014-15" and record["benchmark_state"] == "held"
    page = _text(client.get("/indicators/CPP_REPEAT?year=1&as_at=2016-01-29").text)
    assert f"{record['quartile_band']} (DfE 2014-15; A is the best quarter)" in page


def test_overdue_actions_are_judged_as_at_the_date_asked(world) -> None:
    """The demo's action plan: due 29 Feb 2016 (not started), 31 Mar 2016 and 30 Apr 2016 (in
    progress), 31 Jul 2016 (not started), and 31 Jan 2016 (complete, never overdue)."""
    client = world.sign_in("viewer")

    def overdue(as_at: str) -> str:
        found = re.search(
            r"(\d+) inspection actions? overdue on ([^<]+)<", client.get(f"/?as_at={as_at}").text
        )
        return "none" if found is None else f"{found[1]} on {found[2]}"

    assert overdue("2016-01-30") == "none"  # nothing is past its due date yet
    assert overdue("2016-03-01") == "1 on 1 March 2016"  # the PEP audit, due 29 February
    assert overdue("2016-05-01") == "3 on 1 May 2016"  # and the two due in March and April
    assert overdue("2016-08-01") == "4 on 1 August 2016"  # and the school placements review
    api = client.get("/api/inspections?as_at=2016-05-01").json()
    assert len(api["overdue"]) == 3


def test_an_out_of_range_year_is_a_404_with_a_message(world) -> None:
    client = world.sign_in("viewer")
    page = client.get("/indicators/REREF_12M?year=9")
    assert page.status_code == 404
    assert "No figures for contract year 9" in page.text
    assert client.get("/api/figures?year=9").status_code == 404
    # A year that had not ended by the as-at date is not held as at that date.
    assert client.get("/?year=1&as_at=2015-06-30").status_code in (404, 503)


def test_a_report_without_figures_is_refused_unless_drafted(world, tmp_path) -> None:
    """Contract year 5 (Oct 2018–Sep 2019): the demo's returns end in 2016."""
    runner = CliRunner()
    args = ["report", "annual", "--contract-year", "5", "--data-dir", str(world.data_dir)]
    refused = runner.invoke(cli_app, [*args, "--output", str(tmp_path / "r.html")])
    assert refused.exit_code != 0
    message = " ".join(refused.output.split())
    assert "no figures are held for Oct 2018–Sep 2019" in message
    assert "CIN census (REREF_12M, CPP_REPEAT)" in message and "SSDA903 (CLA_3PLUS)" in message
    assert not (tmp_path / "r.html").exists()

    drafted = runner.invoke(cli_app, [*args, "--output", str(tmp_path / "d.html"), "--draft"])
    assert drafted.exit_code == 0, drafted.output
    text = _text((tmp_path / "d.html").read_text(encoding="utf-8"))
    assert "DRAFT — figures not held" in text
    # No judgement of a missing figure: no improvement, decline or change is stated.
    for judged in ("an improvement", "a decline", "larger than chance (p", "a reduction in"):
        assert judged not in text
    assert "figures not held for Oct 2018–Sep 2019, so nothing is judged" in text
