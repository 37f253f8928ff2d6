"""The performance pages' figures: the basket assessed, trends, benchmarks, explanations.

Calls the engine (`basket_results`, `compute`, `explain`), `assess` and the published
benchmarks; builds no query itself. Results are cached per warehouse snapshot
(accepting an upload or a rollback moves the snapshot, so nothing stale is served), and one
lock keeps the snapshot's DuckDB connection to one thread at a time.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, assert_never

import pandas as pd
from markupsafe import Markup

from cscmonitor.assess import (
    RAG,
    Assessment,
    Change,
    Computed,
    assess,
    computed_for,
    contract_years_with_results,
)
from cscmonitor.basket import basket_results, data_span
from cscmonitor.benchmarks.mapping import BY_CODE
from cscmonitor.benchmarks.published import comparators_for, year_name
from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    INSUFFICIENT_DATA,
    NO_DATA,
    compute,
    explain,
)
from cscmonitor.indicators.registry import Indicator, Polarity, Unit, all_indicators, get
from cscmonitor.periods import Period, Series, add_months, financial_year, series
from cscmonitor.reports.document import Tone
from cscmonitor.reports.summary import format_agreed, format_tolerance, format_value
from cscmonitor.reports.wording import rag_text
from cscmonitor.terms import ContractTerms as Contract
from cscmonitor.warehouse import Snapshot, Warehouse, WarehouseTables
from cscmonitor.web import charts

T = TypeVar("T")
DOMAINS = {
    "referrals": "Referrals and assessments",
    "child_protection": "Child protection",
    "looked_after": "Children looked after",
    "care_leavers": "Care leavers",
    "adoption": "Adoption",
    "virtual_school": "Education of children looked after",
    "early_help": "Early help",
    "workforce": "Workforce",
}
CACHE_ENTRIES = 256


class NoData(LookupError):
    """No warehouse snapshot, or no contract year with results, to show."""


def domain_of(indicator: Indicator) -> tuple[str, str]:
    """The indicator's domain (key, title): the registry module it is declared in."""
    key = indicator.body.__module__.rsplit(".", 1)[-1]
    return key, DOMAINS.get(key, indicator.source.label)


# The GOV.UK tag colour of each RAG tone (the tag's text says the RAG; colour only repeats it).
GOVUK_TAGS: dict[Tone, str] = {
    "green": "govuk-tag--green",
    "amber": "govuk-tag--yellow",
    "red": "govuk-tag--red",
    "grey": "govuk-tag--grey",
    "none": "govuk-tag--blue",
}


def rag_tag(rag: RAG) -> tuple[str, str]:
    """The RAG as a GOV.UK tag: the reports' wording, and the tag's class."""
    text, tone = rag_text(rag)
    return text, GOVUK_TAGS[tone]


def arrow(change: Change) -> str:
    match change:
        case Change.INCREASE:
            return "▲"
        case Change.REDUCTION:
            return "▼"
        case Change.NO_CHANGE:
            return "▶"
        case Change.NOT_COMPARABLE:
            return ""
        case _:
            assert_never(change)


def shown(computed: Computed, unit: Unit) -> str:
    value = computed.usable_value
    if value is None:
        return INSUFFICIENT_DATA if computed.status == INSUFFICIENT_DATA else NO_DATA
    return format_value(value, unit)


def interval(computed: Computed, unit: Unit) -> str:
    if computed.usable_value is None or computed.ci_lower is None or computed.ci_upper is None:
        return "not available"
    return f"{format_value(computed.ci_lower, unit)} to {format_value(computed.ci_upper, unit)}"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class Tile:
    code: str
    title: str
    domain: str
    domain_title: str
    value: str
    period: str
    target: str
    tolerance: str
    rag: str
    rag_class: str
    direction: str
    arrow: str
    sparkline: Markup
    trend_text: str  # the sparkline's figures, for the table beside it


@dataclass(frozen=True)
class TrendRow:
    period: Period
    value: str
    interval: str
    numerator: str
    denominator: str
    status: str
    raw: float | None


@dataclass(frozen=True)
class BenchmarkRow:
    year: str
    la: str
    england: str
    region: str
    neighbours: str
    band: str
    vs_england: str


@dataclass(frozen=True)
class FigureRow:
    label: str
    period: Period
    value: str
    interval: str
    numerator: str
    denominator: str
    status: str


@dataclass(frozen=True)
class IndicatorPage:
    indicator: Indicator
    domain_title: str
    in_basket: bool
    year: int | None
    assessment: Assessment | None
    rag: str
    rag_class: str
    value: str
    interval: str
    target: str
    tolerance: str
    direction: str
    band: str
    chart: Markup
    trend: tuple[TrendRow, ...]
    figures: tuple[FigureRow, ...]
    benchmarks: tuple[BenchmarkRow, ...]


@dataclass(frozen=True)
class Explanation:
    """The records behind one figure (the engine's own query), and the figure's parts."""

    code: str
    la_code: str
    period: Period
    rows: pd.DataFrame  # `counted` first: true for the records in the numerator
    numerator: float
    denominator: float


def _count(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# Figures depend only on a snapshot's contents (and the bundled tables), so the cache is keyed
# by the snapshot's checksums and shared by every app in the process.
_LOCK = threading.RLock()
_CACHE: dict[tuple[Any, ...], Any] = {}


def content_key(snapshot: Snapshot) -> str:
    """What a snapshot holds, as its tables' checksums (its id and path where it has none)."""
    sums = snapshot.manifest.get("parquet_sha256")
    if not sums:
        return f"{snapshot.path}:{snapshot.id}"
    return hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest()


def _store_key(folder: Path) -> tuple[tuple[str, int], ...]:
    """The imported benchmark files (the bundled ones come with the code)."""
    if not folder.exists():
        return ()
    return tuple(
        sorted(
            (str(p.relative_to(folder)), p.stat().st_mtime_ns)
            for p in folder.rglob("*")
            if p.is_file()
        )
    )


class Performance:
    def __init__(self, warehouse: Warehouse, benchmarks_dir: Path) -> None:
        self.warehouse = warehouse
        self.benchmarks_dir = benchmarks_dir
        # One DuckDB connection per snapshot for this app; DuckDB wants one thread at a time.
        self._tables_held: dict[str, WarehouseTables] = {}

    def _memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
            value = make()
            if len(_CACHE) >= CACHE_ENTRIES:
                _CACHE.clear()
            _CACHE[key] = value
            return value

    def snapshot(self) -> Snapshot:
        snapshot = self.warehouse.current()
        if snapshot is None:
            raise NoData("No returns have been loaded yet: upload them on the Data page")
        return snapshot

    def _tables(self, snapshot: Snapshot) -> WarehouseTables:
        with _LOCK:
            if snapshot.id not in self._tables_held:
                self._tables_held[snapshot.id] = self.warehouse.tables(snapshot)
            return self._tables_held[snapshot.id]

    def results(self, terms: Contract) -> pd.DataFrame:
        """The basket for the contract's LA: baseline year and each ended contract year."""
        snapshot = self.snapshot()
        codes = tuple(e.indicator for e in terms.basket)
        key = ("results", content_key(snapshot), terms.la_code, terms.start_date, codes)
        return self._memo(key, lambda: basket_results(self._tables(snapshot), terms))

    def years(self, terms: Contract) -> list[int]:
        key = ("years", content_key(self.snapshot()), terms.model_dump_json())
        return self._memo(key, lambda: contract_years_with_results(self.results(terms), terms))

    def assessments(self, terms: Contract, year: int) -> list[Assessment]:
        key = ("assessments", content_key(self.snapshot()), terms.model_dump_json(), year)
        return self._memo(key, lambda: assess(self.results(terms), terms, year=year))

    def trend(self, la: str, codes: Sequence[str]) -> pd.DataFrame:
        """Rolling 12-month figures at each quarter end the held returns cover."""
        snapshot = self.snapshot()
        return self._memo(
            ("trend", content_key(snapshot), la, tuple(codes)),
            lambda: self._compute_trend(self._tables(snapshot), la, codes),
        )

    def _compute_trend(
        self, tables: WarehouseTables, la: str, codes: Sequence[str]
    ) -> pd.DataFrame:
        span = data_span(tables, la)
        if span is None or add_months(span[0], 12) > span[1]:
            return pd.DataFrame(columns=["indicator", "period_start", "period_end", "value"])
        periods = series(Series.QUARTERLY, add_months(span[0], 12), span[1], rolling=True)
        figures = compute(tables, periods, codes=list(codes), las=[la])
        # A rolling year is shown once the indicator's returns cover all of it: the engine
        # marks the years before as without (or with part of) the data.
        figures = figures.sort_values(["indicator", "period_end"], ignore_index=True)
        covered = ~figures["status"].isin([NO_DATA, INCOMPLETE_DATA])
        return figures[covered.groupby(figures["indicator"]).cummax()].reset_index(drop=True)

    def published(self) -> Published:
        return self._memo(
            ("published", _store_key(self.benchmarks_dir)),
            lambda: BenchmarkStore(self.benchmarks_dir).published(),
        )

    def benchmarks(self, la: str, year: int) -> pd.DataFrame:
        """Every published comparator for the LA in financial year `year` (first calendar year)."""
        return self._memo(
            ("benchmarks", _store_key(self.benchmarks_dir), la, year),
            lambda: comparators_for(self.published(), la, year),
        )

    def tiles(self, terms: Contract, year: int) -> list[Tile]:
        """The basket as tiles: value, target, RAG, direction and a sparkline of the trend."""
        key = ("tiles", content_key(self.snapshot()), terms.model_dump_json(), year)
        return self._memo(key, lambda: self._tiles(terms, year))

    def _tiles(self, terms: Contract, year: int) -> list[Tile]:
        assessments = self.assessments(terms, year)
        trend = self.trend(terms.la_code, [a.indicator.code for a in assessments])
        tiles = []
        for a in assessments:
            unit = a.indicator.unit
            rows = trend[trend["indicator"] == a.indicator.code]
            values = [
                _number(v) if s not in (NO_DATA, INSUFFICIENT_DATA) else None
                for v, s in zip(rows["value"], rows["status"], strict=True)
            ]
            ends = list(rows["period_end"])
            rag, rag_class = rag_tag(a.rag)
            key, domain = domain_of(a.indicator)
            text = "; ".join(
                f"{pd.Timestamp(e):%b %Y}: {format_value(v, unit) if v is not None else 'none'}"
                for e, v in zip(ends, values, strict=True)
            )
            tiles.append(
                Tile(
                    code=a.indicator.code,
                    title=a.indicator.title,
                    domain=key,
                    domain_title=domain,
                    value=shown(a.latest, unit),
                    period=a.latest.period.label,
                    target="none" if a.target is None else format_agreed(a.target, unit),
                    tolerance="none"
                    if a.tolerance is None
                    else format_tolerance(a.tolerance, unit),
                    rag=rag,
                    rag_class=rag_class,
                    direction=a.direction.value.capitalize(),
                    arrow=arrow(a.change),
                    sparkline=charts.sparkline(
                        values, label=f"{a.indicator.title}: rolling 12 months, quarter by quarter"
                    ),
                    trend_text=text,
                )
            )
        return tiles

    def indicator_page(self, terms: Contract | None, year: int | None, code: str) -> IndicatorPage:
        """Everything the indicator page shows for `code` (in the basket or not)."""
        indicator = get(code)
        unit = indicator.unit
        la = terms.la_code if terms is not None else None
        if la is None:
            raise NoData("No contract is held, so there is no LA to show")
        in_basket = terms is not None and any(e.indicator == code for e in terms.basket)
        assessment = None
        if in_basket and terms is not None and year is not None:
            assessment = next(a for a in self.assessments(terms, year) if a.indicator.code == code)
        trend = self.trend(la, [code])
        trend = trend[trend["indicator"] == code]
        trend_rows = tuple(
            TrendRow(
                period=Period(
                    pd.Timestamp(r["period_start"]).date(), pd.Timestamp(r["period_end"]).date()
                ),
                value=shown(c, unit),
                interval=interval(c, unit),
                numerator=_count(c.numerator),
                denominator=_count(c.denominator),
                status=str(r["status"]),
                raw=c.usable_value,
            )
            for r in trend.to_dict("records")
            for c in [_computed(r)]
        )
        figures = self._figures(terms, code) if in_basket and terms is not None else ()
        bench_rows, points_e, points_sn, band = self._benchmarks(la, code, trend_rows, year, terms)
        la_points = tuple(
            charts.Point(
                row.period.end,
                row.raw,
                _number(r["ci_lower"]) if row.raw is not None else None,
                _number(r["ci_upper"]) if row.raw is not None else None,
            )
            for row, r in zip(trend_rows, trend.to_dict("records"), strict=True)
        )
        series_ = [charts.Series("This LA (rolling 12 months)", la_points, charts.BLUE, "circle")]
        if points_e:
            series_.append(charts.Series("England", points_e, charts.BLACK, "square", line=False))
        if points_sn:
            series_.append(
                charts.Series(
                    "Statistical neighbours", points_sn, charts.PURPLE, "triangle", line=False
                )
            )
        references = []
        target = assessment.target if assessment else None
        tolerance = assessment.tolerance if assessment else None
        if target is not None:
            band_to = None
            if tolerance:
                band_to = (
                    target + tolerance
                    if indicator.polarity is Polarity.LOWER
                    else target - tolerance
                )
            references.append(charts.Reference("Target (band: tolerance)", target, band_to))
        chart = charts.trend_chart(
            series_,
            references,
            title=f"{indicator.title}: trend",
            description=(
                "Rolling 12-month values at each quarter end with their 95% confidence interval, "
                "the contract target and tolerance, and published England and statistical "
                "neighbour figures by financial year. The same figures are in the tables below."
            ),
            unit_suffix="%" if unit is Unit.PERCENT else "",
        )
        rag, rag_class = (
            rag_tag(assessment.rag) if assessment else ("Not in the basket", "govuk-tag--grey")
        )
        _key, domain = domain_of(indicator)
        return IndicatorPage(
            indicator=indicator,
            domain_title=domain,
            in_basket=in_basket,
            year=year,
            assessment=assessment,
            rag=rag,
            rag_class=rag_class,
            value=shown(assessment.latest, unit)
            if assessment
            else (trend_rows[-1].value if trend_rows else NO_DATA),
            interval=interval(assessment.latest, unit)
            if assessment
            else (trend_rows[-1].interval if trend_rows else ""),
            target="none" if target is None else format_agreed(target, unit),
            tolerance="none" if tolerance is None else format_tolerance(tolerance, unit),
            direction=f"{arrow(assessment.change)} {assessment.direction.value.capitalize()}"
            if assessment
            else "",
            band=band,
            chart=chart,
            trend=trend_rows,
            figures=figures,
            benchmarks=bench_rows,
        )

    def _figures(self, terms: Contract, code: str) -> tuple[FigureRow, ...]:
        results = self.results(terms)
        unit = get(code).unit
        periods = [("Baseline year", terms.baseline_period())] + [
            (f"Contract year {n}", terms.contract_year(n)) for n in self.years(terms)
        ]
        rows = []
        for label, period in periods:
            found = computed_for(results[results["indicator"] == code], period).get(code)
            c = found or Computed.missing(period)
            rows.append(
                FigureRow(
                    label,
                    period,
                    shown(c, unit),
                    interval(c, unit),
                    _count(c.numerator),
                    _count(c.denominator),
                    c.status,
                )
            )
        return tuple(rows)

    def _benchmarks(
        self,
        la: str,
        code: str,
        trend: Sequence[TrendRow],
        year: int | None,
        terms: Contract | None,
    ) -> tuple[tuple[BenchmarkRow, ...], tuple[charts.Point, ...], tuple[charts.Point, ...], str]:
        if code not in BY_CODE or not trend:
            return (), (), (), "not published for this indicator"
        unit = get(code).unit
        first = trend[0].period.end.year - 1
        last_end = trend[-1].period.end
        last = last_end.year
        rows, england, neighbours = [], [], []
        band = "not available"
        focus = None
        if terms is not None and year is not None:
            end = terms.contract_year(year).end
            focus = end.year - (1 if end.month < 4 else 0)
        for fy in range(first, last + 1):
            table = self.benchmarks(la, fy)
            found = table[table["code"] == code]
            if found.empty:
                continue
            r = found.iloc[0]
            fy_end = financial_year(fy).end
            if fy_end > last_end:
                break

            def text(name: str, row: Any = r) -> str:
                value = _number(row[name]) if not isinstance(row[name], str) else None
                return "" if value is None else format_value(value, unit)

            la_text = text("value") or (str(r["flag"]) if isinstance(r["flag"], str) else "")
            if not any((la_text, text("england"), text("sn_mean"))):
                continue
            rows.append(
                BenchmarkRow(
                    year=year_name(fy),
                    la=la_text,
                    england=text("england"),
                    region=text("region"),
                    neighbours=text("sn_mean"),
                    band=r["band"] if isinstance(r["band"], str) else "",
                    vs_england=str(r["vs_england"]),
                )
            )
            if (e := _number(r["england"])) is not None:
                england.append(charts.Point(fy_end, e))
            if (s := _number(r["sn_mean"])) is not None:
                neighbours.append(charts.Point(fy_end, s))
            if isinstance(r["band"], str) and (focus is None or fy <= focus):
                band = f"{r['band']} ({year_name(fy)}, DfE published; A is the best quarter)"
        return tuple(rows), tuple(england), tuple(neighbours), band

    def explain(self, code: str, la: str, period: Period) -> Explanation:
        snapshot = self.snapshot()

        def build() -> Explanation:
            tables = self._tables(snapshot)
            figure = compute(tables, [period], codes=[code], las=[la]).iloc[0]
            return Explanation(
                code,
                la,
                period,
                explain(tables, code, period, la),
                float(figure["numerator"]) if pd.notna(figure["numerator"]) else 0.0,
                float(figure["denominator"]) if pd.notna(figure["denominator"]) else 0.0,
            )

        return self._memo(("explain", content_key(snapshot), code, la, period), build)


def _computed(row: dict[str, Any]) -> Computed:
    return Computed(
        period=Period(
            pd.Timestamp(row["period_start"]).date(), pd.Timestamp(row["period_end"]).date()
        ),
        value=_number(row["value"]),
        ci_lower=_number(row["ci_lower"]),
        ci_upper=_number(row["ci_upper"]),
        numerator=_number(row["numerator"]),
        denominator=_number(row["denominator"]),
        status=str(row["status"]),
    )


def indicator_list() -> list[tuple[Indicator, str]]:
    """Every registered indicator with its domain title."""
    return [(i, domain_of(i)[1]) for i in all_indicators()]


def contract_year_period(terms: Contract, label: str) -> Period:
    """`baseline` or a contract year number, as its period."""
    if label == "baseline":
        return terms.baseline_period()
    return terms.contract_year(int(label))
