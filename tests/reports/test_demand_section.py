"""The "demand and cost" section: the modelled outturn and its risk-share split from the
records (hand-made figures), or a plain statement that none is held; in every format."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cscmonitor.forecast import outturn
from cscmonitor.periods import Period
from cscmonitor.records import finance, riskshare
from cscmonitor.records.finance import Line
from cscmonitor.reports.context.demand import (
    CategoryRow,
    DemandContext,
    budgets_for,
    modelled_money,
)
from cscmonitor.reports.demand_chart import FanChart, FanMonth
from cscmonitor.reports.document import Document, Figure, Table
from cscmonitor.reports.layout.demand import demand_blocks
from cscmonitor.reports.render.docx import render_docx
from cscmonitor.reports.render.html import render_html
from cscmonitor.reports.render.xlsx import render_xlsx

# The records fixtures: the Doncaster contract in an empty database.
from tests.records.conftest import doncaster, empty_engine, migrated_sqlite, records  # noqa: F401

K = 100_000  # £1,000 in pence
QUARTER = Period(dt.date(2015, 10, 1), dt.date(2015, 12, 31))


def _budget(session, contract):
    """A 50/50 risk share up to £500k each way, then the council all of an overspend (75% of
    an underspend back to the council); placements budget £18,600k of £42,311k."""
    finance.set_risk_share_rule(
        session,
        contract,
        "50/50 then council",
        dt.date(2014, 10, 1),
        [riskshare.Band(500 * K, 5000), riskshare.Band(None, 10_000)],
        [riskshare.Band(500 * K, 7500), riskshare.Band(None, 10_000)],
    )
    lines = [Line("Placements", 18_600 * K), Line("Social work", 23_711 * K)]
    return finance.add_budget(
        session, contract, "2015/16", dt.date(2015, 4, 1), dt.date(2016, 3, 31), lines
    )


def _held(held_in, as_at: dt.date = dt.date(2015, 10, 1)) -> None:
    """A modelled outturn of the placements line: median £18,948k (£348k over); 80% from
    £18,500k (£100k under) to £19,100k (£500k over); 95% £18,300k to £19,300k."""
    with held_in.unit() as session:
        budget = _budget(session, held_in.contract(session))
        outturn.record(
            session,
            budget,
            "Placements",
            as_at,
            np.array([18_948, 18_500, 19_100, 18_300, 19_300]) * K,
            9_000 * K,
            scenario=None,
            snapshot_id="0003",
            created_by="Analyst",
        )


def _document(context: DemandContext) -> Document:
    return Document("Test pack", "Internal", tuple(demand_blocks(context, 2, "demand")))


def _context(money, chart=None, rows=()) -> DemandContext:
    reason = None if chart else "no SSDA903 episodes held for LA 371"
    origin = dt.date(2015, 10, 1) if chart else None
    return DemandContext(True, money, origin, None, chart, rows, reason)


def test_the_modelled_outturn_is_split_under_the_risk_share(doncaster) -> None:  # noqa: F811
    _held(doncaster)
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        money = modelled_money(
            contract, session, budgets_for(contract, QUARTER, QUARTER.end), QUARTER.end
        )
    assert money is not None
    median, low80, high80 = (money.line(x) for x in ("forecast", "lower80", "upper80"))
    # £348k over budget, split 50/50: £174k each.
    assert (median.variance_pence, median.council_pence, median.trust_pence) == (
        348 * K,
        174 * K,
        174 * K,
    )
    # £100k under: the council takes back 75% (£75k), the trust keeps £25k: negative shares.
    assert (low80.variance_pence, low80.council_pence, low80.trust_pence) == (
        -100 * K,
        -75 * K,
        -25 * K,
    )
    # £500k over: all of it inside the 50/50 band, £250k each.
    assert (high80.council_pence, high80.trust_pence) == (250 * K, 250 * K)
    text = _document(_context(money)).text()
    assert "No forecast of children looked after can be made: no SSDA903 episodes held" in text
    assert (
        "the budget shows an overspend of £348,000 (80% interval: an underspend of £100,000 to "
        "an overspend of £500,000)" in text
    )
    assert "the Council's share is £174,000 (80% interval: -£75,000 to £250,000)" in text
    assert "the Trust's £174,000 (80% interval: -£25,000 to £250,000)" in text
    assert "spend to date £9,000,000" in text and "data snapshot 0003" in text
    table = next(b for b in _document(_context(money)).blocks if isinstance(b, Table))
    assert [c.number for c in table.rows[0][1:]] == [18_948_000, 348_000, 174_000, 174_000]


def test_an_outturn_made_after_the_report_date_is_not_used(doncaster) -> None:  # noqa: F811
    _held(doncaster, as_at=dt.date(2016, 1, 15))  # made after the quarter reported on
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        budgets = budgets_for(contract, QUARTER, QUARTER.end)
        assert [b.label for b in budgets] == ["2015/16"]
        assert modelled_money(contract, session, budgets, QUARTER.end) is None
    text = _document(_context(None)).text()
    assert "No modelled forecast of placement spend is held for this period" in text
    assert "£" not in text  # no figure is made up


def test_without_records_the_section_says_so() -> None:
    context = DemandContext(False, None, None, None, None, (), "no SSDA903 episodes held")
    text = _document(context).text()
    assert "No governance records are held, so no modelled forecast outturn is held." in text


def _fan() -> tuple[FanChart, tuple[CategoryRow, ...]]:
    months = tuple(FanMonth(dt.date(2016, m, 1), 470 + m, 460, 490, 450, 500) for m in range(1, 13))
    chart = FanChart(
        "Children looked after by Test: forecast from 1 October 2015",
        ((dt.date(2015, 9, 1), 466), (dt.date(2015, 10, 1), 468)),
        months,
    )
    at = (months[2], months[5], months[11])  # 3, 6 and 12 months ahead
    rows = tuple(
        CategoryRow(name, at) for name in ("fostering", "residential", "supported", "other", "all")
    )
    return chart, rows


@pytest.mark.parametrize("render", [render_html, render_docx, render_xlsx])
def test_every_format_gets_the_fan_chart_and_the_money(doncaster, render) -> None:  # noqa: F811
    _held(doncaster)
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        money = modelled_money(contract, session, contract.budgets, QUARTER.end)
    chart, rows = _fan()
    document = _document(_context(money, chart, rows))
    figure = next(b for b in document.blocks if isinstance(b, Figure))
    assert figure.png.startswith(b"\x89PNG")
    # The sentence reads the 12-month figure of all children against the last count.
    assert (
        "482 children looked after on 1 December 2016 (80% interval 460 to 490; 95% interval "
        "450 to 500), against 468 on 1 October 2015" in document.text()
    )
    assert {t.key for t in document.tables()} == {"demand-children", "demand-money"}
    # Each month's cell holds its median (3, 6 and 12 months ahead: 473, 476, 482) as a number;
    # the interval is in its words and, in a spreadsheet, in its number format.
    children = next(t for t in document.tables() if t.key == "demand-children")
    every = children.rows[-1]
    assert [c.number for c in every[1:]] == [473, 476, 482]
    assert every[3].text == "482 (80%: 460 to 490)"
    assert every[3].number_format == '#,##0" (80%: 460 to 490)"'
    out = render(document)
    assert len(out) > 1000  # each renderer takes every block (a block it cannot take fails)
