"""The summary report: number formats, the review-style sentences, and the rendered HTML."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from cscmonitor.assess import Computed
from cscmonitor.benchmarks.comparison import Comparison
from cscmonitor.figures import Asked, Figure, figure_of
from cscmonitor.indicators.registry import Indicator, Polarity, Unit
from cscmonitor.periods import Period
from cscmonitor.reports.summary import (
    MARKING,
    SummaryContext,
    build_summary_context,
    render_summary,
    write_summary,
)
from cscmonitor.terms import ContractTerms, load_packaged_contract
from cscmonitor.wording import format_agreed, format_value, time_since_start
from tests.conftest import make_indicator as shared_indicator

START = dt.date(2014, 10, 1)
BASELINE = Period(dt.date(2013, 10, 1), dt.date(2014, 9, 30))
YEAR_1 = Period(dt.date(2014, 10, 1), dt.date(2015, 9, 30))
YEAR_2 = Period(dt.date(2015, 10, 1), dt.date(2016, 9, 30))

TITLES = {
    "REREF_12M": "Re-referrals within 12 months",
    "CPP_REPEAT": "Child protection plans for a second or subsequent time",
    "CLA_3PLUS": "Three or more placements in the year",
    "SW_AGENCY": "Agency social workers",
    "SW_TURNOVER": "Social worker turnover",
}


def make_indicator(
    code: str, unit: Unit = Unit.PERCENT, polarity: Polarity = Polarity.LOWER
) -> Indicator:
    return shared_indicator(code, unit, polarity, TITLES.get(code))


REGISTRY = {code: make_indicator(code) for code in TITLES}


# --- Formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (23.44, Unit.PERCENT, "23.4%"),
        (7.0, Unit.PERCENT, "7.0%"),
        (16.26, Unit.RATIO, "16.3"),
        (1234.56, Unit.PER_10K, "1,234.6"),
        (312.4, Unit.DAYS, "312 days"),
        (1234.0, Unit.COUNT, "1,234"),
    ],
)
def test_format_value_by_unit(value: float, unit: Unit, text: str) -> None:
    assert format_value(value, unit) == text


def test_agreed_figures_keep_their_own_precision() -> None:
    assert format_agreed(38.0, Unit.PERCENT) == "38%"
    assert format_agreed(7.5, Unit.PERCENT) == "7.5%"
    assert format_agreed(500.0, Unit.DAYS) == "500 days"


# --- Sentences -------------------------------------------------------------------------------

AS_AT = dt.date(2016, 1, 29)


def figure(
    period: Period,
    value: float | None,
    status: str = "ok",
    counts: tuple[float, float] | None = None,
) -> Computed:
    num, den = counts if counts else (None, None)
    return Computed(period, value, None, None, num, den, status)


def model(
    before: Computed,
    after: Computed,
    *,
    code: str = "REREF_12M",
    polarity: Polarity = Polarity.LOWER,
    year: int = 1,
    asked: Asked | None = None,
) -> Figure:
    """A figure whose RAG and travel come from the (separately tested) rules."""
    previous = Computed.missing(Period(dt.date(2013, 10, 1), dt.date(2014, 9, 30)))
    return figure_of(
        make_indicator(code, polarity=polarity),
        asked or Asked(code, 38),
        "371",
        year,
        AS_AT,
        after,
        before,
        previous,
        (),
        Comparison.none(),
    )


def test_sentence_reduction_larger_than_chance_is_an_improvement() -> None:
    # 379 of 1,000 then 234 of 1,000: z = −7.0 on the pooled 30.65%, so p < 0.001.
    found = model(
        figure(BASELINE, 37.9, counts=(379, 1000)), figure(YEAR_1, 23.4, counts=(234, 1000))
    )
    assert found.sentence(START) == (
        "a reduction in re-referrals within 12 months from 37.9% in the baseline year "
        "(Oct 2013–Sep 2014) to 23.4% after 12 months (Oct 2014–Sep 2015), an improvement "
        "larger than chance (p < 0.001)"
    )


def test_sentence_without_counts_says_the_move_was_not_tested() -> None:
    found = model(figure(BASELINE, 23.4), figure(YEAR_1, 30.0), code="SW_AGENCY")
    assert found.sentence(START) == (
        "an increase in agency social workers from 23.4% in the baseline year "
        "(Oct 2013–Sep 2014) to 30.0% after 12 months (Oct 2014–Sep 2015), declined "
        "(not tested for chance)"
    )


def test_sentence_increase_when_higher_is_better() -> None:
    found = model(
        figure(BASELINE, 50.0), figure(YEAR_2, 61.26), code="CL_EET", polarity=Polarity.HIGHER
    )
    assert found.sentence(START) == (
        "an increase in title of CL_EET from 50.0% in the baseline year (Oct 2013–Sep 2014) "
        "to 61.3% after 24 months (Oct 2015–Sep 2016), improved (not tested for chance)"
    )


def test_sentence_no_change_at_one_decimal_place() -> None:
    found = model(figure(BASELINE, 18.04), figure(YEAR_1, 17.96), code="SW_AGENCY")
    assert found.sentence(START) == (
        "no change in agency social workers, at 18.0% in the baseline year "
        "(Oct 2013–Sep 2014) and after 12 months (Oct 2014–Sep 2015)"
    )


def test_sentence_says_insufficient_data_instead_of_a_number() -> None:
    found = model(figure(BASELINE, None, "insufficient data"), figure(YEAR_1, 7.0))
    assert found.sentence(START) == (
        "re-referrals within 12 months: insufficient data in the baseline year "
        "(Oct 2013–Sep 2014) and 7.0% after 12 months (Oct 2014–Sep 2015), "
        "so no change can be stated"
    )


def test_sentence_judges_nothing_without_the_figure() -> None:
    missing = model(figure(BASELINE, 20.0), figure(YEAR_1, None, "no data"))
    assert missing.sentence(START) == (
        "re-referrals within 12 months: figures not held for Oct 2014–Sep 2015, "
        "so nothing is judged"
    )


def test_sentence_passes_no_verdict_when_polarity_is_neither() -> None:
    found = model(figure(BASELINE, 400.0), figure(YEAR_1, 450.0), polarity=Polarity.NEITHER)
    assert found.sentence(START).endswith(
        "to 450.0% after 12 months (Oct 2014–Sep 2015), changed (not tested for chance)"
    )


def test_time_since_start() -> None:
    assert time_since_start(START, YEAR_1.end, 1) == "after 12 months"
    assert time_since_start(START, YEAR_2.end, 2) == "after 24 months"
    short = Period(dt.date(2014, 12, 6), dt.date(2015, 9, 30))
    assert time_since_start(dt.date(2014, 12, 6), short.end, 1) == "in contract year 1"


# --- The rendered page -----------------------------------------------------------------------


def result(
    code: str, period: Period, value: float | None, ci: tuple[float, float] | None, status: str
) -> dict[str, object]:
    low, high = ci if ci else (None, None)
    return {
        "indicator": code,
        "la_code": "371",
        "period_start": period.start,
        "period_end": period.end,
        "numerator": None,
        "denominator": None,
        "value": value,
        "ci_lower": low,
        "ci_upper": high,
        "status": status,
    }


RESULTS = pd.DataFrame(
    [
        result("REREF_12M", BASELINE, 37.9, (34.9, 41.0), "lookback incomplete"),
        result("REREF_12M", YEAR_1, 23.4, (20.9, 26.1), "ok"),
        result("CPP_REPEAT", BASELINE, 16.2, (12.0, 21.5), "ok"),
        result("CPP_REPEAT", YEAR_1, 15.1, (11.0, 20.3), "ok"),
        result("CLA_3PLUS", BASELINE, None, None, "insufficient data"),
        result("CLA_3PLUS", YEAR_1, 7.0, (4.2, 11.4), "ok"),
        result("SW_AGENCY", BASELINE, 18.0, (14.1, 22.7), "ok"),
        result("SW_AGENCY", YEAR_1, 18.0, (14.3, 22.4), "ok"),
        result("SW_TURNOVER", BASELINE, 29.0, (24.0, 34.6), "ok"),
        result("SW_TURNOVER", YEAR_1, 31.0, (26.0, 36.5), "ok"),
    ]
)


def figures_for(contract: ContractTerms) -> list[Figure]:
    """The basket's figures from RESULTS (no counts, so no travel is tested)."""
    computed = {
        (r["indicator"], r["period_start"]): Computed(
            Period(r["period_start"], r["period_end"]),
            r["value"],
            r["ci_lower"],
            r["ci_upper"],
            None,
            None,
            r["status"],
        )
        for r in RESULTS.to_dict("records")
    }
    return [
        model(
            computed[(e.indicator, BASELINE.start)],
            computed[(e.indicator, YEAR_1.start)],
            code=e.indicator,
            asked=Asked(e.indicator, e.baseline, e.target, e.tolerance, e.reported),
        )
        for e in contract.basket
    ]


def context_for(contract: ContractTerms) -> SummaryContext:
    return build_summary_context(
        contract,
        figures_for(contract),
        snapshot_id="snap-20160115-0001",
        snapshot_date=dt.date(2016, 1, 15),
    )


@pytest.fixture
def contract() -> ContractTerms:
    return load_packaged_contract("doncaster-2014", REGISTRY)


@pytest.fixture
def page(contract: ContractTerms) -> str:
    return render_summary(context_for(contract))


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def cells(page: str) -> list[list[str]]:
    """The text of each body row's cells, header cell first."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.DOTALL)] for r in rows]


def test_context_is_built_from_the_figures(contract: ContractTerms) -> None:
    context = context_for(contract)
    assert context.marking == MARKING == "Internal — not for publication"
    assert (context.year, context.year_label, context.baseline_label) == (
        1,
        "Oct 2014–Sep 2015",
        "Oct 2013–Sep 2014",
    )
    assert context.snapshot_date == "15 January 2016"
    assert len(context.sentences) == 5
    assert context.sentences[-2].endswith("; and") and context.sentences[-1].endswith(".")
    assert all(s.endswith(";") for s in context.sentences[:-2])


def test_page_shows_every_figure(page: str) -> None:
    assert cells(page)[0] == [
        "Re-referrals within 12 months REREF_12M Lower is better",
        "38%",
        "37.9% lookback incomplete",
        "23.4%",
        "20.9% to 26.1%",
        "25%",
        "3 percentage points",
        "Green",
        "Improved (not tested)",
        "Reported: 38% → 23%",
    ]
    rag_and_direction = [(row[7], row[8]) for row in cells(page)]
    # No counts here, so no move is tested for chance: it is never called significant.
    assert rag_and_direction == [
        ("Green", "Improved (not tested)"),  # 23.4 ≤ 25
        ("Amber", "Improved (not tested)"),  # 15.1 within 14 + 2
        ("Green", "Not comparable"),  # 7.0 ≤ 9; no baseline-year value
        ("Red", "No change"),  # 18.0 beyond 12 + 3
        ("Red", "Declined (not tested)"),  # 31.0 beyond 20 + 4, up from 29.0
    ]
    assert cells(page)[2][2] == "insufficient data"


def test_page_has_the_sentences_and_header(page: str) -> None:
    assert (
        "<li>a reduction in re-referrals within 12 months from 37.9% in the baseline year "
        "(Oct 2013–Sep 2014; lookback incomplete) to 23.4% after 12 months "
        "(Oct 2014–Sep 2015), improved (not tested for chance);</li>"
    ) in page
    assert (
        "<li>three or more placements in the year: insufficient data in the baseline year"
    ) in page
    assert page.count(MARKING) == 2
    assert "Doncaster Metropolitan Borough Council (371)" in page
    assert "Jo Miller, Chief Executive" in page and "Paul Moffat, Chief Executive" in page
    assert "Colin Hilton, Chair" in page
    assert "snap-20160115-0001, taken 15 January 2016" in page
    assert "<dt>As at</dt>\n    <dd>29 January 2016</dd>" in page
    assert "Doncaster Children&#39;s Services Trust Service Delivery Contract" in page
    assert "Annual review to the Secretary of State, 29 January 2016" in page


class Structure(HTMLParser):
    """Collects headings and checks that every element closes in order."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.headings: list[int] = []
        self.attributes: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1]}>"
        self.open.pop()


def test_page_is_well_formed_and_accessible(page: str) -> None:
    structure = Structure()
    structure.feed(page)
    structure.close()
    assert structure.open == []
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert structure.headings.count(1) == 1 and structure.headings[0] == 1
    # Headings never skip a level on the way down.
    assert all(b - a <= 1 for a, b in zip(structure.headings, structure.headings[1:], strict=False))
    assert page.count("<caption>") == 1
    scopes = [a.get("scope") for tag, a in structure.attributes if tag == "th"]
    assert scopes == ["col"] * 10 + ["row"] * 5
    rag_classes = [
        a.get("class") for tag, a in structure.attributes if str(a.get("class")).startswith("rag ")
    ]
    # Colour follows the RAG text, which the rows test reads.
    assert rag_classes == [
        "rag rag-green",
        "rag rag-amber",
        "rag rag-green",
        "rag rag-red",
        "rag rag-red",
    ]


def test_page_is_self_contained(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "url(" not in page


def test_contract_name_is_escaped(contract: ContractTerms) -> None:
    hostile = contract.model_copy(update={"name": "<script>alert('x')</script> & Co"})
    page = render_summary(context_for(hostile))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in page


def test_write_summary(tmp_path: Path, contract: ContractTerms) -> None:
    context = context_for(contract)
    written = write_summary(tmp_path / "out" / "summary.html", context)
    assert written == tmp_path / "out" / "summary.html"
    assert written.read_text(encoding="utf-8") == render_summary(context)


def test_sentence_flags_an_incomplete_lookback() -> None:
    found = model(figure(BASELINE, 37.9, "lookback incomplete"), figure(YEAR_1, 23.4))
    assert "from 37.9% in the baseline year (Oct 2013–Sep 2014; lookback incomplete) to" in (
        found.sentence(START)
    )
