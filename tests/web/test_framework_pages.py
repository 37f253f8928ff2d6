"""The National Framework view: a page per outcome and enabler with every measure for the LA,
or the reason a measure has no value, and the dashboard's measures shown only as published."""

from __future__ import annotations

import html
import re

from cscmonitor.indicators.framework import BENCHMARK_ONLY, Framework
from cscmonitor.indicators.registry import all_indicators

LINK = re.compile(r'href="/indicators/([A-Z0-9_]+)\?')


def _text(page: str) -> str:
    """The page's words, tags and entities gone, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_index_lists_every_outcome_and_enabler(world) -> None:
    page = world.sign_in("viewer").get("/framework")
    assert page.status_code == 200
    for element in Framework:
        assert f'href="/framework/{element.value}?' in page.text
        assert html.escape(element.label, quote=True) in page.text
    # The navigation leads here for everyone who reads performance.
    assert 'href="/framework"' in page.text


def test_each_page_renders_every_measure_tagged_with_it_or_its_reason(world) -> None:
    client = world.sign_in("viewer")
    for element in Framework:
        page = client.get(f"/framework/{element.value}")
        assert page.status_code == 200, element
        tagged = [i.code for i in all_indicators() if i.framework.framework is element]
        # Every registered indicator tagged with the outcome or enabler, each linked once.
        assert sorted(LINK.findall(page.text)) == sorted(tagged), element
        words = _text(page.text)
        for p in BENCHMARK_ONLY:
            assert (p.title in words) is (p.framework is element), p.code
        if not tagged and element is Framework.MULTI_AGENCY:
            assert "The dashboard has no measure of this enabler" in words


def test_a_measure_without_a_value_says_what_it_needs(world) -> None:
    words = _text(world.sign_in("viewer").get("/framework/safe").text)
    # The demo's CIN census returns end in 2016: the criminal exploitation factor (24A) is
    # collected from 2021-22, and the adult-on-child physical abuse factor (18C) from 2020-21.
    assert "needs the CIN census return from 1 April 2021, the first to collect what it counts" in (
        words
    )
    assert "needs the CIN census return from 1 April 2020" in words


def test_benchmark_only_measures_say_whether_their_file_is_bundled(world) -> None:
    client = world.sign_in("viewer")
    words = _text(client.get("/framework/leaders").text)
    # Spend is published in MHCLG's outturn files, which cscmonitor does not ship.
    assert "not bundled: published in spend/RSX_LA_Data_2024-25_data_by_LA.ods" in words
    # Ofsted's outcomes workbook is bundled: as at today, Doncaster's (371) latest judgement
    # of the impact of leaders is its ILACS inspection of January 2025's (the workbook's row).
    assert "bundled with cscmonitor" in words
    assert "Good (inspection from 20 January 2025, published 18 March 2025)" in words


def test_a_basket_measure_has_its_rag_and_the_rest_are_not_rated(world) -> None:
    page = world.sign_in("viewer").get("/framework/workforce").text
    rows = {
        code: row
        for row in page.split('<tr class="govuk-table__row">')[1:]
        if (found := LINK.search(row)) and (code := found.group(1))
    }
    # SW_AGENCY and SW_TURNOVER are in the demo basket with targets; SW_CASELOAD is not.
    assert "Target" in rows["SW_AGENCY"] and "Target" in rows["SW_TURNOVER"]
    assert "Not rated" in rows["SW_CASELOAD"] and "Target" not in rows["SW_CASELOAD"]


def test_an_unknown_outcome_is_a_404(world) -> None:
    assert world.sign_in("viewer").get("/framework/happiness").status_code == 404
