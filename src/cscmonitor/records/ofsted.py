"""Import Ofsted's published outcomes of local authority children's services inspections.

The ODS workbook (`LA_Inspection_Outcomes_as_at_<date>.ods`) has one sheet per table, each
under a few lines of title. Tables are found by their header row's content, columns by their
heading, so a reordered or retitled sheet still loads, and workbooks of other years load as
long as their tables have the columns named in `REQUIRED`. Every sheet with an inspection or
visit type is read (the ILACS history and the year's visits); the same inspection in two
sheets is held once. Areas are given by ONS codes, mapped to DfE LA codes by `la_codes.csv`.

The inspection's start date decides which judgements it can have (`scales`): workbooks
before 2023 head the children in care judgement "children in care and care leavers"; care
leavers are judged on their own from 1 January 2023; an inspection from 1 April 2026 has no
overall effectiveness grade (its cell is blank, or the column is gone).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from cscmonitor.archives import ArchiveRefused, check_archive
from cscmonitor.records import audit, scales
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Inspection, Judgement

BUNDLED = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
AREA_CODE = "local authority area code"  # the heading, compared in lower case

# The columns every inspection table has, as a test on the lower-case heading and the
# heading to name when it is missing. "Inspection/Visit type" heads the year's visits.
_TYPE = ("Inspection type", lambda h: h.startswith("inspection") and h.endswith("type"))
_DATE = ("Inspection date", lambda h: h.startswith("inspection") and h.endswith("date"))
REQUIRED = ("Local authority area code", _TYPE[0], _DATE[0])

# Heading (lower case) -> area, tried in order. Before 2023 one judgement covered "children in
# care and care leavers"; it is the children in care judgement, not the care leavers' one.
_AREAS: tuple[tuple[Callable[[str], bool], str | None], ...] = (
    (lambda h: h.startswith("overall effectiveness"), None),
    (lambda h: h.startswith("the impact of leaders"), "leaders"),
    (lambda h: "help and protection" in h, "help_and_protection"),
    (lambda h: "children in care and care leavers" in h, "children_in_care"),
    (lambda h: "care leavers" in h, "care_leavers"),
    (lambda h: "children in care" in h, "children_in_care"),
)


@dataclass(frozen=True)
class OfstedImport:
    """What one import held: counts, and the source key that makes a rerun a no-op."""

    source: str
    inspections: int
    judgements: int
    local_authorities: int
    already_held: bool = False


def bundled_outcomes() -> Path:
    """The outcomes workbook shipped with cscmonitor."""
    return Path(str(resources.files("cscmonitor").joinpath("data", "ofsted", BUNDLED)))


@functools.cache
def bundled_rows() -> tuple[dict[str, Any], ...]:
    """Every inspection row of the bundled workbook, read once per process (the framework
    view shows each LA's published judgements from it without loading them into the records)."""
    return tuple(_rows(bundled_outcomes(), ons_to_la_codes()))


def ons_to_la_codes() -> dict[str, str]:
    """ONS area code (E08000017) -> DfE LA code (371), including authorities since reorganised."""
    text = resources.files("cscmonitor.records").joinpath("la_codes.csv").read_text("utf-8")
    return {row["ons_code"]: row["la_code"] for row in csv.DictReader(text.splitlines())}


def _area_of(heading: str) -> list[str | None]:
    """The area a judgement column holds ([None] for the overall one), or [] for no judgement."""
    return next(([area] for test, area in _AREAS if test(heading)), [])


def _header_row(sheet: pd.DataFrame) -> int | None:
    for index, row in sheet.iterrows():
        cells = {str(c).strip().lower() for c in row if isinstance(c, str)}
        if AREA_CODE in cells:
            return int(str(index))
    return None


def _column(headings: list[str], test: Callable[[str], bool]) -> int | None:
    return next((i for i, h in enumerate(headings) if test(h)), None)


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _type(text: str, where: str) -> tuple[str, str]:
    """`ILACS Standard Inspection` -> (`ILACS`, `Standard inspection`)."""
    framework, _, rest = text.strip().partition(" ")
    # Monitoring visits to inadequate LAs are listed as "LA Monitoring visit"; they are ILACS's.
    framework = "ILACS" if framework == "LA" else framework
    if framework not in scales.FRAMEWORKS or not rest:
        raise RecordsError(f"{where}: inspection type {text!r} names no known framework")
    return framework, rest[:1].upper() + rest[1:].lower()


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of the workbook, untyped; a file that is no ODS workbook, or one that
    expands past the archive limits, is refused before it is parsed."""
    try:
        check_archive(path)
    except ArchiveRefused as exc:
        raise RecordsError(f"{path}: cannot be read as Ofsted's outcomes workbook: {exc}") from None
    try:
        sheets = pd.read_excel(path, engine="odf", sheet_name=None, header=None)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, ExpatError) as exc:
        raise RecordsError(f"{path}: cannot be read as Ofsted's outcomes workbook: {exc}") from None
    return {str(name): sheet for name, sheet in sheets.items()}


def _rows(path: Path, la_codes: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every inspection row of every inspection table. A workbook without one is refused,
    naming the columns its sheets lack."""
    needs = f"an inspection table needs the columns {', '.join(repr(c) for c in REQUIRED)}"
    lacking: list[str] = []
    tables = 0
    for name, sheet in _read_workbook(path).items():
        header = _header_row(sheet)
        if header is None:
            continue
        headings = [str(h).strip().lower() for h in sheet.iloc[header]]
        code = _column(headings, lambda h: h == AREA_CODE)
        assert code is not None  # the header row is the one with the area code
        kind = _column(headings, _TYPE[1])
        start = _column(headings, _DATE[1])
        if kind is None:
            # The latest-judgements table repeats the history without a type: not read.
            lacking.append(f"sheet {name!r} has no {_TYPE[0]!r} column")
            continue
        if start is None:
            raise RecordsError(
                f"{path.name}: sheet {name!r} lists inspections but has no {_DATE[0]!r} "
                f"column ({needs})"
            )
        tables += 1
        yield from _table_rows(path, name, sheet, header, headings, (code, kind, start), la_codes)
    if not tables:
        found = "; ".join(lacking) or f"no sheet has a {REQUIRED[0]!r} column"
        raise RecordsError(f"{path.name}: no inspection table found: {found} ({needs})")


def _table_rows(
    path: Path,
    name: str,
    sheet: pd.DataFrame,
    header: int,
    headings: list[str],
    columns: tuple[int, int, int],
    la_codes: dict[str, str],
) -> Iterator[dict[str, Any]]:
    code, kind, start = columns
    la_name = _column(headings, lambda h: h == "local authority name")
    published = _column(headings, lambda h: h == "publication date")
    theme = _column(headings, lambda h: "theme" in h)
    areas = {i: area for i, h in enumerate(headings) for area in _area_of(h)}
    for offset, cells in enumerate(sheet.iloc[header + 1 :].itertuples(index=False)):
        values = list(cells)
        where = f"{path.name}: sheet {name!r}, row {header + offset + 2}"
        ons = values[code]
        if not isinstance(ons, str) or not ons.strip():
            continue
        if ons.strip() not in la_codes:
            raise RecordsError(f"{where}: area code {ons!r} has no DfE LA code in la_codes.csv")
        framework, inspection_type = _type(str(values[kind]), where)
        frame = scales.framework(framework, "ofsted")
        started = _date(values[start])
        if started is None:
            raise RecordsError(f"{where}: no inspection date")
        judged: dict[str | None, str] = {}
        for column, area in areas.items():
            value = values[column]
            if isinstance(value, str) and value.strip():
                try:
                    judged[area] = scales.judgement(frame, area, value, on=started)
                except RecordsError as exc:
                    raise RecordsError(f"{where}: {exc}") from None
        yield {
            "la_code": la_codes[ons.strip()],
            "setting": str(values[la_name]).strip() if la_name is not None else ons,
            "framework": framework,
            "inspection_type": inspection_type,
            "start_date": started,
            "published_date": _date(values[published]) if published is not None else None,
            "theme": (
                str(values[theme]).strip()
                if theme is not None and isinstance(values[theme], str)
                else None
            ),
            "judged": judged,
        }


def load_outcomes(session: Session, path: Path | None = None) -> OfstedImport:
    """Hold every LA's inspections from the workbook; a workbook already held is left as it is."""
    path = path or bundled_outcomes()
    source = f"ofsted:{path.stem}"
    held = session.scalar(select(func.count()).where(Inspection.source == source))
    if held:
        las = session.scalar(
            select(func.count(func.distinct(Inspection.la_code))).where(Inspection.source == source)
        )
        return OfstedImport(source, int(held), 0, int(las or 0), already_held=True)
    rows = list(_rows(path, ons_to_la_codes()))
    unique: dict[tuple[str, dt.date, str], dict[str, Any]] = {}
    for row in rows:
        unique.setdefault((row["la_code"], row["start_date"], row["inspection_type"]), row)
    if not unique:
        raise RecordsError(f"{path.name}: its inspection tables hold no inspection")
    inspections = [
        {
            "contract_id": None,
            "inspectorate": "ofsted",
            "urn": None,
            "end_date": None,
            "overall": row["judged"].get(None),
            "source": source,
        }
        | {k: v for k, v in row.items() if k != "judged"}
        for row in unique.values()
    ]
    # One multi-row insert per table; RETURNING in parameter order pairs ids with rows.
    ids = list(
        session.scalars(
            insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True),
            inspections,
        )
    )
    judgements = [
        {"inspection_id": inspection_id, "area": area, "judgement": value}
        for inspection_id, row in zip(ids, unique.values(), strict=True)
        for area, value in row["judged"].items()
        if area is not None
    ]
    judgement_ids = (
        list(
            session.scalars(
                insert(Judgement).returning(Judgement.id, sort_by_parameter_order=True),
                judgements,
            )
        )
        if judgements
        else []
    )
    actor = audit.current_actor(session)
    audit.record_rows(
        session,
        [
            audit.entry_row(actor, table, str(i), "create", None, audit.plain_row(row))
            for table, created, values in (
                ("inspections", ids, inspections),
                ("judgements", judgement_ids, judgements),
            )
            for i, row in zip(created, values, strict=True)
        ],
    )
    session.flush()
    return OfstedImport(
        source, len(ids), len(judgements), len({row["la_code"] for row in inspections})
    )
