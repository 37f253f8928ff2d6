"""Disclosure control: counts of 1 to 5, and figures derived from them, shown as c when
publishing; everything shown in internal reports; every page says which kind of report it is."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from cscmonitor.assess import Computed
from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import Unit
from cscmonitor.periods import Period
from cscmonitor.reports.context.annual import build_annual_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Discloser, Mode, is_small, marking
from cscmonitor.reports.layout.annual import annual_document
from cscmonitor.reports.render import render
from cscmonitor.settings import Settings

YEAR = Period(dt.date(2015, 1, 1), dt.date(2015, 12, 31))


def figure(numerator: float, denominator: float, status: str = "ok") -> Computed:
    value = numerator / denominator * 100
    return Computed(YEAR, value, value - 5, value + 5, numerator, denominator, status)


@pytest.mark.parametrize(
    ("count", "small"), [(0, False), (1, True), (5, True), (5.5, True), (6, False), (None, False)]
)
def test_small_counts_are_one_to_five(count: float | None, small: bool) -> None:
    assert is_small(count) is small


def test_publication_suppresses_a_rate_whose_numerator_or_denominator_is_small() -> None:
    publish = Discloser(Mode.PUBLICATION)
    assert publish.value(figure(5, 8), Unit.PERCENT).text == "c"
    assert publish.value(figure(0, 5), Unit.PERCENT).text == "c"  # the denominator gives it away
    assert publish.value(figure(0, 8), Unit.PERCENT).text == "0.0%"  # zero is shown
    assert publish.value(figure(6, 8), Unit.PERCENT).text == "75.0%"
    assert publish.interval(figure(5, 8), Unit.PERCENT) == "c"
    assert publish.count(3).text == "c" and publish.count(0).text == "0"
    assert publish.count(12).text == "12" and publish.count(25.5).text == "25.5"


def test_internal_reports_show_every_figure() -> None:
    internal = Discloser(Mode.INTERNAL)
    assert internal.value(figure(5, 8), Unit.PERCENT).text == "62.5%"
    assert internal.interval(figure(5, 8), Unit.PERCENT) == "57.5% to 67.5%"
    assert internal.count(3).text == "3"


def test_a_withheld_value_says_why_in_either_mode() -> None:
    for mode in Mode:
        shown = Discloser(mode).value(figure(1, 3, "insufficient data"), Unit.PERCENT)
        assert (shown.text, shown.number) == ("insufficient data", None)


@pytest.fixture(scope="module")
def small_documents(small_settings: Settings, small_contract: str) -> dict[Mode, object]:
    documents = {}
    with open_sources(small_settings, 1, small_contract) as sources:
        for mode in Mode:
            documents[mode] = annual_document(build_annual_context(sources, 1, mode))
    return documents


def test_the_small_cohort_is_what_the_engine_says(
    small_settings: Settings, small_contract: str
) -> None:
    # The expectation comes from the engine, not from a figure typed here.
    with open_sources(small_settings, 1, small_contract) as sources:
        year = sources.terms.contract_year(1)
        result = compute(sources.tables, [year], codes=["REREF_12M"], las=["999"]).iloc[0]
    assert is_small(result["numerator"]) and not is_small(result["denominator"])


def test_publication_report_suppresses_and_internal_does_not(
    small_documents: dict[Mode, object], small_settings: Settings, small_contract: str
) -> None:
    with open_sources(small_settings, 1, small_contract) as sources:
        year = sources.terms.contract_year(1)
        result = compute(sources.tables, [year], codes=["REREF_12M"], las=["999"]).iloc[0]
    shown = f"{result['value']:.1f}%"
    internal = small_documents[Mode.INTERNAL].text()  # type: ignore[attr-defined]
    published = small_documents[Mode.PUBLICATION].text()  # type: ignore[attr-defined]
    assert shown in internal
    assert shown not in published
    # The year's row of the data table: its numerator, value and interval are all c.
    row = next(line for line in published.splitlines() if line.startswith(year.label))
    assert row.split(" | ")[1] == "c" and row.split(" | ")[3:6] == ["c", "c", "c"]
    # A change worked out from suppressed figures would give them away: none is stated.
    assert f"and c after 12 months ({year.label}), so no change can be stated" in published


@pytest.mark.parametrize("mode", list(Mode))
def test_every_pdf_page_says_which_kind_of_report_it_is(
    small_documents: dict[Mode, object], mode: Mode
) -> None:
    pdf = PdfReader(io.BytesIO(render(small_documents[mode], "pdf")))  # type: ignore[arg-type]
    pages = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    assert len(pages) > 1
    other = marking(Mode.INTERNAL if mode is Mode.PUBLICATION else Mode.PUBLICATION)
    for number, text in enumerate(pages, start=1):
        assert marking(mode) in text, f"page {number} lacks the marking"
        assert other not in text
    assert re.search(r"Page 1 of \d+", pages[0])
