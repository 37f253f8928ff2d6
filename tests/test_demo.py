"""End to end: the demo's synthetic Doncaster returns reproduce the seed's movements (±2 points)."""

from __future__ import annotations

import pytest

from cscmonitor.demo import run_demo

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
