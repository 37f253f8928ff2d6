"""The corporate parenting pack: what is computed comes from the engine; what cannot be yet is
said to be absent, never given a figure."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import REGISTRY, load_builtin
from cscmonitor.periods import Period
from cscmonitor.reports.context.corporate_parenting import (
    SECTIONS,
    CorporateParentingContext,
    build_corporate_parenting_context,
)
from cscmonitor.reports.context.indicators import (
    NOT_AVAILABLE,
    Request,
    Wanted,
    build_panels,
    figures_for,
)
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Discloser, Mode
from cscmonitor.reports.layout.corporate_parenting import corporate_parenting_document
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings


@pytest.fixture(scope="module")
def pack(demo_settings: Settings) -> CorporateParentingContext:
    with open_sources(demo_settings, 1) as sources:
        return build_corporate_parenting_context(sources, 1, Mode.INTERNAL)


def test_sections_hold_the_boards_measures(pack: CorporateParentingContext) -> None:
    assert [s.title for s in pack.sections] == [title for title, _ in SECTIONS]
    assert [p.code for p in pack.panels] == [w.code for _, ws in SECTIONS for w in ws]


def test_computed_measures_are_the_engines(
    demo_settings: Settings, pack: CorporateParentingContext
) -> None:
    load_builtin()
    known = [p.code for p in pack.panels if p.code in REGISTRY]
    assert known  # the looked-after measures the engine has
    with open_sources(demo_settings, 1) as sources:
        results = compute(sources.tables, [pack.period, pack.compared], codes=known, las=["371"])
    now = results[results["period_start"].astype(str) == pack.period.start.isoformat()]
    by_code = now.set_index("indicator")
    for panel in pack.panels:
        if panel.code not in by_code.index:  # no return of its kind held at all
            assert panel.absent and NOT_AVAILABLE in panel.absent
            continue
        row = by_code.loc[panel.code]
        if row["status"] == "no data":
            assert panel.absent and NOT_AVAILABLE in panel.absent
        elif row["status"] in ("ok", "lookback incomplete"):
            assert panel.latest.value.number == pytest.approx(row["value"])


def test_every_measure_is_computed_from_the_demos_returns(
    pack: CorporateParentingContext,
) -> None:
    load_builtin()
    assert {p.code for p in pack.panels} <= set(REGISTRY)
    # The demo's returns hold every table the pack reads: no measure is absent.
    assert [p.code for p in pack.panels if p.absent] == []
    assert all(p.latest.value.number is not None for p in pack.panels)
    html = render(corporate_parenting_document(pack), "html").decode("utf-8")
    assert "Every measure in the pack is available from the returns held" in html


def test_an_unknown_code_or_a_return_not_held_gives_no_figure(demo_settings: Settings) -> None:
    """Whatever the registry holds by then: a code it lacks, and a period no return covers."""
    with open_sources(demo_settings, 1) as sources:
        terms = sources.terms
        request = Request(
            la_code=terms.la_code,
            place=sources.place,
            latest=Period(dt.date(2030, 4, 1), dt.date(2031, 3, 31)),
            compared=terms.baseline_period(),
            compared_label="baseline year",
            trend=(),
            discloser=Discloser(Mode.INTERNAL),
        )
        wanted = [
            Wanted("NOT_A_CODE", "A measure not computed", "a return nobody makes"),
            Wanted("CLA_3PLUS"),
        ]
        # A draft: without it, a period with no figure held is refused (tests/web/test_figures.py).
        figures = figures_for(
            sources, wanted, request, year=1, as_at=dt.date(2031, 3, 31), draft=True, what="t"
        )
        unknown, unheld = build_panels(figures, wanted, request)
    assert unknown.absent == (
        f"{NOT_AVAILABLE}: cscmonitor does not compute NOT_A_CODE yet "
        "(it needs a return nobody makes)"
    )
    assert unheld.absent is not None and unheld.absent.startswith(NOT_AVAILABLE)
    assert "SSDA903" in unheld.absent
    for panel in (unknown, unheld):
        assert panel.latest.value.number is None and not panel.chart.points
