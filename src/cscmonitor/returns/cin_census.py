"""The CIN census XML return, streamed child by child so memory stays bounded.

`Message/Header` gives the LA (`LEA`) and the census year (`ReferenceDate`, 31 March);
each `Children/Child` holds identifiers, characteristics and `CINdetails` (one per
referral) with assessments, section 47 enquiries and child protection plans.
DTDs and entities are refused outright: a return has no use for them and they are
how XML attacks (entity expansion, external entities) arrive. UPNs never reach the
warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from cscmonitor.periods import add_months
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.issues import Problem, ReturnError
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of, with_return
from cscmonitor.returns.schema import (
    Column,
    Follows,
    Kind,
    Merge,
    Newest,
    Span,
    TableSpec,
    build,
)

CHILD = Column("LAchildID", "child_id", Kind.ID, key=True)
REFERRAL = Column("CINreferralDate", "referral_date", Kind.DATE, key=True)
SPECS: dict[str, tuple[Column, ...]] = {
    "cin_children": (
        CHILD,
        Column("PersonBirthDate", "birth_date", Kind.DATE),
        # The 2024 schema renamed GenderCurrent to Sex; both land here.
        Column("Sex", "sex", Kind.CODE),
        Column("Ethnicity", "ethnicity", Kind.CODE),
    ),
    "cin_referrals": (
        CHILD,
        REFERRAL,
        Column("ReferralSource", "referral_source", Kind.CODE),
        Column("PrimaryNeedCode", "primary_need", Kind.CODE),
        Column("CINclosureDate", "closure_date", Kind.DATE),
        Column("ReasonForClosure", "closure_reason", Kind.CODE),
        Column("ReferralNFA", "referral_nfa", Kind.BOOL),
    ),
    "cin_assessments": (
        CHILD,
        REFERRAL,
        Column("AssessmentActualStartDate", "start_date", Kind.DATE),
        Column("AssessmentAuthorisationDate", "authorised_date", Kind.DATE),
    ),
    "cin_section47": (
        CHILD,
        REFERRAL,
        Column("S47ActualStartDate", "start_date", Kind.DATE),
        Column("InitialCPCtarget", "icpc_target_date", Kind.DATE),
        Column("DateOfInitialCPC", "icpc_date", Kind.DATE),
        Column("ICPCnotRequired", "icpc_not_required", Kind.BOOL),
    ),
    "cin_plans": (
        CHILD,
        REFERRAL,
        Column("CPPstartDate", "start_date", Kind.DATE, key=True),
        Column("CPPendDate", "end_date", Kind.DATE),
        Column("InitialCategoryOfAbuse", "initial_category", Kind.CODE),
        Column("LatestCategoryOfAbuse", "latest_category", Kind.CODE),
        Column("NumberOfPreviousCPP", "previous_plans", Kind.INT),
    ),
    "cin_plan_reviews": (
        CHILD,
        REFERRAL,
        Column("CPPstartDate", "plan_start_date", Kind.DATE, key=True),
        Column("CPPreviewDate", "review_date", Kind.DATE, key=True),
    ),
}


_UNDER_REFERRAL = Follows("cin_referrals", ("child_id", "referral_date"))
MERGE: dict[str, Merge] = {
    "cin_children": Newest("child_id"),
    "cin_referrals": Span("referral_date", "closure_date"),
    "cin_assessments": _UNDER_REFERRAL,
    "cin_section47": _UNDER_REFERRAL,
    "cin_plans": _UNDER_REFERRAL,
    "cin_plan_reviews": _UNDER_REFERRAL,
}
TABLES = tuple(TableSpec(name, "cin", SPECS[name], MERGE[name]) for name in SPECS)


class _Rows:
    """Text cells gathered per table while streaming, typed column-wise at the end."""

    def __init__(self) -> None:
        self.cells: dict[str, dict[str, list[str | None]]] = {
            table: defaultdict(list) for table in SPECS
        }
        self.locations: dict[str, list[str]] = {table: [] for table in SPECS}

    def add(self, table: str, location: str, values: dict[str, str | None]) -> None:
        columns = self.cells[table]
        for column in SPECS[table]:
            columns[column.source].append(values.get(column.source))
        self.locations[table].append(location)


def _text(element: Element | None, tag: str) -> str | None:
    found = element.find(tag) if element is not None else None
    return found.text if found is not None else None


def _child(child: Element, path: str, rows: _Rows) -> None:
    ids = child.find("ChildIdentifiers")
    chars = child.find("ChildCharacteristics")
    child_id = _text(ids, "LAchildID")
    sex = _text(ids, "Sex") or _text(ids, "GenderCurrent")
    rows.add(
        "cin_children",
        path,
        {
            "LAchildID": child_id,
            "PersonBirthDate": _text(ids, "PersonBirthDate"),
            "Sex": sex,
            "Ethnicity": _text(chars, "Ethnicity"),
        },
    )
    for d, details in enumerate(child.findall("CINdetails"), start=1):
        at = f"{path}/CINdetails[{d}]"
        referral = _text(details, "CINreferralDate")
        keys = {"LAchildID": child_id, "CINreferralDate": referral}
        rows.add(
            "cin_referrals",
            at,
            keys
            | {
                tag: _text(details, tag)
                for tag in (
                    "ReferralSource",
                    "PrimaryNeedCode",
                    "CINclosureDate",
                    "ReasonForClosure",
                    "ReferralNFA",
                )
            },
        )
        for a, item in enumerate(details.findall("Assessments"), start=1):
            rows.add(
                "cin_assessments",
                f"{at}/Assessments[{a}]",
                keys
                | {
                    tag: _text(item, tag)
                    for tag in ("AssessmentActualStartDate", "AssessmentAuthorisationDate")
                },
            )
        for s, item in enumerate(details.findall("Section47"), start=1):
            rows.add(
                "cin_section47",
                f"{at}/Section47[{s}]",
                keys
                | {
                    tag: _text(item, tag)
                    for tag in (
                        "S47ActualStartDate",
                        "InitialCPCtarget",
                        "DateOfInitialCPC",
                        "ICPCnotRequired",
                    )
                },
            )
        for p, plan in enumerate(details.findall("ChildProtectionPlans"), start=1):
            plan_at = f"{at}/ChildProtectionPlans[{p}]"
            start = _text(plan, "CPPstartDate")
            rows.add(
                "cin_plans",
                plan_at,
                keys
                | {
                    tag: _text(plan, tag)
                    for tag in (
                        "CPPstartDate",
                        "CPPendDate",
                        "InitialCategoryOfAbuse",
                        "LatestCategoryOfAbuse",
                        "NumberOfPreviousCPP",
                    )
                },
            )
            for r, review in enumerate(plan.iterfind("Reviews/CPPreviewDate"), start=1):
                rows.add(
                    "cin_plan_reviews",
                    f"{plan_at}/Reviews/CPPreviewDate[{r}]",
                    keys | {"CPPstartDate": start, "CPPreviewDate": review.text},
                )


def parse(path: Path, *, ids: Pseudonymiser, la_code: str | None = None) -> Parsed:
    """One CIN census return from its XML file; `la_code` is used only if the header has no LEA."""
    rows = _Rows()
    header: dict[str, str | None] = {}
    count = 0
    try:
        for _event, element in iterparse(str(path), events=("end",), forbid_dtd=True):
            if element.tag == "Header":
                header = {
                    "LEA": _text(element, "Source/LEA"),
                    "ReferenceDate": _text(element, "CollectionDetails/ReferenceDate"),
                }
            elif element.tag == "Child":
                count += 1
                _child(element, f"Message/Children/Child[{count}]", rows)
                element.clear()  # keep memory bounded: a child is done once read
    except DefusedXmlException as exc:
        raise ReturnError(
            f"{path}: refused: the file declares a DTD or entities ({exc}); "
            "a CIN census return never needs them"
        ) from None
    except ParseError as exc:
        raise ReturnError(f"{path}: not well-formed XML: {exc}") from None
    info = _info(path, header, la_code)
    problems: list[Problem] = []
    tables: dict[str, pa.Table] = {}
    rows_read: dict[str, int] = {}
    for table, columns in SPECS.items():
        cells = {name: pa.array(values, pa.string()) for name, values in rows.cells[table].items()}
        typed = build(cells, columns, file=str(path), locations=rows.locations[table], ids=ids)
        tables[table] = with_return(typed.table, info)
        problems += typed.problems
        rows_read[table] = typed.rows_read
    return Parsed(info, tables, problems, files={str(path): sha256_of(path)}, rows_read=rows_read)


def _info(path: Path, header: dict[str, str | None], la_code: str | None) -> ReturnInfo:
    lea = (header.get("LEA") or "").strip() or la_code
    if not lea:
        raise ReturnError(f"{path}: Message/Header/Source/LEA is missing; give the LA with --la")
    reference = (header.get("ReferenceDate") or "").strip()
    try:
        end = dt.date.fromisoformat(reference)
    except ValueError:
        raise ReturnError(
            f"{path}: Message/Header/CollectionDetails/ReferenceDate {reference!r} "
            "is not a date (yyyy-mm-dd)"
        ) from None
    start = add_months(end, -12) + dt.timedelta(days=1)
    return ReturnInfo(lea, "cin", end.year, start, end)
