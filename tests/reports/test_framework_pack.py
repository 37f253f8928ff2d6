"""The National Framework pack: every measure, or why it has none, under its outcome or enabler,
in each of the four formats."""

from __future__ import annotations

import re

import pytest

from cscmonitor.figures import NoFigures
from cscmonitor.indicators.framework import BENCHMARK_ONLY, Framework
from cscmonitor.indicators.registry import all_indicators
from cscmonitor.reports.context.framework import FrameworkContext, build_framework_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.layout.framework import framework_document
from cscmonitor.reports.publish import Report, build_document
from cscmonitor.reports.render import formats, render
from cscmonitor.settings import Settings
from tests.reports.conftest import rendered_text


@pytest.fixture(scope="module")
def pack(demo_settings: Settings) -> FrameworkContext:
    """The demo's pack at the end of contract year 1, quarter 4 (30 September 2015)."""
    with open_sources(demo_settings, 1) as sources:
        return build_framework_context(sources, 1, 4, Mode.INTERNAL)


def _squashed(text: str) -> str:
    """Without spaces or line breaks, which each format wraps differently."""
    return re.sub(r"\s+", "", text)


def test_every_outcome_and_enabler_holds_every_measure_tagged_with_it(
    pack: FrameworkContext,
) -> None:
    assert [s.framework for s in pack.sections] == list(Framework)
    for section in pack.sections:
        tagged = {i.code for i in all_indicators() if i.framework.framework is section.framework}
        assert {f.code for f in section.figures} == tagged, section.label
        published = {p.code for p in BENCHMARK_ONLY if p.framework is section.framework}
        assert {p.code for p in section.published} == published
    # Multi-agency working has no dashboard measure and no indicator serves it.
    empty = next(s for s in pack.sections if s.framework is Framework.MULTI_AGENCY)
    assert not empty.measures and "no measure" in empty.summary_text


def test_the_figures_are_the_twelve_months_to_the_quarter_end(pack: FrameworkContext) -> None:
    assert pack.latest_period.label == "Oct 2014–Sep 2015"
    assert {f.period for s in pack.sections for f in s.figures} == {pack.latest_period}


def test_a_rag_only_where_the_contract_sets_a_target(pack: FrameworkContext) -> None:
    figures = [f for s in pack.sections for f in s.figures]
    rated = {f.code for f in figures if f.rag_text != "Not rated"}
    # The demo basket's five indicators carry targets; nothing else is rated.
    assert rated == {"REREF_12M", "CPP_REPEAT", "CLA_3PLUS", "SW_AGENCY", "SW_TURNOVER"}


@pytest.mark.parametrize("format", ["html", "pdf", "docx", "xlsx"])
def test_renders_every_measure_or_its_reason_in_every_format(
    pack: FrameworkContext, format: str
) -> None:
    assert format in formats()
    text = _squashed(rendered_text(render(framework_document(pack), format), format))
    for section in pack.sections:
        assert _squashed(section.label) in text
        for f in section.figures:
            assert _squashed(f"({f.code})") in text, f.code
            if f.absent_text is not None:
                assert _squashed(f.absent_text) in text, f.code
        for p in section.published:
            assert _squashed(p.title) in text and _squashed(p.value) in text, p.code
    # A measure the 2014-15 CIN census cannot give says which return it needs.
    assert _squashed("needs the CIN census return from 1 April 2021") in text
    assert _squashed(pack.marking) in text


def test_publication_suppresses_small_counts_and_leaves_out_months(
    demo_settings: Settings,
) -> None:
    with open_sources(demo_settings, 1) as sources:
        document = build_document(Report.FRAMEWORK, sources, 1, Mode.PUBLICATION, quarter=4)
    text = render(document, "html").decode("utf-8")
    assert "not published (monthly)" in text
    assert " in September 2015" not in text


def test_the_pack_needs_a_quarter_and_figures(demo_settings: Settings) -> None:
    with open_sources(demo_settings, 1) as sources:
        with pytest.raises(ValueError, match="needs a quarter"):
            build_document(Report.FRAMEWORK, sources, 1, Mode.INTERNAL)
        # Contract year 9 lies beyond the returns held: refused, naming what is missing.
        with pytest.raises(NoFigures, match="National Framework pack"):
            build_framework_context(sources, 9, 1, Mode.INTERNAL)
