"""Ingest: find the returns among the files given, parse each, merge them into a new snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cscmonitor.privacy import Pseudonymiser, load_key
from cscmonitor.returns import cin_census, ssda903, workforce
from cscmonitor.returns.csvfile import read_csv
from cscmonitor.returns.issues import Problems, ReturnError
from cscmonitor.returns.parsed import Parsed
from cscmonitor.settings import Settings
from cscmonitor.warehouse import IngestResult, Warehouse


@dataclass
class IngestReport:
    parsed: list[Parsed]
    problems: Problems
    result: IngestResult


def files_under(paths: Sequence[Path]) -> list[Path]:
    """The files named, and every .xml and .csv file below the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xml", ".csv"))
        elif path.exists():
            found.append(path)
        else:
            raise ReturnError(f"{path}: no such file or folder")
    return found


def parse_all(
    paths: Sequence[Path], *, ids: Pseudonymiser, la_code: str | None, year: int | None
) -> list[Parsed]:
    """Parse every return among the files: CIN census XML, 903 CSVs (a folder each), workforce."""
    parsed: list[Parsed] = []
    ssda903_folders: dict[Path, list[Path]] = defaultdict(list)
    for path in files_under(paths):
        if path.suffix.lower() == ".xml":
            parsed.append(cin_census.parse(path, ids=ids, la_code=la_code))
            continue
        columns = read_csv(path).columns
        if workforce.is_workforce(columns):
            parsed.append(
                workforce.parse(path, la_code=_need_la(la_code, path), ids=ids, year=year)
            )
        elif ssda903.recognise(columns) is not None:
            ssda903_folders[path.parent].append(path)
        else:
            raise ReturnError(
                f"{path}: not a return cscmonitor recognises (columns {', '.join(sorted(columns))})"
            )
    for folder, files in ssda903_folders.items():
        parsed.append(ssda903.parse(files, la_code=_need_la(la_code, folder), ids=ids, year=year))
    return parsed


def _need_la(la_code: str | None, path: Path) -> str:
    if not la_code:
        raise ReturnError(f"{path}: this return does not say which LA it is from; give --la")
    return la_code


def ingest(
    paths: Sequence[Path],
    settings: Settings,
    *,
    la_code: str | None = None,
    year: int | None = None,
) -> IngestReport:
    ids = Pseudonymiser(load_key(settings))
    parsed = parse_all(paths, ids=ids, la_code=la_code, year=year)
    if not parsed:
        raise ReturnError("no returns found among: " + ", ".join(str(p) for p in paths))
    problems = Problems()
    for p in parsed:
        problems.extend(p.problems)
    result = Warehouse(settings.warehouse_dir).ingest(parsed)
    return IngestReport(parsed, problems, result)
