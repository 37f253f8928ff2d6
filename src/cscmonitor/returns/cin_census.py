"""The CIN census XML return, streamed child by child so memory stays bounded.

`Message/Header` gives the LA (`LEA`) and the census year (`ReferenceDate`, 31 March);
each `Children/Child` holds identifiers, characteristics (with disabilities) and
`CINdetails` (one per referral) with assessments (and the factors identified), CIN plan
dates, section 47 enquiries, child protection plans (with reviews) and, from the 2026-27
census, pre-proceedings and family group decision making (`PreProceedingsandFGDM`, one row
each in `cin_pre_proceedings`). Every schema year from 2017 to 2027 is read:
`GenderCurrent` (to 2024) and `Sex` (from 2025) both land in `sex`; `ReferralNFA` may be
true/false/1/0.
UPNs never reach the warehouse. DTDs and entities are refused (see `xmlstream`).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import pyarrow as pa

from cscmonitor.periods import add_months
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.checks import cin_census as checks
from cscmonitor.returns.csvfile import Limits
from cscmonitor.returns.format import ReturnFormat
from cscmonitor.returns.issues import Problems, ReturnError
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed, ReturnInfo, sha256_of
from cscmonitor.returns.postcodes import PostcodeLookup
from cscmonitor.returns.schema import (
    LOCATION,
    Column,
    Follows,
    Kind,
    Merge,
    Newest,
    Span,
    TableSpec,
    Typed,
    build,
    check_codes,
)
from cscmonitor.returns.xmlstream import Group, Progress, check_prolog, read_records

ROOT = "Message"
CHILD = Column("LAchildID", "child_id", Kind.ID, key=True)
REFERRAL = Column("CINreferralDate", "referral_date", Kind.DATE, key=True)
SPECS: dict[str, tuple[Column, ...]] = {
    "cin_children": (
        CHILD,
        Column("PersonBirthDate", "birth_date", Kind.BIRTH_DATE),
        Column("Sex", "sex", Kind.CODE, codes="cin_sex", required=True),
        Column("Ethnicity", "ethnicity", Kind.CODE, codes="ethnicity", required=True),
        Column("ExpectedPersonBirthDate", "expected_birth_date", Kind.BIRTH_DATE),
        Column("PersonDeathDate", "death_date", Kind.DATE),
    ),
    "cin_disabilities": (
        CHILD,
        Column("Disability", "disability", Kind.CODE, key=True, codes="disability"),
    ),
    "cin_referrals": (
        CHILD,
        REFERRAL,
        Column("ReferralSource", "referral_source", Kind.CODE, codes="referral_source"),
        Column("PrimaryNeedCode", "primary_need", Kind.CODE, codes="primary_need"),
        Column("CINclosureDate", "closure_date", Kind.DATE),
        Column("ReasonForClosure", "closure_reason", Kind.CODE, codes="closure_reason"),
        Column("ReferralNFA", "referral_nfa", Kind.BOOL, required=True),
        Column("DateOfInitialCPC", "icpc_date", Kind.DATE),
    ),
    "cin_assessments": (
        CHILD,
        REFERRAL,
        Column("AssessmentActualStartDate", "start_date", Kind.DATE, required=True),
        Column("AssessmentAuthorisationDate", "authorised_date", Kind.DATE),
        Column("AssessmentInternalReviewDate", "internal_review_date", Kind.DATE),
    ),
    "cin_assessment_factors": (
        CHILD,
        REFERRAL,
        Column("AssessmentActualStartDate", "assessment_start_date", Kind.DATE),
        # The assessment's own, carried on each factor so a basket places factors in periods
        # without joining 17 million of England's to their assessments (bench/README.md).
        Column("AssessmentAuthorisationDate", "assessment_authorised_date", Kind.DATE),
        Column("AssessmentFactors", "factor", Kind.CODE, key=True, codes="assessment_factor"),
    ),
    "cin_plan_dates": (
        CHILD,
        REFERRAL,
        Column("CINPlanStartDate", "start_date", Kind.DATE, key=True),
        Column("CINPlanEndDate", "end_date", Kind.DATE),
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
        Column("InitialCategoryOfAbuse", "initial_category", Kind.CODE, codes="abuse_category"),
        Column("LatestCategoryOfAbuse", "latest_category", Kind.CODE, codes="abuse_category"),
        Column("NumberOfPreviousCPP", "previous_plans", Kind.INT),
    ),
    "cin_plan_reviews": (
        CHILD,
        REFERRAL,
        Column("CPPstartDate", "plan_start_date", Kind.DATE, key=True),
        Column("CPPreviewDate", "review_date", Kind.DATE, key=True),
    ),
    # One PreProceedingsandFGDM block of a CINdetails (the census from 2026-27).
    "cin_pre_proceedings": (
        CHILD,
        REFERRAL,
        Column("PPStartDate", "pp_start_date", Kind.DATE, required=True),
        Column("LBPSentDate", "lbp_sent_date", Kind.DATE),
        Column("FGDMMeetingOffer", "fgdm_offered", Kind.BOOL),
        Column("FGDMMeetingFac", "fgdm_held", Kind.BOOL),
        Column("InitialPPMeetingDate", "initial_pp_meeting_date", Kind.DATE),
        Column("ReviewMeetingsCount", "review_meetings_count", Kind.INT),
        Column("StepDecisionDate", "step_decision_date", Kind.DATE),
        Column("PPOutcome", "pp_outcome", Kind.CODE),
        Column("CourtAppDate", "court_application_date", Kind.DATE),
        Column("LetterInitCPDate", "letter_init_cp_date", Kind.DATE),
    ),
}

_UNDER_REFERRAL = Follows("cin_referrals", ("child_id", "referral_date"))
MERGE: dict[str, Merge] = {
    "cin_children": Newest("child_id"),
    "cin_disabilities": Follows("cin_children", ("child_id",)),
    "cin_referrals": Span("referral_date", "closure_date"),
    "cin_assessments": _UNDER_REFERRAL,
    "cin_assessment_factors": _UNDER_REFERRAL,
    "cin_plan_dates": _UNDER_REFERRAL,
    "cin_section47": _UNDER_REFERRAL,
    "cin_plans": _UNDER_REFERRAL,
    # A review is an event on its date: a census may list only the year's reviews of a plan
    # that began years before, so earlier reviews must not go with the older return; one
    # that lists them all again restates them, and only its copy stays.
    "cin_plan_reviews": Span("review_date", "review_date", restated=True),
    # A census reports a pre-proceedings in the year it began (DfE rule 9005): the next
    # census, still listing the referral, does not restate it, so it stays with its own.
    "cin_pre_proceedings": Span("pp_start_date", "pp_start_date"),
}
# Readers take one of each: ASSESS_45WD an assessment recorded twice (same child, start and
# authorisation), `indicators.referrals` a child's referrals of one date.
DISTINCT_ON = {
    "cin_assessments": ("child_id", "start_date", "authorised_date"),
    "cin_referrals": ("child_id", "referral_date"),
}
TABLES = tuple(
    TableSpec(name, ReturnKind.CIN_CENSUS, SPECS[name], MERGE[name], DISTINCT_ON.get(name, ()))
    for name in SPECS
)

_KEYS = ("LAchildID", "CINreferralDate")
# The shape of a Child element, every schema year at once.
CHILD_GROUP = Group(
    "Child",
    "cin_children",
    groups=(
        Group(
            "ChildIdentifiers",
            leaves={
                "LAchildID": "LAchildID",
                "PersonBirthDate": "PersonBirthDate",
                "ExpectedPersonBirthDate": "ExpectedPersonBirthDate",
                "GenderCurrent": "Sex",
                "Sex": "Sex",
                "PersonDeathDate": "PersonDeathDate",
            },
            dropped=frozenset({"UPN", "FormerUPN", "UPNunknown"}),
        ),
        Group(
            "ChildCharacteristics",
            leaves={"Ethnicity": "Ethnicity"},
            groups=(
                Group(
                    "Disabilities",
                    groups=(
                        Group(
                            "Disability",
                            "cin_disabilities",
                            text="Disability",
                            inherit=("LAchildID",),
                        ),
                    ),
                ),
            ),
        ),
        Group(
            "CINdetails",
            "cin_referrals",
            inherit=("LAchildID",),
            leaves={
                tag: tag
                for tag in (
                    "CINreferralDate",
                    "ReferralSource",
                    "PrimaryNeedCode",
                    "CINclosureDate",
                    "ReasonForClosure",
                    "DateOfInitialCPC",
                    "ReferralNFA",
                )
            },
            groups=(
                Group(
                    "Assessments",
                    "cin_assessments",
                    inherit=_KEYS,
                    leaves={
                        tag: tag
                        for tag in (
                            "AssessmentActualStartDate",
                            "AssessmentInternalReviewDate",
                            "AssessmentAuthorisationDate",
                        )
                    },
                    groups=(
                        Group(
                            "FactorsIdentifiedAtAssessment",
                            groups=(
                                Group(
                                    "AssessmentFactors",
                                    "cin_assessment_factors",
                                    text="AssessmentFactors",
                                    inherit=(
                                        *_KEYS,
                                        "AssessmentActualStartDate",
                                        "AssessmentAuthorisationDate",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
                Group(
                    "CINPlanDates",
                    "cin_plan_dates",
                    inherit=_KEYS,
                    leaves={
                        "CINPlanStartDate": "CINPlanStartDate",
                        "CINPlanEndDate": "CINPlanEndDate",
                    },
                ),
                Group(
                    "Section47",
                    "cin_section47",
                    inherit=_KEYS,
                    leaves={
                        tag: tag
                        for tag in (
                            "S47ActualStartDate",
                            "InitialCPCtarget",
                            "DateOfInitialCPC",
                            "ICPCnotRequired",
                        )
                    },
                ),
                Group(
                    "ChildProtectionPlans",
                    "cin_plans",
                    inherit=_KEYS,
                    leaves={
                        tag: tag
                        for tag in (
                            "CPPstartDate",
                            "CPPendDate",
                            "InitialCategoryOfAbuse",
                            "LatestCategoryOfAbuse",
                            "NumberOfPreviousCPP",
                        )
                    },
                    groups=(
                        Group(
                            "Reviews",
                            groups=(
                                Group(
                                    "CPPreviewDate",
                                    "cin_plan_reviews",
                                    text="CPPreviewDate",
                                    inherit=(*_KEYS, "CPPstartDate"),
                                ),
                            ),
                        ),
                    ),
                ),
                Group(
                    "PreProceedingsandFGDM",
                    "cin_pre_proceedings",
                    inherit=_KEYS,
                    leaves={
                        c.source: c.source
                        for c in SPECS["cin_pre_proceedings"]
                        if c.source not in _KEYS
                    },
                ),
            ),
        ),
    ),
)


def parse(
    path: Path,
    *,
    ids: Pseudonymiser,
    la_code: str | None = None,
    year: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    postcodes: PostcodeLookup | None = None,
) -> Parsed:
    """One CIN census return from its XML file (`la_code` and `year` if its header lacks them;
    the census holds no postcodes, so `postcodes` goes unused)."""
    limits = limits or Limits()
    root = check_prolog(path, limits)
    if root != ROOT:
        raise ReturnError(f"{path}: not a CIN census return (root element {root}, not {ROOT})")
    records = read_records(
        path,
        CHILD_GROUP,
        at="Message/Children",
        header="Header",
        builder=partial(_type_block, ids=ids, file=str(path)),
        progress=progress,
    )
    info = _info(path, records.header, la_code, year)
    parsed = Parsed(info, {}, files={str(path): sha256_of(path)})
    parsed.problems.extend(records.problems)
    for name, columns in SPECS.items():
        typed = Typed(records.tables[name], Problems(), records.read[name])
        typed = check_codes(typed, columns, year=info.year, file=str(path), table_name=name)
        parsed.add(name, typed, str(path), info)
    return parsed


def _type_block(
    name: str, text: pa.Table, *, ids: Pseudonymiser, file: str
) -> tuple[pa.Table, pa.Table]:
    """One block of a table's text rows, typed (the code lists wait for the year)."""
    typed = build(
        {c: text[c] for c in text.column_names if c != LOCATION},
        SPECS[name],
        file=file,
        table=name,
        locations=text[LOCATION].combine_chunks(),
        ids=ids,
    )
    return typed.table, typed.problems.table


def _info(
    path: Path, header: dict[str, str | None], la_code: str | None, year: int | None
) -> ReturnInfo:
    lea = (header.get("LEA") or "").strip() or la_code
    if not lea:
        raise ReturnError(f"{path}: Message/Header/Source/LEA is missing; give the LA with --la")
    reference = (header.get("ReferenceDate") or "").strip()
    if reference:
        try:
            end = dt.date.fromisoformat(reference)
        except ValueError:
            raise ReturnError(
                f"{path}: Message/Header/CollectionDetails/ReferenceDate {reference!r} "
                "is not a date (yyyy-mm-dd)"
            ) from None
    elif year is not None:
        end = dt.date(year, 3, 31)
    else:
        raise ReturnError(
            f"{path}: Message/Header/CollectionDetails/ReferenceDate is missing; "
            "give the census year with --year"
        )
    start = add_months(end, -12) + dt.timedelta(days=1)
    return ReturnInfo(lea, ReturnKind.CIN_CENSUS, end.year, start, end)


# Every child in the census has a referral; the other tables may be empty.
FORMAT = ReturnFormat(
    ReturnKind.CIN_CENSUS,
    "CIN census",
    TABLES,
    checks.RULES,
    needs=("cin_children", "cin_referrals"),
    xml_root=ROOT,
    parse_xml=parse,
)
