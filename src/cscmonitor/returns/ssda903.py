"""SSDA903 (children looked after) returns: every table, as CSV files or as the XML return.

CSV tables are recognised by their columns, never their file names. The XML return
(`EXPSSDA903/CHILD`, a `HEADER` and its `EPISODE`s) is read into the same tables: reviews
(`AREVIEW`), missing episodes (`AMISSING`), `OC2`, previous permanence (`PERMANENCE`) and
placed-for-adoption records (`AD_PLACED`) sit in the header, as do the UASC, OC3 and AD1
fields. UPN, MOTHER and MC_DOB never reach the warehouse.

From 2026-27 the return has a table of deprivation of liberty orders (DoLo: CHILD, DOB,
DOLO_START, DOLO_END), read from its CSV file; no XML element for it was found in the
sources read (the DfE validator reads it from CSV only), so an XML return gives none.

Episodes may carry `PL_DISTANCE` (miles; 999.9 = not known), as the validators' and LIIA's
files do; where a row leaves it blank and the installation has a postcode lookup
(`returns.postcodes`), it is worked out from HOME_POST and PL_POST before the postcodes are
reduced to their district.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.checks import ssda903 as checks
from cscmonitor.returns.columns import clean_text
from cscmonitor.returns.csvfile import CsvFile, CsvText, Limits, batches
from cscmonitor.returns.documented import ignored_columns
from cscmonitor.returns.format import ReturnFormat
from cscmonitor.returns.issues import Problems, Reading, ReturnError, for_table
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of, with_return
from cscmonitor.returns.postcodes import NOT_KNOWN, PostcodeLookup
from cscmonitor.returns.schema import (
    LOCATION,
    Column,
    Keep,
    Kind,
    Merge,
    Newest,
    Span,
    TableSpec,
    Typed,
    blank_unknown_codes,
    build,
    check_codes,
    code_year_warnings,
    column_missing,
    schema_of,
)
from cscmonitor.returns.staged import Scratch, Staged, Stager
from cscmonitor.returns.xmlstream import Group, Progress, check_prolog, read_records

ROOT = "EXPSSDA903"
CHILD = Column("CHILD", "child_id", Kind.ID, key=True)
DOB = Column("DOB", "birth_date", Kind.BIRTH_DATE)


@dataclass(frozen=True)
class Table903:
    """One table of the return: its DfE name, columns in the file, and what is loaded."""

    name: str  # the DfE name, e.g. "Episodes"
    table: str  # the warehouse table
    columns: tuple[Column, ...]
    merge: Merge
    standard: tuple[str, ...]  # every column of the DfE file, loaded or not
    signature: frozenset[str]  # the columns that identify the table


def _table(
    name: str,
    table: str,
    columns: tuple[Column, ...],
    merge: Merge,
    standard: str,
    signature: str,
) -> Table903:
    return Table903(
        name, table, columns, merge, tuple(standard.split()), frozenset(signature.split())
    )


TABLES_903 = (
    _table(
        "Header",
        "cla_children",
        (
            CHILD,
            Column("SEX", "sex", Kind.CODE, codes="cla_sex", required=True),
            Column("DOB", "birth_date", Kind.BIRTH_DATE, required=True),
            Column("ETHNIC", "ethnicity", Kind.CODE, codes="ethnicity", required=True),
        ),
        Newest("child_id"),
        "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB",
        "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB",
    ),
    _table(
        "Episodes",
        "cla_episodes",
        (
            CHILD,
            Column("DECOM", "decom", Kind.DATE, key=True),
            Column("RNE", "rne", Kind.CODE, codes="rne", required=True),
            Column("LS", "ls", Kind.CODE, codes="legal_status", required=True),
            Column("CIN", "cin", Kind.CODE, codes="cla_need", required=True),
            Column("PLACE", "place", Kind.CODE, codes="placement", required=True),
            Column("PLACE_PROVIDER", "place_provider", Kind.CODE, codes="placement_provider"),
            Column("DEC", "dec", Kind.DATE),
            Column("REC", "rec", Kind.CODE, codes="reason_episode_ceased"),
            Column(
                "REASON_PLACE_CHANGE", "reason_place_change", Kind.CODE, codes="reason_place_change"
            ),
            Column("HOME_POST", "home_post", Kind.POSTCODE),
            Column("PL_POST", "pl_post", Kind.POSTCODE),
            Column("URN", "urn", Kind.CODE),
            Column("PL_DISTANCE", "placement_distance_miles", Kind.DECIMAL),
        ),
        Span("decom", "dec"),
        "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST "
        "PL_POST URN PL_DISTANCE",
        "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST "
        "PL_POST URN",
    ),
    _table(
        "Reviews",
        "cla_reviews",
        (
            CHILD,
            Column("REVIEW", "review_date", Kind.DATE, key=True),
            Column("REVIEW_CODE", "review_code", Kind.CODE, codes="review_code", required=True),
        ),
        Span("review_date", "review_date"),
        "CHILD DOB REVIEW REVIEW_CODE",
        "CHILD DOB REVIEW REVIEW_CODE",
    ),
    _table(
        "UASC",
        "cla_uasc",
        (
            CHILD,
            Column("SEX", "sex", Kind.CODE, codes="cla_sex"),
            DOB,
            Column("DUC", "uasc_ceased_date", Kind.DATE),
        ),
        Newest("child_id"),
        "CHILD SEX DOB DUC",
        "CHILD SEX DOB DUC",
    ),
    _table(
        "OC2",
        "cla_oc2",
        (
            CHILD,
            DOB,
            Column("SDQ_SCORE", "sdq_score", Kind.INT),
            Column("CONVICTED", "convicted", Kind.BOOL),
            Column("HEALTH_CHECK", "health_check", Kind.BOOL),
            Column("IMMUNISATIONS", "immunisations", Kind.BOOL),
            Column("TEETH_CHECK", "teeth_check", Kind.BOOL),
            Column("HEALTH_ASSESSMENT", "health_assessment", Kind.BOOL),
            Column("SUBSTANCE_MISUSE", "substance_misuse", Kind.BOOL),
            Column("INTERVENTION_RECEIVED", "intervention_received", Kind.BOOL),
            Column("INTERVENTION_OFFERED", "intervention_offered", Kind.BOOL),
            Column("SDQ_REASON", "sdq_reason", Kind.CODE, codes="sdq_reason"),
        ),
        Keep(),
        "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
        "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED",
        "CHILD DOB SDQ_SCORE CONVICTED HEALTH_CHECK SUBSTANCE_MISUSE",
    ),
    _table(
        "OC3",
        "cla_oc3",
        (
            CHILD,
            DOB,
            Column("IN_TOUCH", "in_touch", Kind.CODE, codes="in_touch", required=True),
            Column("ACTIV", "activity", Kind.CODE, codes="activity"),
            Column("ACCOM", "accommodation", Kind.CODE, codes="accommodation"),
        ),
        Keep(),
        "CHILD DOB IN_TOUCH ACTIV ACCOM",
        "CHILD DOB IN_TOUCH ACTIV ACCOM",
    ),
    _table(
        "AD1",
        "cla_ad1",
        (
            CHILD,
            DOB,
            Column("DATE_INT", "interest_date", Kind.DATE),
            Column("DATE_MATCH", "match_date", Kind.DATE),
            Column("FOSTER_CARE", "foster_care", Kind.BOOL),
            Column("NB_ADOPTR", "adopters", Kind.INT),
            Column("SEX_ADOPTR", "adopter_sex", Kind.CODE, codes="adopter_sex"),
            Column("LS_ADOPTR", "adopter_status", Kind.CODE, codes="adopter_status"),
        ),
        Newest("child_id"),
        "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR",
        "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR",
    ),
    _table(
        "PlacedAdoption",
        "cla_placed_adoption",
        (
            CHILD,
            DOB,
            Column("DATE_PLACED", "placed_date", Kind.DATE, key=True),
            Column("DATE_PLACED_CEASED", "ceased_date", Kind.DATE),
            Column(
                "REASON_PLACED_CEASED", "ceased_reason", Kind.CODE, codes="placed_ceased_reason"
            ),
        ),
        Span("placed_date", "ceased_date"),
        "CHILD DOB DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED",
        "CHILD DOB DATE_PLACED DATE_PLACED_CEASED",
    ),
    _table(
        "PrevPerm",
        "cla_prev_perm",
        (
            CHILD,
            DOB,
            Column("PREV_PERM", "prev_perm", Kind.CODE, codes="prev_perm"),
            Column("LA_PERM", "la_perm", Kind.CODE),
            Column("DATE_PERM", "perm_date", Kind.PARTIAL_DATE),
            Column("DATE_PERM", "perm_date_text", Kind.TEXT),
        ),
        Newest("child_id"),
        "CHILD DOB PREV_PERM LA_PERM DATE_PERM",
        "CHILD DOB PREV_PERM LA_PERM DATE_PERM",
    ),
    _table(
        "Missing",
        "cla_missing",
        (
            CHILD,
            Column("MISSING", "missing", Kind.CODE, codes="missing", required=True),
            Column("MIS_START", "start_date", Kind.DATE, key=True),
            Column("MIS_END", "end_date", Kind.DATE),
        ),
        Span("start_date", "end_date"),
        "CHILD DOB MISSING MIS_START MIS_END",
        "CHILD DOB MISSING MIS_START MIS_END",
    ),
    _table(
        "SWEpisodes",
        "cla_sw_episodes",
        (
            CHILD,
            Column("SW_ID", "sw_id", Kind.ID, required=True),
            Column("SW_ID", "sw_id_prefix", Kind.ID_PREFIX),
            Column("SW_DECOM", "start_date", Kind.DATE, key=True),
            Column("SW_DEC", "end_date", Kind.DATE),
            Column("SW_REASON", "reason", Kind.CODE, codes="sw_reason"),
        ),
        Span("start_date", "end_date"),
        "CHILD DOB SW_ID SW_DECOM SW_DEC SW_REASON",
        "CHILD SW_ID SW_DECOM SW_DEC SW_REASON",
    ),
    # Deprivation of liberty orders, from the 2026-27 return (DfE validator rules 700-710).
    _table(
        "DoLo",
        "cla_dolo",
        (
            CHILD,
            DOB,
            Column("DOLO_START", "dolo_start", Kind.DATE, key=True),
            Column("DOLO_END", "dolo_end", Kind.DATE),
        ),
        Span("dolo_start", "dolo_end"),
        "CHILD DOB DOLO_START DOLO_END",
        "CHILD DOLO_START DOLO_END",
    ),
)
BY_NAME = {t.name: t for t in TABLES_903}
TABLES = tuple(TableSpec(t.table, ReturnKind.SSDA903, t.columns, t.merge) for t in TABLES_903)
SPECS = {spec.name: spec for spec in TABLES}
# Every table of the return, by the columns that identify it.
SIGNATURES: dict[str, frozenset[str]] = {t.name: t.signature for t in TABLES_903}


def recognise(columns: set[str]) -> str | None:
    """The 903 table whose identifying columns the file has (the most specific match)."""
    matches = [name for name, needed in SIGNATURES.items() if needed <= columns]
    return max(matches, key=lambda name: len(SIGNATURES[name]), default=None)


def collection_year(latest: dt.date) -> int:
    """The 903 year (1 April–31 March) holding a date, named by the year it ends."""
    return latest.year + 1 if latest.month >= 4 else latest.year


@dataclass(frozen=True)
class TextTable:
    """One 903 table as text cells, with where each row came from."""

    file: str
    cells: Mapping[str, pa.Array]
    locations: pa.Array


def parse_csv(
    texts: Sequence[CsvText],
    *,
    la_code: str,
    ids: Pseudonymiser,
    year: int | None = None,
    postcodes: PostcodeLookup | None = None,
) -> Parsed:
    """One 903 return from its CSV files (one folder's worth, already read)."""
    found: dict[str, TextTable] = {}
    read: dict[str, CsvText] = {}
    for text in texts:
        name = recognise(text.columns)
        if name is None:
            raise ReturnError(
                f"{text.path}: not an SSDA903 table (columns {', '.join(sorted(text.columns))})"
            )
        if name in found:
            raise ReturnError(
                f"{text.path}: a second {name} table for the same return "
                f"(the first is {found[name].file})"
            )
        found[name] = TextTable(str(text.path), text.cells(), text.locations)
        read[name] = text
    parsed = _parse(found, la_code=la_code, ids=ids, year=year, postcodes=postcodes)
    for name, text in read.items():
        spec = BY_NAME[name]
        parsed.problems.extend(ignored_columns(text, spec.table, frozenset(spec.standard)))
        parsed.problems.extend(for_table(text.problems, spec.table))
        parsed.rows_read[spec.table] += text.rows_unreadable
    parsed.files = {str(t.path): sha256_of(t.path) for t in texts}
    return parsed


def stream_csv(
    files: Sequence[CsvFile],
    *,
    la_code: str,
    ids: Pseudonymiser,
    year: int | None,
    scratch: Scratch,
    cap: int | None,
    postcodes: PostcodeLookup | None = None,
) -> list[Parsed]:
    """One 903 return from its CSV files, read a block at a time into staged tables.

    The same typing and problems as `parse_csv`, which holds every file whole. Episodes are
    read first: the return's year comes from their dates (unless given), and each other
    table is then typed, checked against its year's code lists and written once; only
    Episodes are written twice. Problems are listed in the order of the files.
    """
    found: dict[str, CsvFile] = {}
    for file in files:
        name = recognise(file.columns)
        if name is None:
            raise ReturnError(
                f"{file.path}: not an SSDA903 table (columns {', '.join(sorted(file.columns))})"
            )
        if name in found:
            raise ReturnError(
                f"{file.path}: a second {name} table for the same return "
                f"(the first is {found[name].path})"
            )
        found[name] = file
    typing = {name: Problems(cap=cap) for name in found}
    coded = {name: Problems(cap=cap) for name in found}  # codes of other years' lists
    info = None if year is None else _info(la_code, year)
    staged: dict[str, tuple[Staged, int]] = {}
    for name in sorted(found, key=lambda n: n != "Episodes"):
        spec, source = BY_NAME[name], str(found[name].path)
        table, rows_read, latest = _stream_table(
            found[name], spec, ids, scratch, typing[name], postcodes, info, coded[name]
        )
        if info is None:  # the Episodes, typed: their dates give the year
            info = _info(la_code, _year_from(latest, found))
            table = _placed(table, spec, info, source, coded[name], scratch)
        assert isinstance(table, Staged)
        staged[name] = (table, rows_read)
    assert info is not None  # found holds a table, or recognise_csv would not have matched
    problems = Problems(cap=cap)
    for by_table in (typing, coded):
        for name in found:
            problems.extend(by_table[name])
    parsed = Parsed(info, {}, problems)
    for name, file in found.items():
        spec = BY_NAME[name]
        parsed.tables[spec.table], parsed.rows_read[spec.table] = staged[name]
        parsed.sources[spec.table] = str(file.path)
    for name, file in found.items():
        problems.extend(
            ignored_columns(file, BY_NAME[name].table, frozenset(BY_NAME[name].standard))
        )
    parsed.files = {str(f.path): f.sha256 for f in files}
    return [parsed]


def _info(la_code: str, year: int) -> ReturnInfo:
    return ReturnInfo(
        la_code, ReturnKind.SSDA903, year, dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    )


def _stream_table(
    file: CsvFile,
    spec: Table903,
    ids: Pseudonymiser,
    scratch: Scratch,
    problems: Problems,
    postcodes: PostcodeLookup | None,
    info: ReturnInfo | None,
    coded: Problems,
) -> tuple[Staged | pa.Table, int, dt.date | None]:
    """One file typed a block at a time: the staged rows, the rows read, the latest episode
    date (for the year). With the return's `info`, the rows are staged in their return
    (`_in_return`); without, only typed, and a file of one block is kept in memory (it is
    staged once its year is known, `_placed`)."""
    where = str(file.path)
    typed_schema = schema_of(spec.columns).append(pa.field(LOCATION, pa.string()))
    stager = Stager(scratch, spec.table, _placed_schema(spec)) if info is not None else None
    held: pa.Table | None = None  # the first block typed, while the year is not known
    rows_read = rows_typed = 0
    latest: dt.date | None = None
    for chunk in batches(file):
        typed = _typed(spec, chunk.cells(), where, chunk.locations, ids, postcodes)
        typed = blank_unknown_codes(typed, spec.columns, file=where, table_name=spec.table)
        for found in typed.problems.chunks:
            # A missing column is said once for the file, with all its rows, below.
            problems.extend(found.filter(pc.not_equal(found["rule"], str(Reading.COLUMN_MISSING))))
        problems.extend(for_table(chunk.problems, spec.table))
        rows_typed += typed.rows_read
        rows_read += typed.rows_read + chunk.rows_unreadable
        if spec.name == "Episodes":
            latest = _later(latest, _latest_date(typed.table))
        if info is not None:
            assert stager is not None
            stager.write(_in_return(typed.table, spec, info, where, coded))
        elif stager is None and held is None:
            held = typed.table.cast(typed_schema)
        else:  # a second block: the file is staged as it is read
            if stager is None:
                stager = Stager(scratch, f"{spec.table}-typed", typed_schema)
            if held is not None:
                stager.write(held)
                held = None
            stager.write(typed.table)
    for column in spec.columns:
        if column.source not in file.columns and (column.key or column.required) and rows_typed:
            problems.extend(column_missing(column, file=where, table=spec.table, rows=rows_typed))
    if stager is None:
        return (held if held is not None else typed_schema.empty_table()), rows_read, latest
    return stager.close(), rows_read, latest


def _placed_schema(spec: Table903) -> pa.Schema:
    return SPECS[spec.table].schema.append(pa.field(LOCATION, pa.string()))


def _in_return(
    typed: pa.Table, spec: Table903, info: ReturnInfo, file: str, coded: Problems
) -> pa.Table:
    """Typed rows in their return (`with_return`), their codes of other years' lists warned."""
    coded.extend(
        code_year_warnings(typed, spec.columns, year=info.year, file=file, table_name=spec.table)
    )
    return with_return(typed, info)


def _placed(
    typed: Staged | pa.Table,
    spec: Table903,
    info: ReturnInfo,
    file: str,
    coded: Problems,
    scratch: Scratch,
) -> Staged:
    """A table typed before its return's year was known (in memory, or staged), staged in
    its return."""
    out = Stager(scratch, spec.table, _placed_schema(spec))
    if isinstance(typed, pa.Table):
        if typed.num_rows:  # as a staged table's row groups, each of which has rows
            out.write(_in_return(typed, spec, info, file, coded))
        return out.close()
    for batch in typed.batches():
        out.write(_in_return(batch, spec, info, file, coded))
    typed.path.unlink()
    return out.close()


def _latest_date(episodes: pa.Table) -> dt.date | None:
    """The latest DECOM or DEC that is not in the future (a date typed 2099 for 2019 must not
    move the return's year)."""
    today = pa.scalar(dt.date.today(), pa.date32())
    found = [
        pc.max(pc.filter(dates, pc.less_equal(dates, today))).as_py()
        for dates in (episodes["decom"], episodes["dec"])
    ]
    return max((d for d in found if d is not None), default=None)


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max((d for d in (a, b) if d is not None), default=None)


def _year_from(latest: dt.date | None, found: Mapping[str, CsvFile]) -> int:
    if "Episodes" not in found:
        files = ", ".join(sorted(str(f.path) for f in found.values()))
        raise ReturnError(
            f"{files}: no SSDA903 Episodes table among these files; "
            "give the collection year with --year"
        )
    if latest is None:
        raise ReturnError(
            f"{found['Episodes'].path}: no episode has a readable date; "
            "give the collection year with --year"
        )
    return collection_year(latest)


HEADER_LEAVES = {
    "CHILDID": "CHILD",
    "CHILD": "CHILD",
    "SEX": "SEX",
    "DOB": "DOB",
    "ETHNIC": "ETHNIC",
    "UASC": "UASC",
    "DUC": "DUC",
    "IN_TOUCH": "IN_TOUCH",
    "ACTIV": "ACTIV",
    "ACCOM": "ACCOM",
    "DATE_INT": "DATE_INT",
    "DATE_MATCH": "DATE_MATCH",
    "FOSTER_CARE": "FOSTER_CARE",
    "NB_ADOPTR": "NB_ADOPTR",
    "SEX_ADOPTR": "SEX_ADOPTR",
    "LS_ADOPTR": "LS_ADOPTR",
}
_INHERIT = ("CHILD", "DOB")


def _leaves(name: str, skip: str = "CHILD DOB") -> dict[str, str]:
    return {c: c for c in BY_NAME[name].standard if c not in skip.split()}


SW_EPISODE = Group("SWEPISODE", "SWEpisodes", inherit=_INHERIT, leaves=_leaves("SWEpisodes"))
CHILD_GROUP = Group(
    "CHILD",
    "Header",
    groups=(
        Group(
            "HEADER",
            leaves=HEADER_LEAVES,
            dropped=frozenset({"UPN", "MOTHER", "MC_DOB"}),
            groups=(
                Group("AREVIEW", "Reviews", inherit=_INHERIT, leaves=_leaves("Reviews")),
                Group("AMISSING", "Missing", inherit=_INHERIT, leaves=_leaves("Missing")),
                Group("OC2", "OC2", inherit=_INHERIT, leaves=_leaves("OC2")),
                Group("PERMANENCE", "PrevPerm", inherit=_INHERIT, leaves=_leaves("PrevPerm")),
                Group(
                    "AD_PLACED",
                    "PlacedAdoption",
                    inherit=_INHERIT,
                    leaves=_leaves("PlacedAdoption"),
                ),
                SW_EPISODE,
            ),
        ),
        Group(
            "EPISODE",
            "Episodes",
            inherit=("CHILD",),
            leaves=_leaves("Episodes") | {"PL": "PLACE"},
        ),
        SW_EPISODE,
    ),
)
# Tables the XML keeps among the header's own fields, and the fields that make a row of them.
INLINE = {
    "UASC": ("UASC", "DUC"),
    "OC3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
}


def parse_xml(
    path: Path,
    *,
    la_code: str,
    ids: Pseudonymiser,
    year: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    postcodes: PostcodeLookup | None = None,
) -> Parsed:
    """One 903 return from its XML file (`EXPSSDA903`)."""
    limits = limits or Limits()
    root = check_prolog(path, limits)
    if root != ROOT:
        raise ReturnError(f"{path}: not an SSDA903 XML return (root element {root}, not {ROOT})")
    records = read_records(path, CHILD_GROUP, at="EXPSSDA903", progress=progress)
    text = records.tables
    found = {
        name: TextTable(
            str(path),
            {c: table[c].combine_chunks() for c in table.column_names if c != LOCATION},
            table[LOCATION].combine_chunks(),
        )
        for name, table in text.items()
    }
    header = text["Header"]
    for name, fields in INLINE.items():
        found[name] = _inline(path, header, name, fields)
    parsed = _parse(found, la_code=la_code, ids=ids, year=year, postcodes=postcodes)
    parsed.problems.extend(records.problems)
    parsed.files = {str(path): sha256_of(path)}
    return parsed


def _inline(path: Path, header: pa.Table, name: str, fields: tuple[str, ...]) -> TextTable:
    """Rows of a table the XML keeps in the header: children with any of its fields given."""
    given = None
    for f in fields:
        value = pc.utf8_trim_whitespace(header[f].combine_chunks())
        present = pc.fill_null(pc.not_equal(value, ""), False)
        if f == "UASC":
            present = pc.is_in(pc.utf8_lower(value), pa.array(["1", "true", "y", "yes"]))
        given = present if given is None else pc.or_(given, present)
    assert given is not None
    rows = header.filter(given)
    wanted = set(BY_NAME[name].standard)
    return TextTable(
        str(path),
        {c: rows[c].combine_chunks() for c in rows.column_names if c in wanted},
        rows[LOCATION].combine_chunks(),
    )


def _parse(
    found: Mapping[str, TextTable],
    *,
    la_code: str,
    ids: Pseudonymiser,
    year: int | None,
    postcodes: PostcodeLookup | None,
) -> Parsed:
    typed = {
        name: _typed(BY_NAME[name], text.cells, text.file, text.locations, ids, postcodes)
        for name, text in found.items()
    }
    if year is None:
        year = _year(typed, found)
    info = _info(la_code, year)
    parsed = Parsed(info, {})
    for name, result in typed.items():
        spec = BY_NAME[name]
        file = found[name].file
        checked = check_codes(result, spec.columns, year=year, file=file, table_name=spec.table)
        parsed.add(spec.table, checked, file, info)
    return parsed


def _typed(
    spec: Table903,
    cells: Mapping[str, pa.Array],
    file: str,
    locations: pa.Array,
    ids: Pseudonymiser,
    postcodes: PostcodeLookup | None,
) -> Typed:
    """One table's text cells typed; episodes with their placement distances."""
    if spec.name == "Episodes":
        cells = _with_distance(cells, postcodes)
    typed = build(cells, spec.columns, file=file, table=spec.table, locations=locations, ids=ids)
    if spec.name != "Episodes":
        return typed
    table = typed.table
    miles = table["placement_distance_miles"]
    # A return's 999.9 says the distance is not known.
    known = pc.if_else(pc.equal(miles, NOT_KNOWN), pa.scalar(None, pa.float64()), miles)
    at = table.schema.get_field_index("placement_distance_miles")
    return Typed(
        table.set_column(at, "placement_distance_miles", known), typed.problems, typed.rows_read
    )


def _with_distance(
    cells: Mapping[str, pa.Array], postcodes: PostcodeLookup | None
) -> Mapping[str, pa.Array]:
    """Episodes' cells with PL_DISTANCE worked out from HOME_POST and PL_POST (whole, before
    they are reduced) where the file leaves it blank; as given without a lookup."""
    if postcodes is None or "HOME_POST" not in cells or "PL_POST" not in cells:
        return cells
    worked = postcodes.miles(cells["HOME_POST"], cells["PL_POST"]).cast(pa.string())
    given = cells.get("PL_DISTANCE")
    distance = worked if given is None else pc.coalesce(clean_text(given), worked)
    return {**cells, "PL_DISTANCE": distance}


def _year(typed: Mapping[str, Typed], found: Mapping[str, TextTable]) -> int:
    episodes = typed.get("Episodes")
    if episodes is None:
        files = ", ".join(sorted({t.file for t in found.values()}))
        raise ReturnError(
            f"{files}: no SSDA903 Episodes table among these files; "
            "give the collection year with --year"
        )
    table = episodes.table
    dates = pa.chunked_array(
        [table["decom"].combine_chunks(), table["dec"].combine_chunks()]
    ).combine_chunks()
    # A date typed in the future (2099 for 2019) must not move the whole return's year.
    dates = dates.filter(pc.less_equal(dates, pa.scalar(dt.date.today(), pa.date32())))
    latest = pc.max(dates).as_py()
    if latest is None:
        raise ReturnError(
            f"{found['Episodes'].file}: no episode has a readable date; "
            "give the collection year with --year"
        )
    return collection_year(latest)


def _from_xml(
    path: Path,
    *,
    ids: Pseudonymiser,
    la_code: str | None,
    year: int | None,
    limits: Limits,
    progress: Progress | None,
    postcodes: PostcodeLookup | None = None,
) -> Parsed:
    if not la_code:
        raise ReturnError(f"{path}: this return does not say which LA it is from; give --la")
    return parse_xml(
        path,
        la_code=la_code,
        ids=ids,
        year=year,
        limits=limits,
        progress=progress,
        postcodes=postcodes,
    )


def _from_csv(
    texts: Sequence[CsvText],
    *,
    la_code: str,
    ids: Pseudonymiser,
    year: int | None,
    postcodes: PostcodeLookup | None = None,
) -> list[Parsed]:
    return [parse_csv(texts, la_code=la_code, ids=ids, year=year, postcodes=postcodes)]


FORMAT = ReturnFormat(
    ReturnKind.SSDA903,
    "SSDA903",
    TABLES,
    checks.RULES,
    # Every child looked after has a header and an episode; the other tables may be empty.
    needs=("cla_children", "cla_episodes"),
    xml_root=ROOT,
    parse_xml=_from_xml,
    recognise_csv=recognise,
    parse_csv=_from_csv,
    stream_csv=stream_csv,
)
