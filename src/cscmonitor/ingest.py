"""Ingest: find the returns among the files, parse and check each, merge them into a snapshot.

Every problem found is kept, from a file that could not be read at all to a single bad
cell, and written to the validation report (`DATA_DIR/reports/ingest-<snapshot>.csv`
and `.xlsx`). A file that cannot be read does not stop the others; only when nothing
at all could be loaded does ingest fail (`NothingLoaded`), and it still writes the report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser, key_check, load_key, reduce_table, reduces
from cscmonitor.returns import catalog, checks, report
from cscmonitor.returns.csvfile import CsvFile, CsvText, Limits, open_file, read
from cscmonitor.returns.files import files_under
from cscmonitor.returns.format import ReturnFormat
from cscmonitor.returns.issues import Problem, Problems, Reading, ReturnError, Severity
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.postcodes import PostcodeLookup
from cscmonitor.returns.schema import LOCATION, Kind, TableSpec
from cscmonitor.returns.staged import Scratch, Staged, Table, stage
from cscmonitor.returns.xmlstream import check_prolog
from cscmonitor.settings_fields import SettingsFields
from cscmonitor.warehouse import (
    IngestResult,
    Layout,
    Preview,
    ReturnRefused,
    Warehouse,
    missing_return_text,
    missing_returns,
)

# Told how far through each file parsing is: (file, bytes done, bytes in the file).
Progress = Callable[[Path, int, int], None]


@dataclass
class ValidationReport:
    """What an ingest found: the returns read and every problem, and where the report is."""

    parsed: list[Parsed]
    problems: Problems  # every problem, including files that could not be read
    summary: pa.Table  # per file and table: rows read, loaded, rejected; errors, warnings
    report_files: tuple[Path, Path]  # the validation report, CSV and XLSX

    @property
    def rows_loaded(self) -> int:
        return sum(t.num_rows for p in self.parsed for t in p.tables.values())


@dataclass
class IngestReport(ValidationReport):
    """A validation report, and the snapshot the returns were merged into."""

    result: IngestResult


class NothingLoaded(ReturnError):
    """No return could be loaded from the files given; the report says why."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


def _unreadable(path: Path | str, message: str) -> Problem:
    return Problem(str(path), "file", "", "", Reading.FILE_UNREADABLE, Severity.ERROR, message)


def parse_all(
    paths: Sequence[Path],
    *,
    ids: Pseudonymiser,
    la_code: str | None,
    year: int | None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    scratch: Scratch | None = None,
    cap: int | None = None,
    postcodes: PostcodeLookup | None = None,
) -> tuple[list[Parsed], Problems]:
    """Every return among the files, and the problems of files that could not be read.

    CIN census XML is one return per file; the 903 files of a folder (CSV) are one return,
    as is a 903 XML file; a folder's workforce, early help or virtual school files are one
    return per collection year. With a `scratch` folder, CSV files of a format that can
    stream them are read a block at a time into staged tables, listing at most `cap`
    problems per rule and file; otherwise each is read whole. With `postcodes` (the
    installation's lookup), 903 placement distances are worked out from the postcodes.
    """
    limits = limits or Limits()
    parsed: list[Parsed] = []
    problems = Problems()
    groups: dict[tuple[ReturnFormat, Path], list[CsvFile]] = defaultdict(list)
    for path in files_under(paths):
        size = path.stat().st_size
        try:
            if path.suffix.lower() == ".xml":
                parsed.append(
                    _parse_xml(path, ids, la_code, year, limits, progress, size, postcodes)
                )
            else:
                file = open_file(path, limits)
                groups[(_csv_format(file), path.parent)].append(file)
                if progress is not None:
                    progress(path, size, size)
        except ReturnError as exc:
            problems.add(_unreadable(path, str(exc)))
        except Exception as exc:  # a reader's bug must not stop the other files
            problems.add(
                _unreadable(path, f"{path}: could not be read ({type(exc).__name__}: {exc})")
            )
    for (form, folder), files in groups.items():
        try:
            la = _need_la(la_code, folder)
            if form.stream_csv is not None and scratch is not None:
                parsed += form.stream_csv(
                    files,
                    la_code=la,
                    ids=ids,
                    year=year,
                    scratch=scratch,
                    cap=cap,
                    postcodes=postcodes,
                )
                continue
            assert form.parse_csv is not None  # it recognised the files
            texts = _read_whole(files, problems)
            if texts:
                parsed += form.parse_csv(texts, la_code=la, ids=ids, year=year, postcodes=postcodes)
        except ReturnError as exc:
            for file in files:
                problems.add(_unreadable(file.path, str(exc)))
    return parsed, problems


def _read_whole(files: list[CsvFile], problems: Problems) -> list[CsvText]:
    """Each file's rows at once; a file that cannot be read is listed, the others read."""
    texts = []
    for file in files:
        try:
            texts.append(read(file))
        except ReturnError as exc:
            problems.add(_unreadable(file.path, str(exc)))
    return texts


def _parse_xml(
    path: Path,
    ids: Pseudonymiser,
    la_code: str | None,
    year: int | None,
    limits: Limits,
    progress: Progress | None,
    size: int,
    postcodes: PostcodeLookup | None,
) -> Parsed:
    def step(done: int) -> None:
        if progress is not None:
            progress(path, done, size)

    root = check_prolog(path, limits)
    form = catalog.by_xml_root(root)
    if form is None or form.parse_xml is None:
        expected = "; ".join(
            f"{f.xml_root} for the {f.label}" for f in catalog.FORMATS.values() if f.xml_root
        )
        raise ReturnError(
            f"{path}: not a return cscmonitor recognises (root element {root}; expected {expected})"
        )
    return form.parse_xml(
        path,
        ids=ids,
        la_code=la_code,
        year=year,
        limits=limits,
        progress=step,
        postcodes=postcodes,
    )


def _csv_format(file: CsvFile) -> ReturnFormat:
    form = catalog.by_csv_columns(file.columns)
    if form is None:
        raise ReturnError(
            f"{file.path}: not a return cscmonitor recognises "
            f"(columns {', '.join(sorted(file.columns))})"
        )
    return form


def _need_la(la_code: str | None, path: Path) -> str:
    if not la_code:
        raise ReturnError(f"{path}: this return does not say which LA it is from; give --la")
    return la_code


def for_warehouse(parsed: Parsed, settings: SettingsFields) -> Parsed:
    """The return as the warehouse takes it: no row locations; birth dates and postcodes
    reduced as the settings say (a staged table reduced is staged again, the rules still
    reading the first: `_spent`)."""
    tables: dict[str, Table] = {}
    for name, table in parsed.tables.items():
        spec = catalog.TABLES[name]
        if not isinstance(table, Staged):
            tables[name] = _reduced(table, spec, settings)
        elif reduces(
            birth_dates=_columns(spec, Kind.BIRTH_DATE),
            postcodes=_columns(spec, Kind.POSTCODE),
            settings=settings,
        ):
            batches = (_reduced(batch, spec, settings) for batch in table.batches())
            tables[name] = stage(table.scratch, name, batches, spec.schema)
        else:
            # Nothing to reduce: the staged file as it is, read without its row locations
            # (writing it again took a tenth of an ingest).
            tables[name] = table.without(LOCATION)
    return Parsed(
        parsed.info, tables, parsed.problems, parsed.files, parsed.sources, parsed.rows_read
    )


def _columns(spec: TableSpec, kind: Kind) -> list[str]:
    return [c.name for c in spec.columns if c.kind is kind]


def _reduced(table: pa.Table, spec: TableSpec, settings: SettingsFields) -> pa.Table:
    return reduce_table(
        table.drop_columns([LOCATION]) if LOCATION in table.column_names else table,
        birth_dates=_columns(spec, Kind.BIRTH_DATE),
        postcodes=_columns(spec, Kind.POSTCODE),
        settings=settings,
    )


@dataclass
class CheckReport(ValidationReport):
    """A validation report, and what accepting the returns would do (nothing written yet)."""

    preview: Preview


class Refused(ReturnError):
    """A held return would be replaced by less than a whole return; nothing was stored.
    The validation report says what was read."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


class _Checks:
    """The cross-field rules of the returns, run in a thread of their own from when the
    returns are parsed, so that they run while the warehouse merges (both are DuckDB
    queries, which let the other thread go on)."""

    def __init__(self, parsed: list[Parsed], cap: int | None, scratch: Scratch) -> None:
        self._problems = [p.problems for p in parsed]  # each return's, as `for_warehouse` keeps
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="cscmonitor-checks")
        self._found = self._pool.submit(_run_checks, parsed, cap, scratch.connect())
        self._done = False

    def wait(self, problems: Problems) -> None:
        """Wait for the rules; what they found added to each return's problems and to
        `problems` (the ingest's). Once: later calls do nothing."""
        if self._done:
            return
        self._done = True
        try:
            found = self._found.result()
        finally:
            self._pool.shutdown()
        for of_return, rules in zip(self._problems, found, strict=True):
            of_return.extend(rules)
            problems.extend(of_return)


def _run_checks(
    parsed: list[Parsed], cap: int | None, database: duckdb.DuckDBPyConnection
) -> list[Problems]:
    try:
        return [checks.run(p, cap=cap, database=database) for p in parsed]
    finally:
        database.close()


@dataclass
class _Read:
    parsed: list[Parsed]  # as the warehouse takes them (`for_warehouse`)
    problems: Problems
    unreadable: list[str]  # the files that could not be read at all
    key: bytes
    stamp: str
    scratch: Scratch
    checks: _Checks
    spent: list[Path]  # staged files only the rules read, removed once they are done
    summary: pa.Table | None = None

    def checked(self) -> tuple[pa.Table, pa.Table]:
        """Once the rules are done: the summary per file and table, and every problem."""
        self.checks.wait(self.problems)
        for path in self.spent:
            path.unlink(missing_ok=True)
        self.scratch.disconnect()  # the rules are done; the merge, if any, is done first
        if self.summary is None:
            self.summary = report.summary(self.parsed, self.problems)
        return self.summary, self.problems.table


def _read(
    paths: Sequence[Path],
    settings: SettingsFields,
    la_code: str | None,
    year: int | None,
    progress: Progress | None,
) -> _Read:
    """Parse every return and start its rules (`_Read.checked` waits for them); fail
    (`NothingLoaded`) when no row could be loaded."""
    key = load_key(settings)
    limits = Limits.from_settings(settings)
    # Read before any return, so a lookup that cannot serve stops ingest with its reason.
    lookup = settings.postcode_lookup_file
    postcodes = PostcodeLookup.read(lookup, limits) if lookup is not None else None
    # Large files are staged here and DuckDB spills here, so memory stays bounded.
    scratch = Scratch(settings.ingest_scratch_dir, settings.ingest_memory_mb)
    cap = settings.max_problems_per_rule
    parsed, problems = parse_all(
        paths,
        ids=Pseudonymiser(key),
        la_code=la_code,
        year=year,
        limits=limits,
        progress=progress,
        scratch=scratch,
        cap=cap,
        postcodes=postcodes,
    )
    problems = _capped(problems, cap)
    running = _Checks(parsed, cap, scratch)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    found = problems.table  # the rules add no unreadable file
    unreadable = found.filter(pc.equal(found["rule"], str(Reading.FILE_UNREADABLE)))
    try:
        # Row locations were for the report; without them the returns take half the memory.
        taken = [for_warehouse(p, settings) for p in parsed]
    except BaseException:
        running.wait(problems)
        raise
    files_unreadable = sorted(set(unreadable["file"].to_pylist()))
    spent = _spent(parsed, taken)
    read = _Read(taken, problems, files_unreadable, key, stamp, scratch, running, spent)
    if not taken or sum(t.num_rows for p in taken for t in p.tables.values()) == 0:
        summary, everything = read.checked()
        files = report.write(settings.reports_dir, f"ingest-failed-{stamp}", summary, everything)
        result = ValidationReport(taken, problems, summary, files)
        reasons = "; ".join(unreadable["message"].to_pylist())
        raise NothingLoaded(
            "nothing could be loaded from "
            + ", ".join(str(p) for p in paths)
            + (f": {reasons}" if reasons else " (no rows passed)"),
            result,
        )
    return read


def _spent(read: list[Parsed], taken: list[Parsed]) -> list[Path]:
    """The staged files of the returns as read that the warehouse does not take."""
    kept = {t.path for p in taken for t in p.tables.values() if isinstance(t, Staged)}
    return [
        t.path
        for p in read
        for t in p.tables.values()
        if isinstance(t, Staged) and t.path not in kept
    ]


def _capped(problems: Problems, cap: int) -> Problems:
    capped = Problems(cap=cap)
    capped.extend(problems)
    return capped


def _missing(returns: list[dict[str, Any]]) -> list[Problem]:
    """A warning for every return missing between two held (figures near it are flagged)."""
    return [
        Problem(
            "",
            "warehouse",
            "",
            str(year),
            Reading.RETURN_MISSING,
            Severity.WARNING,
            missing_return_text(la, kind, year),
            table="returns",
        )
        for la, kind, year in missing_returns(returns)
    ]


def check(
    paths: Sequence[Path],
    settings: SettingsFields,
    *,
    la_code: str | None = None,
    year: int | None = None,
    partial: bool = False,
) -> CheckReport:
    """Parse and check the returns, and say table by table what accepting them would add,
    change and remove, and whether it would be refused; nothing goes into the warehouse."""
    read = _read(paths, settings, la_code, year, None)
    try:
        preview = Warehouse(settings.warehouse_dir).preview(
            read.parsed, partial=partial, unreadable=read.unreadable, scratch=read.scratch
        )
    finally:
        summary, everything = read.checked()
    files = report.write(settings.reports_dir, f"check-{read.stamp}", summary, everything)
    return CheckReport(read.parsed, read.problems, summary, files, preview)


def ingest(
    paths: Sequence[Path],
    settings: SettingsFields,
    *,
    la_code: str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    partial: bool = False,
) -> IngestReport:
    """Parse, check, pseudonymise and merge the returns among `paths`; write the report.

    A return already held is replaced only by a whole one (`Refused` otherwise, with
    nothing stored); with `partial`, only the tables given are replaced, the others kept.
    The rules run while the returns merge; the snapshot is written once they are done
    (its manifest counts what they found).
    """
    read = _read(paths, settings, la_code, year, progress)
    privacy = {
        "birth_date_precision": settings.birth_date_precision,
        "postcode_precision": settings.postcode_precision,
        "key_check": key_check(read.key),
    }

    def validation() -> dict[str, Any]:
        read.checked()
        return {
            "errors": read.problems.errors,
            "warnings": read.problems.warnings,
            "files_unreadable": read.unreadable,
        }

    warehouse = Warehouse(settings.warehouse_dir, first_layout=Layout(settings.warehouse_layout))
    try:
        result_ = warehouse.ingest(
            read.parsed,
            privacy=privacy,
            validation=validation,
            partial=partial,
            unreadable=read.unreadable,
            scratch=read.scratch,
        )
    except ReturnRefused as exc:
        summary, everything = read.checked()
        name = f"ingest-refused-{read.stamp}"
        files = report.write(settings.reports_dir, name, summary, everything)
        result = ValidationReport(read.parsed, read.problems, summary, files)
        raise Refused(f"refused: {exc}", result) from None
    finally:
        summary, _ = read.checked()  # never leave the rules reading a scratch folder
    read.problems.extend(_missing(result_.snapshot.manifest["returns"]))
    snapshot = result_.snapshot.id
    name = f"ingest-{snapshot}" if result_.changed else f"ingest-{snapshot}-again-{read.stamp}"
    files = report.write(settings.reports_dir, name, summary, read.problems.table)
    return IngestReport(read.parsed, read.problems, summary, files, result_)
