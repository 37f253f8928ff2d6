"""Returns without a national standard, read from CSV files whose schemas are in docs/.

A format is a set of tables, one CSV file each, recognised by their columns. A file's
collection year is the year (of the format's own calendar) holding its latest date, or
`--year`; the files of one folder and one year form one return.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.periods import add_months
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.csvfile import CsvFile, CsvText
from cscmonitor.returns.format import ReturnFormat
from cscmonitor.returns.issues import Reading, ReturnError, Severity, for_table, problem_rows
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of
from cscmonitor.returns.postcodes import PostcodeLookup
from cscmonitor.returns.schema import Column, Merge, TableSpec, Typed, build, check_codes

if TYPE_CHECKING:
    from cscmonitor.returns.checks.rule import Rule


@dataclass(frozen=True)
class CsvTable:
    """One documented CSV file: the warehouse table it fills, and the dates that date it."""

    table: str
    columns: tuple[Column, ...]
    merge: Merge
    dated_by: tuple[str, ...]  # typed date columns whose latest value says the year

    @property
    def signature(self) -> frozenset[str]:
        """Every documented column but the optional ones: a file is recognised by having them
        all."""
        return frozenset(c.source for c in self.columns if not c.optional)

    @property
    def known(self) -> frozenset[str]:
        """Every documented column, optional ones included: any other column is ignored."""
        return frozenset(c.source for c in self.columns)


@dataclass(frozen=True)
class CsvFormat:
    kind: ReturnKind
    tables: tuple[CsvTable, ...]
    year_starts: tuple[int, int]  # (month, day) the collection year starts on

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        return tuple(TableSpec(t.table, self.kind, t.columns, t.merge) for t in self.tables)

    def as_format(
        self, label: str, rules: tuple[Rule, ...] = (), needs: tuple[str, ...] = ()
    ) -> ReturnFormat:
        """The format as the registry takes it: its files recognised by their columns."""
        return ReturnFormat(
            self.kind,
            label,
            self.specs,
            rules,
            needs,
            recognise_csv=self.recognise,
            parse_csv=self.parse,
        )

    def recognise(self, columns: set[str]) -> CsvTable | None:
        matches = [t for t in self.tables if t.signature <= columns]
        return max(matches, key=lambda t: len(t.signature), default=None)

    def collection_year(self, day: dt.date) -> int:
        """The year holding a date, named by the calendar year it ends in."""
        month, first = self.year_starts
        if (month, first) == (1, 1):
            return day.year
        return day.year + 1 if (day.month, day.day) >= (month, first) else day.year

    def period(self, year: int) -> tuple[dt.date, dt.date]:
        month, first = self.year_starts
        start = dt.date(year if (month, first) == (1, 1) else year - 1, month, first)
        return start, add_months(start, 12) - dt.timedelta(days=1)

    def parse(
        self,
        texts: Sequence[CsvText],
        *,
        la_code: str,
        ids: Pseudonymiser,
        year: int | None = None,
        postcodes: PostcodeLookup | None = None,
    ) -> list[Parsed]:
        """The returns among one folder's files: one per collection year found (they hold no
        postcode pairs, so `postcodes` goes unused)."""
        by_year: dict[int, list[tuple[CsvText, CsvTable, Typed]]] = defaultdict(list)
        for text in texts:
            spec = self.recognise(text.columns)
            if spec is None:
                gaps = sorted((sorted(t.signature - text.columns) for t in self.tables), key=len)
                missing = ", ".join(gaps[0])
                raise ReturnError(f"{text.path}: not a {self.kind} file; missing columns {missing}")
            typed = build(
                text.cells(),
                spec.columns,
                file=str(text.path),
                table=spec.table,
                locations=text.locations,
                ids=ids,
            )
            by_year[year if year is not None else self._year(text.path, spec, typed)].append(
                (text, spec, typed)
            )
        return [self._return(y, files, la_code) for y, files in sorted(by_year.items())]

    def _year(self, path: Path, spec: CsvTable, typed: Typed) -> int:
        dates = pa.chunked_array(
            [typed.table[c].combine_chunks() for c in spec.dated_by], pa.date32()
        ).combine_chunks()
        # A date typed in the future must not move the whole return's year.
        dates = dates.filter(pc.less_equal(dates, pa.scalar(dt.date.today(), pa.date32())))
        latest = pc.max(dates).as_py()
        if latest is None:
            raise ReturnError(f"{path}: no row has a readable date; give the year with --year")
        return self.collection_year(latest)

    def _return(
        self, year: int, files: list[tuple[CsvText, CsvTable, Typed]], la_code: str
    ) -> Parsed:
        start, end = self.period(year)
        info = ReturnInfo(la_code, self.kind, year, start, end)
        parsed = Parsed(info, {})
        for text, spec, typed in files:
            if spec.table in parsed.tables:
                raise ReturnError(
                    f"{text.path}: a second {spec.table} file for the {year} return "
                    f"(the first is {parsed.sources[spec.table]})"
                )
            file = str(text.path)
            checked = check_codes(typed, spec.columns, year=year, file=file, table_name=spec.table)
            parsed.add(spec.table, checked, file, info)
            parsed.problems.extend(ignored_columns(text, spec.table, spec.known))
            parsed.problems.extend(for_table(text.problems, spec.table))
            parsed.rows_read[spec.table] += text.rows_unreadable
            parsed.files[file] = sha256_of(text.path)
        return parsed


def ignored_columns(text: CsvText | CsvFile, table: str, known: frozenset[str]) -> pa.Table:
    """A warning naming the file's columns that are not part of its table (never their values)."""
    ignored = sorted(text.columns - known - {""})
    return problem_rows(
        file=str(text.path),
        table=table,
        locations=pa.array(["file"] if ignored else [], pa.string()),
        field="",
        values=", ".join(ignored),
        rule=Reading.COLUMNS_IGNORED,
        severity=Severity.WARNING,
        message=f"columns not part of {table}, not loaded: {', '.join(ignored)}",
    )
