"""End to end: the demo's synthetic Doncaster returns reproduce the seed's movements (±2 points)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json

import pytest
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.demo import run_demo
from cscmonitor.records.money import format_pounds
from cscmonitor.reports.context.quarterly import build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.layout.quarterly import quarterly_document
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings

# The seed annual review: baseline (Oct 2013 - Sep 2014) -> contract year 1 (Oct 2014 - Sep 2015).
SEED = {
    "REREF_12M": (38, 23),
    "CPP_REPEAT": (16, 13),
    "CLA_3PLUS": (11, 7),
    "SW_AGENCY": (18, 10),
    "SW_TURNOVER": (29, 18),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo"), seed=0)


@pytest.mark.slow
def test_demo_reproduces_the_seed_figures(demo):
    table = demo.table.set_index("indicator")
    for code, (baseline, year_one) in SEED.items():
        row = table.loc[code]
        assert row.baseline_value == pytest.approx(baseline, abs=2), code
        assert row.latest_value == pytest.approx(year_one, abs=2), code


@pytest.mark.slow
def test_demo_report_shows_computed_beside_published(demo):
    html = demo.report.read_text()
    table = demo.table.set_index("indicator")
    for code in SEED:
        assert code in html
        assert f"{table.loc[code].latest_value:.1f}%" in html
    assert "Reported" in html or "reported" in html


@pytest.mark.slow
def test_demo_writes_the_indicator_csv(demo):
    header = demo.indicators.read_text().splitlines()[0]
    assert header.startswith("indicator,la_code,period_start,period_end,numerator,denominator")


@pytest.mark.slow
def test_demo_writes_the_annual_review_in_four_formats(demo):
    assert set(demo.annual_review) == {"html", "pdf", "docx", "xlsx"}
    for path in demo.annual_review.values():
        assert path.stat().st_size > 1000, path


@pytest.mark.slow
def test_demo_signs_the_annual_review_with_the_parties_words(demo):
    """The sample narrative is written by each party's demo account, the edition moves
    draft → submitted → agreed → signed by the demo accounts, and its frozen files are the
    ones the records hold hashes of."""
    import hashlib

    from docx import Document as read_docx

    from cscmonitor.records import db, editions, narrative
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.contracts import get_contract
    from cscmonitor.settings import Settings

    assert set(demo.signed_review) >= {"html", "pdf", "docx", "xlsx"}
    data_dir = demo.report.parent / "data"
    engine = db.make_engine(db.database_url(Settings(data_dir=data_dir)))
    with db.transaction(engine, Actor("test")) as session:
        contract = get_contract(session, None)
        edition = editions.view(editions.editions_of(session, contract, "annual", 1)[0])
        missing = narrative.missing_sections(session, contract, "annual", 1)
    engine.dispose()
    assert missing == []  # every section written: signing would refuse otherwise
    assert edition.state == "signed"
    assert [m.to_state for m in edition.moves][-3:] == ["submitted", "agreed", "signed"]
    assert {m.actor for m in edition.moves} == {
        "Demo Trust Manager (manager)",
        "Demo Council Officer (council)",
    }
    assert {s.name for s in edition.signatories} == {"Jo Miller", "Colin Hilton"}
    for held in edition.files:
        if held.format in demo.signed_review:
            data = demo.signed_review[held.format].read_bytes()
            assert hashlib.sha256(data).hexdigest() == held.sha256, held.format
    # The Council's own words are in the signed document, apart from the computed text.
    text = "\n".join(p.text for p in read_docx(demo.signed_review["docx"]).paragraphs)
    assert "services for children and young people in Doncaster are improving" in text
    assert "The Council's view: Overall judgement" in text


@pytest.mark.slow
def test_demo_quarterly_pack_shows_the_forecast_overspend_and_its_split(demo):
    # The demo models the 2015/16 placement line as at 30 September 2015 (the end of contract
    # year 1's fourth quarter) at its illustrative unit costs; the pack for that quarter shows
    # it. The demo's illustrative risk share: of an overspend, the first £500,000 is split
    # 50/50 and the council bears everything beyond, so the Trust's share is half the
    # overspend up to £250,000 and the council's the rest.
    settings = Settings(data_dir=demo.report.parent / "data")
    with open_sources(settings, 1, None) as sources:
        context = build_quarterly_context(sources, 1, 4, Mode.INTERNAL)
    assert context.demand is not None
    money = context.demand.money
    assert money is not None and money.problem is None
    assert (money.budget, money.as_at) == ("2015/16", dt.date(2015, 9, 30))
    assert money.spent_to_date_pence > 0
    median, low, high = (money.line(k) for k in ("forecast", "lower80", "upper80"))
    assert low.line_outturn_pence <= median.line_outturn_pence <= high.line_outturn_pence
    assert median.variance_pence > 0  # an overspend at the median
    for line in money.lines:
        overspend = max(line.variance_pence, 0)
        trust = min(overspend, 500_000_00) // 2
        assert line.trust_pence == pytest.approx(trust, abs=1)
        assert line.council_pence + line.trust_pence == line.variance_pence
    html = html_lib.unescape(render(quarterly_document(context), "html").decode())
    overspend = format_pounds(round(median.variance_pence, -2))
    assert f"the budget shows an overspend of {overspend}" in html
    assert f"the Council's share is {format_pounds(round(median.council_pence, -2))}" in html
    assert f"the Trust's {format_pounds(round(median.trust_pence, -2))}" in html


@pytest.mark.slow
def test_forecast_outturn_on_the_demo_gives_the_demos_figures(demo):
    # `forecast outturn` and the demo call the same service: with the demo's spend to date,
    # seed and paths, the command's line outturn and Council's share at the median and the
    # 80% interval's ends are the ones the demo kept, to the penny.
    settings = Settings(data_dir=demo.report.parent / "data")
    with open_sources(settings, 1, None) as sources:
        kept = build_quarterly_context(sources, 1, 4, Mode.INTERNAL).demand
    assert kept is not None and kept.money is not None
    spent = f"{kept.money.spent_to_date_pence / 100:.2f}"
    args = ["forecast", "outturn", "--la", "371", "--budget", "2015/16"]
    args += ["--line", "Placements for children in care", "--as-at", "2015-09-30"]
    args += ["--spent", spent, "--data-dir", str(settings.data_dir), "--format", "json"]
    result = CliRunner().invoke(app, [*args, "--by", "test"])
    assert result.exit_code == 0, result.output
    rows = {row["measure"]: row for row in json.loads(result.stdout)}
    for label in ("forecast", "lower80", "upper80"):
        line = kept.money.line(label)
        assert round(rows[label]["line_outturn"] * 100) == line.line_outturn_pence
        assert round(rows[label]["council_share"] * 100) == line.council_pence
