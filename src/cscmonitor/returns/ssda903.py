"""SSDA903 (children looked after) returns as CSV files, recognised by their columns.

This version loads the Header and Episodes tables. The other tables of the return
(Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes) are
recognised and listed as not loaded, never mistaken for something else.
UPN, MOTHER and MC_DOB never reach the warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.csvfile import CsvText, read_csv
from cscmonitor.returns.issues import Problem, ReturnError, Severity
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of, with_return
from cscmonitor.returns.schema import Column, Kind, Newest, Span, TableSpec, build

HEADER = (
    Column("CHILD", "child_id", Kind.ID, key=True),
    Column("SEX", "sex", Kind.CODE),
    Column("DOB", "birth_date", Kind.DATE),
    Column("ETHNIC", "ethnicity", Kind.CODE),
)
EPISODES = (
    Column("CHILD", "child_id", Kind.ID, key=True),
    Column("DECOM", "decom", Kind.DATE, key=True),
    Column("RNE", "rne", Kind.CODE),
    Column("LS", "ls", Kind.CODE),
    Column("CIN", "cin", Kind.CODE),
    Column("PLACE", "place", Kind.CODE),
    Column("PLACE_PROVIDER", "place_provider", Kind.CODE),
    Column("DEC", "dec", Kind.DATE),
    Column("REC", "rec", Kind.CODE),
    Column("REASON_PLACE_CHANGE", "reason_place_change", Kind.CODE),
    Column("HOME_POST", "home_post", Kind.POSTCODE),
    Column("PL_POST", "pl_post", Kind.POSTCODE),
    Column("URN", "urn", Kind.CODE),
)
LOADED = {"cla_children": HEADER, "cla_episodes": EPISODES}
TABLES = (
    TableSpec("cla_children", "ssda903", HEADER, Newest("child_id")),
    TableSpec("cla_episodes", "ssda903", EPISODES, Span("decom", "dec")),
)
TABLE_NAMES = {"cla_children": "Header", "cla_episodes": "Episodes"}

# Every table of the return, by the columns that identify it.
SIGNATURES: dict[str, frozenset[str]] = {
    "Header": frozenset({"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"}),
    "Episodes": frozenset(
        {
            "CHILD",
            "DECOM",
            "RNE",
            "LS",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "DEC",
            "REC",
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
        }
    ),
    "Reviews": frozenset({"CHILD", "DOB", "REVIEW", "REVIEW_CODE"}),
    "UASC": frozenset({"CHILD", "SEX", "DOB", "DUC"}),
    "OC2": frozenset(
        {"CHILD", "DOB", "SDQ_SCORE", "CONVICTED", "HEALTH_CHECK", "SUBSTANCE_MISUSE"}
    ),
    "OC3": frozenset({"CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"}),
    "AD1": frozenset({"CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR"}),
    "PlacedAdoption": frozenset({"CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED"}),
    "PrevPerm": frozenset({"CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"}),
    "Missing": frozenset({"CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"}),
    "SWEpisodes": frozenset({"CHILD", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"}),
}


def recognise(columns: set[str]) -> str | None:
    """The 903 table whose identifying columns the file has (the most specific match)."""
    matches = [name for name, needed in SIGNATURES.items() if needed <= columns]
    return max(matches, key=lambda name: len(SIGNATURES[name]), default=None)


def collection_year(latest: dt.date) -> int:
    """The 903 year (1 April–31 March) holding a date, named by the year it ends."""
    return latest.year + 1 if latest.month >= 4 else latest.year


def parse(
    paths: Sequence[Path], *, la_code: str, ids: Pseudonymiser, year: int | None = None
) -> Parsed:
    """One 903 return from its CSV files (one folder's worth)."""
    problems: list[Problem] = []
    texts: dict[str, CsvText] = {}
    for path in paths:
        text = read_csv(path)
        table = recognise(text.columns)
        if table is None:
            raise ReturnError(
                f"{path}: not an SSDA903 table (columns {', '.join(sorted(text.columns))})"
            )
        if table not in ("Header", "Episodes"):
            problems.append(
                Problem(
                    str(path),
                    "file",
                    "",
                    table,
                    "TABLE_NOT_LOADED",
                    Severity.WARNING,
                    f"SSDA903 {table} table recognised; this version does not load it",
                )
            )
            continue
        if table in texts:
            raise ReturnError(
                f"{path}: a second {table} table for the same return "
                f"(the first is {texts[table].path})"
            )
        texts[table] = text
    if "Episodes" not in texts:
        raise ReturnError(
            f"{', '.join(str(p) for p in paths)}: no SSDA903 Episodes table among these files"
        )
    rows_read: dict[str, int] = {}
    tables: dict[str, pa.Table] = {}
    typed = {}
    for name, columns in LOADED.items():
        found = texts.get(TABLE_NAMES[name])
        if found is None:
            continue
        result = build(
            {c: found.table.column(c).combine_chunks() for c in found.table.column_names},
            columns,
            file=str(found.path),
            locations=found.locations,
            ids=ids,
        )
        typed[name] = result.table
        problems += result.problems
        rows_read[name] = result.rows_read
    episodes = typed["cla_episodes"]
    if year is None:
        latest = pc.max(pc.max_element_wise(episodes["decom"], episodes["dec"])).as_py()
        if latest is None:
            raise ReturnError(
                f"{texts['Episodes'].path}: no episode has a readable date; "
                "give the collection year with --year"
            )
        year = collection_year(latest)
    info = ReturnInfo(la_code, "ssda903", year, dt.date(year - 1, 4, 1), dt.date(year, 3, 31))
    for name, table in typed.items():
        tables[name] = with_return(table, info)
    return Parsed(
        info,
        tables,
        problems,
        files={str(t.path): sha256_of(t.path) for t in texts.values()},
        rows_read=rows_read,
    )
