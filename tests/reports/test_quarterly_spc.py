"""The quarterly pack's control charts (issue 19 item 3): each indicator's monthly chart and its
two icons' words, from the figure model, in every format.

The demo (synth/scenarios/doncaster-2014.yaml) draws re-referrals at 38% of referrals before
1 October 2014 and 23% after, the day the Trust took over; the records hold the contract's
start, so the chart rebases there.
"""

from __future__ import annotations

import re

import pytest

from cscmonitor.reports.context.quarterly import QuarterlyContext, build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Figure as Picture
from cscmonitor.reports.document import Table
from cscmonitor.reports.layout.quarterly import quarterly_document
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings
from tests.reports.conftest import rendered_text


@pytest.fixture(scope="module")
def year_end(demo_settings: Settings) -> QuarterlyContext:
    """Contract year 1, quarter 4: the 12 months to 30 September 2015."""
    with open_sources(demo_settings, 1) as sources:
        return build_quarterly_context(sources, 1, 4, Mode.INTERNAL)


def test_the_re_referral_fall_is_an_improvement_in_the_context(
    year_end: QuarterlyContext,
) -> None:
    reref = next(f for f in year_end.controls if f.code == "REREF_12M")
    points = reref.control.points
    ends = [f"{d:%Y-%m}" for d in points["period_end"]]
    # April 2013 (the first month with a year of referrals behind it) to September 2015.
    assert (ends[0], ends[-1], len(ends)) == ("2013-04", "2015-09", 30)
    after = points[[e >= "2014-10" for e in ends]]
    assert set(after["phase"]) == {"contract start (from 1 October 2014)"}
    # The first 7 months after the Trust's start sit below the old phase's mean: a shift at the
    # change point, an improvement for an indicator where lower is better.
    assert list(after["signal"][:7]) == ["improvement"] * 7
    assert all("shift at change point" in r for r in after["signal_rule"][:7])
    # The context's words are the figure model's (the panels carry the same figures).
    panel = next(p for p in year_end.panels if p.code == "REREF_12M")
    assert panel.figure is reref
    assert reref.variation_text.startswith(("Common cause", "Special cause"))


def test_the_pack_shows_each_chart_and_the_icons_words(year_end: QuarterlyContext) -> None:
    document = quarterly_document(year_end)
    tables = {t.key: t for t in document.tables()}
    summary = tables["spc"]
    assert [r[0].text for r in summary.rows] == [f.indicator.title for f in year_end.controls]
    assert [(r[1].text, r[2].text) for r in summary.rows] == [
        (f.variation_text, f.assurance_text) for f in year_end.controls
    ]
    charted = [f for f in year_end.controls if f.control.charted]
    pictures = [
        b for b in document.blocks if isinstance(b, Picture) and "control chart" in b.caption
    ]
    assert len(pictures) == len(charted) and all(p.png.startswith(b"\x89PNG") for p in pictures)
    reref_number = 1 + [f.code for f in charted].index("REREF_12M")
    reref: Table = tables[f"spc-{reref_number}"]
    signals = [r[6].text for r in reref.rows]
    assert signals[18:25] == ["Improvement"] * 7  # October 2014 to April 2015


def test_a_pack_for_publication_gives_the_words_without_the_monthly_figures(
    demo_settings: Settings,
) -> None:
    with open_sources(demo_settings, 1) as sources:
        published = build_quarterly_context(sources, 1, 4, Mode.PUBLICATION)
    document = quarterly_document(published)
    keys = [t.key for t in document.tables()]
    assert "spc" in keys and not [k for k in keys if k.startswith("spc-")]
    assert not [b for b in document.blocks if isinstance(b, Picture) and "control" in b.caption]


@pytest.mark.parametrize("format", ["html", "pdf", "docx", "xlsx"])
def test_every_format_carries_the_icons_words(year_end: QuarterlyContext, format: str) -> None:
    text = rendered_text(render(quarterly_document(year_end), format), format)
    flat = re.sub(r"\s+", " ", text)
    for f in year_end.controls:
        # The PDF's table cells wrap: compare their words, not their line breaks.
        assert re.sub(r"\s+", " ", f.variation_text) in flat or format == "pdf"
        assert all(word in flat for word in f.variation_text.split()[:3])
