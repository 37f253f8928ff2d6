"""The performance pages' figures: the basket assessed, trends, benchmarks, explanations.

Calls the engine (`basket_results`, `compute`, `explain`), `assess` and the published
benchmarks; builds no query itself.

Results are cached by what they are computed from: the warehouse snapshot's contents (its
tables' checksums: accepting an upload or a rollback moves the snapshot, so nothing stale is
served), and the records they read, as values — the contract's terms (basket, targets,
tolerances, as `ContractTerms` JSON) and the change points — so a target edited or a change
point added is a new key (a records-wide version would also move with every audited view of
"explain this figure", and empty the cache each time). The cache is `SingleFlight`: requests
for one key wait for one computation, different keys compute in parallel, each on a DuckDB
connection of its own borrowed from the snapshot's pool (a connection is never shared
between threads).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, assert_never

import numpy as np
import pandas as pd
from markupsafe import Markup

from cscmonitor.assess import (
    RAG,
    Change,
    Computed,
    change_between,
    computed_for,
    contract_years_with_results,
)
from cscmonitor.basket import basket_results, data_span
from cscmonitor.benchmarks.mapping import BY_CODE
from cscmonitor.benchmarks.published import comparators_for, year_name
from cscmonitor.benchmarks.store import MANIFEST as BENCHMARKS_MANIFEST
from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.benchmarks.values import Published
from cscmonitor.figures import Asked, Figure, build_figures, contract_year_figures
from cscmonitor.framework_figures import (
    Section,
    framework_figures,
    framework_sections,
    published_measures,
    section_of,
)
from cscmonitor.indicators.engine import (
    INCOMPLETE_DATA,
    INSUFFICIENT_DATA,
    NO_DATA,
    compute,
    explain,
)
from cscmonitor.indicators.framework import Framework
from cscmonitor.indicators.registry import Indicator, Polarity, Unit, all_indicators, get
from cscmonitor.periods import Period, Series, add_months, financial_year, series
from cscmonitor.spc import Dated
from cscmonitor.terms import ContractTerms
from cscmonitor.warehouse import (
    Snapshot,
    Warehouse,
    WarehouseTables,
    missing_return_text,
    missing_returns,
)
from cscmonitor.web import charts
from cscmonitor.wording import Tone, format_date, format_value, missing_text, rag_text

T = TypeVar("T")
CACHE_ENTRIES = 256
EXPLAIN_PAGE = 100  # rows per page of "explain this figure"


class NoData(LookupError):
    """No warehouse snapshot, or no contract year with results, to show."""


def domain_of(indicator: Indicator) -> tuple[str, str]:
    """The indicator's domain (key, title), as its registration declares it."""
    return indicator.domain.value, indicator.domain.label


def framework_of(indicator: Indicator) -> tuple[str, str]:
    """The National Framework outcome or enabler (key, title) its registration tags it with."""
    element = indicator.framework.framework
    return element.value, element.label


# The GOV.UK tag colour of each RAG tone (the tag's text says the RAG; colour only repeats it).
GREY_TAG = "govuk-tag--grey"
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
    """A trend point's value in its unit, or why there is none (the figure model's words)."""
    value = computed.usable_value
    return missing_text(computed.status) if value is None else unit.display(value)


def interval(computed: Computed, unit: Unit) -> str:
    if computed.usable_value is None or computed.ci_lower is None or computed.ci_upper is None:
        return "not available"
    return f"{format_value(computed.ci_lower, unit)} to {format_value(computed.ci_upper, unit)}"


def travel_arrow(figure: Figure) -> str:
    """The arrow beside the travel: how the figure moved as displayed, whatever chance says."""
    return arrow(
        change_between(
            figure.baseline_year.usable_value,
            figure.latest.usable_value,
            decimals=figure.indicator.unit.decimals,
        )
    )


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
    framework: str
    framework_title: str
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
    outlook: str  # the trajectory to the next milestone, as the figure model words it
    variation: str  # the control chart's two icons, as the figure model words them
    assurance: str


@dataclass(frozen=True)
class MeasureRow:
    """A framework measure as its outcome's or enabler's page shows it: the figure model, its
    RAG as a GOV.UK tag and its trend as a sparkline (the figures are in `trend_text`)."""

    figure: Figure
    rag: str
    rag_class: str
    sparkline: Markup


@dataclass(frozen=True)
class FrameworkPage:
    """One outcome or enabler: its section of the framework figure model, rows to show."""

    section: Section
    rows: tuple[MeasureRow, ...]
    period: Period


def measure_row(figure: Figure) -> MeasureRow:
    rag, rag_class = rag_tag(figure.rag)
    values = [c.usable_value for c in figure.trend]
    label = f"{figure.indicator.title}: rolling 12 months, quarter by quarter"
    return MeasureRow(figure, rag, rag_class, charts.sparkline(values, label=label))


@dataclass(frozen=True)
class SpecialCause:
    """A figure whose latest month charted is a special cause (the dashboard lists these)."""

    code: str
    title: str
    month: str
    signal: str
    rule: str
    variation: str  # the figure model's words


@dataclass(frozen=True)
class ControlRow:
    """A control chart's point as the table under the chart shows it."""

    month: str
    value: str
    mean: str
    limits: str
    phase: str
    signal: str
    rule: str


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
    framework_title: str
    in_basket: bool
    year: int | None
    figure: Figure | None
    rag: str
    rag_class: str
    value: str
    interval: str
    target: str
    tolerance: str
    direction: str
    band: str
    england: str
    neighbours: str
    outlooks: tuple[str, ...]
    chart: Markup
    variation: str  # the control chart's icons, as the figure model words them
    variation_key: str  # the `spc.Variation` value ("" when not charted)
    assurance: str
    assurance_key: str
    control_chart: Markup
    control_rows: tuple[ControlRow, ...]
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
    # The rows as text, made once (on the first call of `readable`): every page of the
    # explanation and its CSV show them, and one explanation is shared by every request.
    _readable: list[tuple[list[str], list[list[str]]]] = field(
        default_factory=list, repr=False, compare=False
    )

    def readable(self) -> tuple[list[str], list[list[str]]]:
        """Every row as people read it: column names in words, dates as dates, yes/no."""
        if not self._readable:
            self._readable.append((readable_columns(self.rows), readable_rows(self.rows)))
        return self._readable[0]

    def csv(self) -> bytes:
        """Every row as CSV, in the words and formats the page shows."""
        columns, rows = self.readable()
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(columns)
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")

    @property
    def csv_name(self) -> str:
        return f"{self.code}-{self.la_code}-{self.period.start}-{self.period.end}.csv"


# Words in column names written as people write them.
_NAMED = {"id": "ID", "la": "LA", "rne": "RNE", "fte": "FTE", "cin": "CIN", "cpp": "CPP"}


def readable_columns(rows: pd.DataFrame) -> list[str]:
    """`child_id` → `Child ID`, `referral_date` → `Referral date`."""
    named = []
    for column in rows.columns:
        words = [_NAMED.get(w, w) for w in str(column).split("_")]
        text = " ".join(words)
        named.append(text[:1].upper() + text[1:])
    return named


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = pd.Timestamp(value)
        if value == value.normalize():
            return format_date(value.date())
        return f"{format_date(value.date())} {value:%H:%M}"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float | np.floating | int | np.integer):
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    return str(value)


def readable_rows(rows: pd.DataFrame) -> list[list[str]]:
    """The cells as text, column by column (one pass per column, not per cell kind)."""
    columns = [rows[c].map(_cell).tolist() for c in rows.columns]
    return [list(cells) for cells in zip(*columns, strict=True)] if columns else []


def _count(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class SingleFlight:
    """A bounded cache in which each key is computed once however many ask at the same time.

    The first caller of a key computes it (the lock is held only to look up and record, never
    while computing); callers of the same key meanwhile wait for that result (or its
    exception, which is not cached); callers of other keys compute in parallel. The least
    recently used entries go beyond `entries`.
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._lock = threading.Lock()
        self._done: OrderedDict[Any, Any] = OrderedDict()
        self._running: dict[Any, _Flight] = {}

    def get(self, key: Any, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            flight = self._running.get(key)
            leader = flight is None
            if flight is None:
                flight = self._running[key] = _Flight(threading.get_ident())
        if not leader:
            if flight.thread == threading.get_ident():
                raise RuntimeError(f"{key!r} asked for while it is being computed")
            flight.finished.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = make()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            with self._lock:
                self._done[key] = flight.value
                while len(self._done) > self.entries:
                    self._done.popitem(last=False)
            return flight.value
        finally:
            with self._lock:
                del self._running[key]
            flight.finished.set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()


@dataclass
class _Flight:
    thread: int  # the computing thread (asking again from it would wait forever)
    finished: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


# Figures depend only on a snapshot's contents, the bundled tables and the records' values in
# their keys, so the cache is shared by every app in the process.
_CACHE = SingleFlight(CACHE_ENTRIES)
# Idle DuckDB connections kept per snapshot (more are made while more compute at once).
POOL_IDLE = 4


def _store_key(folder: Path) -> tuple[int, int, int] | tuple[()]:
    """The imported benchmark releases: the identity of the store's manifest, which names
    every release and is replaced whole (never edited) by each import, after the release's
    file is written (the bundled tables come with the code)."""
    try:
        found = (folder / BENCHMARKS_MANIFEST).stat()
    except OSError:
        return ()
    return found.st_ino, found.st_mtime_ns, found.st_size


class Performance:
    def __init__(self, warehouse: Warehouse, benchmarks_dir: Path) -> None:
        self.warehouse = warehouse
        self.benchmarks_dir = benchmarks_dir
        # Idle DuckDB connections of the current snapshot: a computation borrows one, so no
        # connection is used by two threads at once (`_tables`).
        self._pool_lock = threading.Lock()
        self._pool_snapshot: str | None = None
        self._idle: list[WarehouseTables] = []
        # The current snapshot and the mark it was read under (`snapshot`).
        self._current: tuple[object, Snapshot] | None = None

    def _memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return _CACHE.get(key, make)

    def snapshot(self) -> Snapshot:
        """The current snapshot. Its manifest is read again only when the warehouse's mark
        moves (a new snapshot, a rollback): a page asks several times, and parsing the
        manifest each time was a tenth of the dashboard's processor time."""
        mark = self.warehouse.current_mark()  # before reading: a move meanwhile reads again
        held = self._current
        if mark is not None and held is not None and held[0] == mark:
            return held[1]
        snapshot = self.warehouse.current()
        if snapshot is None:
            raise NoData("No returns have been loaded yet: upload them on the Data page")
        if mark is not None:
            self._current = (mark, snapshot)
        return snapshot

    def source_key(self) -> tuple[str, str, tuple[int, ...]]:
        """What every figure is made from besides the records: the current snapshot (its id,
        which the pages name, and its contents) and the imported benchmark releases."""
        snapshot = self.snapshot()
        return snapshot.id, snapshot.content_key, _store_key(self.benchmarks_dir)

    @contextmanager
    def _tables(self, snapshot: Snapshot) -> Iterator[WarehouseTables]:
        """A DuckDB view of the snapshot for this thread alone, returned to the pool after."""
        with self._pool_lock:
            if self._pool_snapshot != snapshot.id:  # a new snapshot: the old views go
                self._pool_snapshot, self._idle = snapshot.id, []
            tables = self._idle.pop() if self._idle else None
        if tables is None:
            tables = self.warehouse.tables(snapshot)
        try:
            yield tables
        finally:
            with self._pool_lock:
                if self._pool_snapshot == snapshot.id and len(self._idle) < POOL_IDLE:
                    self._idle.append(tables)

    def results(self, terms: ContractTerms) -> pd.DataFrame:
        """The basket for the contract's LA: baseline year and each ended contract year."""
        snapshot = self.snapshot()
        codes = tuple(e.indicator for e in terms.basket)
        key = ("results", snapshot.content_key, terms.la_code, terms.start_date, codes)

        def make() -> pd.DataFrame:
            with self._tables(snapshot) as tables:
                return basket_results(tables, terms)

        return self._memo(key, make)

    def years(self, terms: ContractTerms) -> list[int]:
        key = ("years", self.snapshot().content_key, terms.model_dump_json())
        return self._memo(key, lambda: contract_years_with_results(self.results(terms), terms))

    def _figures_key(
        self,
        kind: str,
        snapshot: Snapshot,
        terms: ContractTerms,
        year: int,
        as_at: dt.date,
        phases: Sequence[Dated],
    ) -> tuple[Any, ...]:
        """What a set of figures depends on: the snapshot's contents, the imported benchmarks,
        the contract, the year, the as-at date and the change points."""
        return (
            kind,
            snapshot.content_key,
            _store_key(self.benchmarks_dir),
            terms.model_dump_json(),
            year,
            as_at,
            tuple(phases),
        )

    def figures(
        self,
        terms: ContractTerms,
        year: int,
        as_at: dt.date,
        phases: Sequence[Dated] = (),
    ) -> tuple[Figure, ...]:
        """The basket's figure model for contract `year` as at a date (built once, cached);
        `phases` are the records' change points, where the control charts rebase."""
        snapshot = self.snapshot()
        key = self._figures_key("figures", snapshot, terms, year, as_at, phases)

        def make() -> tuple[Figure, ...]:
            published = self.published()
            with self._tables(snapshot) as tables:
                return contract_year_figures(
                    tables, terms, year, as_at=as_at, published=published, change_points=phases
                )

        return self._memo(key, make)

    def figure(
        self,
        terms: ContractTerms,
        year: int,
        as_at: dt.date,
        code: str,
        phases: Sequence[Dated] = (),
    ) -> Figure:
        """One indicator's figure: the basket's, or (outside the basket) one without terms."""
        found = next((f for f in self.figures(terms, year, as_at, phases) if f.code == code), None)
        if found is not None:
            return found
        snapshot = self.snapshot()
        key = (
            "figure",
            snapshot.content_key,
            _store_key(self.benchmarks_dir),
            terms.model_dump_json(),
            code,
            year,
            as_at,
            tuple(phases),
        )

        def make() -> Figure:
            published = self.published()
            with self._tables(snapshot) as tables:
                return build_figures(
                    tables,
                    terms,
                    terms.contract_year(year),
                    as_at=as_at,
                    published=published,
                    asked=[Asked(code)],
                    year=year,
                    change_points=phases,
                )[0]

        return self._memo(key, make)

    def trend(self, la: str, codes: Sequence[str]) -> pd.DataFrame:
        """Rolling 12-month figures at each quarter end the held returns cover."""
        snapshot = self.snapshot()

        def make() -> pd.DataFrame:
            with self._tables(snapshot) as tables:
                return self._compute_trend(tables, la, codes)

        return self._memo(("trend", snapshot.content_key, la, tuple(codes)), make)

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

    def framework(
        self, terms: ContractTerms, year: int, as_at: dt.date, phases: Sequence[Dated] = ()
    ) -> tuple[Section, ...]:
        """Every outcome and enabler with all its measures for contract `year` as at a date:
        the framework figure model, built once for all of them and cached."""
        snapshot = self.snapshot()
        key = self._figures_key("framework", snapshot, terms, year, as_at, phases)

        def build() -> tuple[Section, ...]:
            published = self.published()
            with self._tables(snapshot) as tables:
                figures = framework_figures(
                    tables,
                    terms,
                    terms.contract_year(year),
                    as_at=as_at,
                    published=published,
                    year=year,
                    change_points=phases,
                )
            others = published_measures(terms.la_code, as_at, published)
            return framework_sections(figures, others)

        return self._memo(key, build)

    def framework_page(
        self,
        terms: ContractTerms,
        year: int,
        as_at: dt.date,
        element: Framework,
        phases: Sequence[Dated] = (),
    ) -> FrameworkPage:
        """The outcome's or enabler's page: each measure's figure as a row."""
        section = section_of(self.framework(terms, year, as_at, phases), element)
        rows = tuple(measure_row(f) for f in section.figures)
        return FrameworkPage(section, rows, terms.contract_year(year))

    def published(self) -> Published:
        return self._memo(
            ("published", _store_key(self.benchmarks_dir)),
            lambda: Published(BenchmarkStore(self.benchmarks_dir).published()),
        )

    def benchmarks(self, la: str, year: int) -> pd.DataFrame:
        """Every published comparator for the LA in financial year `year` (first calendar year)."""
        return self._memo(
            ("benchmarks", _store_key(self.benchmarks_dir), la, year),
            lambda: comparators_for(self.published(), la, year),
        )

    def tiles(
        self,
        terms: ContractTerms,
        year: int,
        as_at: dt.date | None = None,
        phases: Sequence[Dated] = (),
    ) -> list[Tile]:
        """The basket as tiles: the figure model's value, target, RAG and travel, a sparkline,
        as at a date (default today)."""
        as_at = as_at or dt.date.today()
        key = (
            "tiles",
            self.snapshot().content_key,
            _store_key(self.benchmarks_dir),
            terms.model_dump_json(),
            year,
            as_at,
            tuple(phases),
        )
        return self._memo(key, lambda: self._tiles(terms, year, as_at, phases))

    def special_causes(
        self, terms: ContractTerms, year: int, as_at: dt.date, phases: Sequence[Dated] = ()
    ) -> tuple[SpecialCause, ...]:
        """The basket's figures whose latest month charted is a special cause."""
        return special_causes(self.figures(terms, year, as_at, phases))

    def missing_returns(self, la: str) -> tuple[str, ...]:
        """Every return of the LA missing between two held, named (issue 13)."""
        snapshot = self.snapshot()
        return self._memo(
            ("missing", snapshot.content_key, la),
            lambda: missing_return_texts(snapshot.manifest.get("returns", []), la),
        )

    def _tiles(
        self, terms: ContractTerms, year: int, as_at: dt.date, phases: Sequence[Dated]
    ) -> list[Tile]:
        figures = self.figures(terms, year, as_at, phases)
        trend = self.trend(terms.la_code, [f.code for f in figures])
        tiles = []
        for f in figures:
            unit = f.indicator.unit
            rows = trend[trend["indicator"] == f.code]
            rows = rows[pd.to_datetime(rows["period_end"]).dt.date <= as_at]
            values = [
                _number(v) if s not in (NO_DATA, INSUFFICIENT_DATA) else None
                for v, s in zip(rows["value"], rows["status"], strict=True)
            ]
            ends = list(rows["period_end"])
            rag, rag_class = rag_tag(f.rag)
            key, domain = domain_of(f.indicator)
            element, element_title = framework_of(f.indicator)
            text = "; ".join(
                f"{pd.Timestamp(e):%b %Y}: {format_value(v, unit) if v is not None else 'none'}"
                for e, v in zip(ends, values, strict=True)
            )
            tiles.append(
                Tile(
                    code=f.code,
                    title=f.indicator.title,
                    domain=key,
                    domain_title=domain,
                    framework=element,
                    framework_title=element_title,
                    value=f.value_text(),
                    period=f.period.label,
                    target=f.target_text,
                    tolerance=f.tolerance_text,
                    rag=rag,
                    rag_class=rag_class,
                    direction=f.travel_text,
                    arrow=travel_arrow(f),
                    sparkline=charts.sparkline(
                        values, label=f"{f.indicator.title}: rolling 12 months, quarter by quarter"
                    ),
                    trend_text=text,
                    outlook=f.outlook_texts[0] if f.outlook_texts else "",
                    variation=f.variation_text,
                    assurance=f.assurance_text,
                )
            )
        return tiles

    def indicator_page(
        self,
        terms: ContractTerms,
        year: int,
        code: str,
        as_at: dt.date,
        phases: Sequence[Dated] = (),
    ) -> IndicatorPage:
        """Everything the indicator page shows for `code` (in the basket or not), as at a date
        (built once for its inputs, like the figures it shows)."""
        key = (
            "indicator page",
            self.snapshot().content_key,
            _store_key(self.benchmarks_dir),
            terms.model_dump_json(),
            year,
            code,
            as_at,
            tuple(phases),
        )
        return self._memo(key, lambda: self._indicator_page(terms, year, code, as_at, phases))

    def _indicator_page(
        self,
        terms: ContractTerms,
        year: int,
        code: str,
        as_at: dt.date,
        phases: Sequence[Dated],
    ) -> IndicatorPage:
        indicator = get(code)
        unit = indicator.unit
        la = terms.la_code
        in_basket = any(e.indicator == code for e in terms.basket)
        figure = self.figure(terms, year, as_at, code, phases)
        trend = self.trend(la, [code])
        trend = trend[
            (trend["indicator"] == code) & (pd.to_datetime(trend["period_end"]).dt.date <= as_at)
        ]
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
        figures = self._figures(terms, code, as_at) if in_basket else ()
        bench_rows, points_e, points_sn = self._benchmarks(la, code, trend_rows)
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
        target, tolerance = figure.asked.target, figure.asked.tolerance
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
        rag, rag_class = rag_tag(figure.rag) if in_basket else ("Not in the basket", GREY_TAG)
        _key, domain = domain_of(indicator)
        return IndicatorPage(
            indicator=indicator,
            domain_title=domain,
            framework_title=framework_of(indicator)[1],
            in_basket=in_basket,
            year=year,
            figure=figure,
            rag=rag,
            rag_class=rag_class,
            value=figure.value_text(),
            interval=figure.interval_text(),
            target=figure.target_text,
            tolerance=figure.tolerance_text,
            direction=f"{travel_arrow(figure)} {figure.travel_text}".strip(),
            band=figure.band_text,
            england=figure.england_text,
            neighbours=figure.neighbours_text,
            outlooks=figure.outlook_texts,
            chart=chart,
            variation=figure.variation_text,
            variation_key=figure.control.variation,
            assurance=figure.assurance_text,
            assurance_key=figure.control.assurance,
            control_chart=control_chart(figure),
            control_rows=control_rows(figure),
            trend=trend_rows,
            figures=figures,
            benchmarks=bench_rows,
        )

    def _figures(self, terms: ContractTerms, code: str, as_at: dt.date) -> tuple[FigureRow, ...]:
        results = self.results(terms)
        unit = get(code).unit
        periods = [("Baseline year", terms.baseline_period())] + [
            (f"Contract year {n}", terms.contract_year(n))
            for n in self.years(terms)
            if terms.contract_year(n).end <= as_at
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
        self, la: str, code: str, trend: Sequence[TrendRow]
    ) -> tuple[tuple[BenchmarkRow, ...], tuple[charts.Point, ...], tuple[charts.Point, ...]]:
        """DfE's published figures for each financial year the trend spans (the LA's own
        published figure and band beside England's); the figure's band is the figure model's."""
        if code not in BY_CODE or not trend:
            return (), (), ()
        unit = get(code).unit
        first = trend[0].period.end.year - 1
        last_end = trend[-1].period.end
        rows, england, neighbours = [], [], []
        for fy in range(first, last_end.year + 1):
            fy_end = financial_year(fy).end
            if fy_end > last_end:
                break
            table = self.benchmarks(la, fy)
            found = table[table["code"] == code]
            if found.empty:
                continue
            r = found.iloc[0]

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
        return tuple(rows), tuple(england), tuple(neighbours)

    def explain(self, code: str, la: str, period: Period) -> Explanation:
        snapshot = self.snapshot()

        def build() -> Explanation:
            with self._tables(snapshot) as tables:
                figure = compute(tables, [period], codes=[code], las=[la]).iloc[0]
                rows = explain(tables, code, period, la)
            explanation = Explanation(
                code,
                la,
                period,
                rows,
                float(figure["numerator"]) if pd.notna(figure["numerator"]) else 0.0,
                float(figure["denominator"]) if pd.notna(figure["denominator"]) else 0.0,
            )
            explanation.readable()  # made here, once, not by each request that shows it
            return explanation

        return self._memo(("explain", snapshot.content_key, code, la, period), build)


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


def special_causes(figures: Sequence[Figure]) -> tuple[SpecialCause, ...]:
    """The figures whose latest month charted is a special cause, concerns first."""
    flagged = [f for f in figures if f.control.signal]
    flagged.sort(key=lambda f: f.control.signal != "concern")
    return tuple(
        SpecialCause(
            code=f.code,
            title=f.indicator.title,
            month=f"{f.control.month:%B %Y}",
            signal=f.control.signal.capitalize(),
            rule=f.control.signal_rule,
            variation=f.variation_text,
        )
        for f in flagged
    )


def missing_return_texts(returns: list[dict[str, Any]], la: str) -> tuple[str, ...]:
    """`The CIN census return for 2015 (LA 371) is not held, though earlier and later ones are:
    figures reaching into its year have status "return missing".`"""
    return tuple(
        missing_return_text(code, kind, year)
        for code, kind, year in missing_returns(returns)
        if code == la
    )


def _control_frame(figure: Figure) -> pd.DataFrame:
    rows = figure.control.points
    return rows.assign(period_end=pd.to_datetime(rows["period_end"]).dt.date)


def control_chart(figure: Figure) -> Markup:
    """The figure's control chart as SVG: what the figure model charted, nothing recomputed."""
    rows = _control_frame(figure)
    if rows.empty:
        return Markup("")
    points = [
        charts.Marked(on, float(v), str(s))
        for on, v, s in zip(rows["period_end"], rows["value"], rows["signal"], strict=True)
    ]
    phases = [
        charts.Phase(
            name=str(name),
            starts=None if pd.isna(part["phase_start"].iloc[0]) else part["phase_start"].iloc[0],
            ends=tuple(part["period_end"]),
            mean=tuple(part["mean"].astype(float)),
            lower=tuple(part["lower_limit"].astype(float)),
            upper=tuple(part["upper_limit"].astype(float)),
        )
        for name, part in rows.groupby("phase", sort=False)
    ]
    target = _number(rows["target"].iloc[-1])
    unit = figure.indicator.unit
    return charts.control_chart(
        points,
        phases,
        target,
        ident="control",
        title=f"{figure.indicator.title}: control chart, month by month",
        description=(
            f"{figure.variation_text}. {figure.assurance_text}. Each month's value, coloured "
            "and shaped by its signal, with each phase's mean and process limits and the "
            "target. The same figures are in the table below."
        ),
        unit_suffix="%" if unit is Unit.PERCENT else "",
    )


def control_rows(figure: Figure) -> tuple[ControlRow, ...]:
    """The control chart's points as the table beside it shows them."""
    rows, unit = _control_frame(figure), figure.indicator.unit
    return tuple(
        ControlRow(
            month=f"{r['period_end']:%b %Y}",
            value=unit.display(float(r["value"])),
            mean=unit.display(float(r["mean"])),
            limits=f"{unit.display(float(r['lower_limit']))} to "
            f"{unit.display(float(r['upper_limit']))}",
            phase=str(r["phase"]),
            signal=str(r["signal"]).capitalize() or "None",
            rule=str(r["signal_rule"]),
        )
        for r in rows.to_dict("records")
    )


def indicator_list() -> list[tuple[Indicator, str]]:
    """Every registered indicator with its domain title."""
    return [(i, domain_of(i)[1]) for i in all_indicators()]


def contract_year_period(terms: ContractTerms, label: str) -> Period:
    """`baseline` or a contract year number, as its period."""
    if label == "baseline":
        return terms.baseline_period()
    return terms.contract_year(int(label))
