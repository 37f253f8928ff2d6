"""The quarterly performance report: figures at the quarter's end from the engine, exceptions
first, money and action plans from the records as at the quarter's end."""

from __future__ import annotations

import io
from importlib import resources

import pytest
import yaml
from docx import Document as read_docx
from openpyxl import load_workbook
from pypdf import PdfReader

from cscmonitor.assess import RAG, Travel
from cscmonitor.indicators.engine import compute
from cscmonitor.periods import twelve_months_to
from cscmonitor.records import finance, inspections
from cscmonitor.records.basket import commentary_for
from cscmonitor.reports.context.quarterly import QuarterlyContext, build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.context.timing import contract_quarter
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.layout.quarterly import quarterly_document
from cscmonitor.reports.render import formats, render
from cscmonitor.settings import Settings
from cscmonitor.terms import load_packaged_contract


def test_contract_quarters() -> None:
    terms = load_packaged_contract("doncaster-2014")
    first, last = contract_quarter(terms, 1, 1), contract_quarter(terms, 2, 4)
    assert (first.start.isoformat(), first.end.isoformat()) == ("2014-10-01", "2014-12-31")
    assert (last.start.isoformat(), last.end.isoformat()) == ("2016-07-01", "2016-09-30")
    with pytest.raises(ValueError, match="quarter is 1 to 4"):
        contract_quarter(terms, 1, 5)


@pytest.fixture(scope="module")
def strict_contract(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo contract with a CPP_REPEAT target no figure meets, so it is an exception."""
    packaged = resources.files("cscmonitor").joinpath("contracts", "doncaster-2014.yaml")
    data = yaml.safe_load(packaged.read_text(encoding="utf-8"))
    for entry in data["basket"]:
        if entry["indicator"] == "CPP_REPEAT":
            entry["target"], entry["tolerance"] = 1, 0.5
    path = tmp_path_factory.mktemp("contract") / "strict.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def quarter(demo_settings: Settings, strict_contract: str) -> QuarterlyContext:
    with open_sources(demo_settings, 2, strict_contract) as sources:
        return build_quarterly_context(sources, 2, 2, Mode.INTERNAL)


def test_figures_are_the_twelve_months_to_the_quarter_end(
    demo_settings: Settings, quarter: QuarterlyContext, strict_contract: str
) -> None:
    with open_sources(demo_settings, 2, strict_contract) as sources:
        latest = twelve_months_to(contract_quarter(sources.terms, 2, 2).end)
        codes = [e.indicator for e in sources.terms.basket]
        results = compute(sources.tables, [latest], codes=codes, las=["371"])
    assert quarter.latest_period == latest
    values = results.set_index("indicator")
    for panel in quarter.panels:
        row = values.loc[panel.code]
        if row["status"] in ("ok", "lookback incomplete"):
            assert panel.latest.value.number == pytest.approx(row["value"])
        else:
            assert panel.latest.value.number is None and panel.latest.status == row["status"]


def test_exceptions_come_first(quarter: QuarterlyContext) -> None:
    flags = [p.exception for p in quarter.panels]
    assert flags == sorted(flags, reverse=True)
    assert quarter.panels[0].code == "CPP_REPEAT" and quarter.panels[0].rag is RAG.RED
    for panel in quarter.panels:
        assert panel.exception == (panel.rag is RAG.RED or panel.travel.travel is Travel.DECLINED)


def test_money_and_actions_are_the_records_as_at_the_quarter_end(
    demo_settings: Settings, quarter: QuarterlyContext
) -> None:
    with open_sources(demo_settings, 2) as sources:
        records, session = sources.records, sources.session
        assert records is not None and session is not None
        budget = finance.get_budget(records, "2015/16")
        forecast = finance.forecast_position(records, budget)
        overdue = inspections.overdue_actions(session, quarter.as_at, records)
        overdue_actions = sorted(a.action for a in overdue)
    assert quarter.as_at == quarter.quarter_period.end
    (position,) = quarter.money
    assert (position.budget, position.spend_pence) == ("2015/16", forecast.spend_pence)
    assert position.trust_after_pence == forecast.trust_after_pence
    shown = [a for a in quarter.actions if a.overdue]
    assert sorted(" ".join(a.action.split()) for a in shown) == sorted(
        " ".join(a.split()) for a in overdue_actions
    )
    assert shown and quarter.actions[: len(shown)] == tuple(shown)


def test_commentary_is_the_records(demo_settings: Settings) -> None:
    with open_sources(demo_settings, 1) as sources:
        context = build_quarterly_context(sources, 1, 4, Mode.INTERNAL)
        assert sources.session is not None and sources.records is not None
        held = {
            note.indicator: " ".join(note.text.split())
            for note in commentary_for(sources.session, sources.records, on=context.as_at)
        }
    assert held
    for panel in context.panels:
        assert [n.text for n in panel.commentary] == (
            [held[panel.code]] if panel.code in held else []
        )


@pytest.mark.parametrize("format", ["html", "pdf", "docx", "xlsx"])
def test_renders_in_every_format(quarter: QuarterlyContext, format: str) -> None:
    assert format in formats()
    data = render(quarterly_document(quarter), format)
    figures = [p.latest.value.text for p in quarter.panels if p.latest.value.number is not None]
    match format:
        case "html":
            text = data.decode("utf-8")
        case "pdf":
            text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
        case "docx":
            docx = read_docx(io.BytesIO(data))
            text = " ".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
            text += docx.sections[0].header.paragraphs[0].text
        case "xlsx":
            book = load_workbook(io.BytesIO(data))
            text = " ".join(
                f"{v:.1f}%" if isinstance(v, float) else str(v)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for v in row
                if v is not None
            )
    for figure in figures:
        assert figure in text
    assert quarter.marking in text


def test_one_engine_call_for_every_indicator_and_period(
    demo_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cscmonitor import figures

    calls: list[tuple[int, int]] = []
    real = figures.compute

    def counted(tables, periods, *, codes=None, las=None):  # type: ignore[no-untyped-def]
        calls.append((len(periods), len(codes or ())))
        return real(tables, periods, codes=codes, las=las)

    monkeypatch.setattr(figures, "compute", counted)
    with open_sources(demo_settings, 1) as sources:
        context = build_quarterly_context(sources, 1, 4, Mode.INTERNAL)
        months = figures.monthly_series(sources.tables, "371", context.latest_period.end)
    assert len(calls) == 1
    periods, codes = calls[0]
    assert codes == len(context.panels)
    # The trend, the baseline year, the year before the period (here the baseline year) and
    # the months of the control charts.
    year_before = figures.year_earlier(context.latest_period)
    assert year_before == context.baseline_period
    trend = {p.period for p in context.panels[0].series}
    assert periods == len({*trend, context.baseline_period, *months})
