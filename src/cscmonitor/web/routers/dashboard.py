"""The dashboard: the basket as tiles for a contract year, as at a date, grouped and filtered by
domain or by National Framework outcome and enabler; above them, the latest month's special
causes and any return missing between two held."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cscmonitor.indicators.framework import Framework
from cscmonitor.indicators.registry import Domain
from cscmonitor.web.basket import BasketYear, as_at_date, basket_year
from cscmonitor.web.deps import AppDep, ContractYear, RecordsDep, UserView, VisitDep, require
from cscmonitor.web.performance import Performance, Tile
from cscmonitor.web.permissions import Permission
from cscmonitor.web.templating import render, render_once

router = APIRouter()

BY_DOMAIN = "domain"
BY_FRAMEWORK = "framework"
FRAMEWORK_KEYS = frozenset(f.value for f in Framework)
DOMAIN_KEYS = frozenset(d.value for d in Domain)


@dataclass(frozen=True)
class Section:
    """Tiles under one heading: an outcome or enabler, or (by domain) all under none."""

    title: str | None
    description: str | None
    tiles: list[Tile]


def _domain_groups(tiles: list[Tile]) -> list[tuple[str, str]]:
    held = {(t.domain, t.domain_title) for t in tiles}
    return sorted(held, key=lambda d: list(Domain).index(Domain(d[0])))


def _framework_sections(tiles: list[Tile]) -> list[Section]:
    return [
        Section(element.label, element.description, held)
        for element in Framework
        if (held := [t for t in tiles if t.framework == element.value])
    ]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    request: Request,
    app: AppDep,
    current: VisitDep,
    records: RecordsDep,
    user: Annotated[UserView, require(Permission.VIEW_PERFORMANCE)],
    year: ContractYear = None,
    domain: Annotated[str | None, Query(max_length=40)] = None,
    framework: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[str | None, Query(max_length=20)] = None,
    as_at: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    basket = basket_year(records, app.performance, year, user.party, as_at_date(as_at))
    grouping = BY_FRAMEWORK if by == BY_FRAMEWORK or framework else BY_DOMAIN
    # A filter naming no outcome, enabler or domain is no filter (and not a key of its own).
    if grouping == BY_FRAMEWORK:
        asked = framework if framework in FRAMEWORK_KEYS else None
    else:
        asked = domain if domain in DOMAIN_KEYS else None
    # The page's content by basket (its cache key: the records' version, the snapshot, the
    # party, the year and the date), grouping and filter: nothing in it depends on who else
    # of the party asks, so it is rendered once and the figures are read only then.
    content = render_once(
        "_dashboard.html",
        (basket.key, grouping, asked),
        lambda: _content(app.performance, basket, grouping, asked),
    )
    return render(request, app, current, "dashboard.html", content=content)


def _content(
    performance: Performance, basket: BasketYear, grouping: str, asked: str | None
) -> dict[str, object]:
    tiles = performance.tiles(basket.terms, basket.year, basket.as_at, basket.phases)
    causes = performance.special_causes(basket.terms, basket.year, basket.as_at, basket.phases)
    if grouping == BY_FRAMEWORK:
        groups = [(f.value, f.label) for f in Framework if any(t.framework == f for t in tiles)]
        chosen = asked if asked in {g for g, _ in groups} else None
        shown = [t for t in tiles if chosen is None or t.framework == chosen]
        sections = _framework_sections(shown)
    else:
        groups = _domain_groups(tiles)
        chosen = asked if asked in {g for g, _ in groups} else None
        shown = [t for t in tiles if chosen is None or t.domain == chosen]
        sections = [Section(None, None, shown)]
    return {
        "basket": basket,
        "period": basket.terms.contract_year(basket.year),
        "tiles": shown,
        "sections": sections,
        "grouping": grouping,
        "groups": groups,
        "chosen": chosen,
        "special_causes": causes,
        "missing_returns": performance.missing_returns(basket.terms.la_code),
        "snapshot": performance.snapshot(),
    }
