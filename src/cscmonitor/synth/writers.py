"""Simulated records out as real-format returns: CIN census XML, SSDA903 CSVs, workforce,
early help and virtual school CSVs.

A return shows only what was known on its reference date: a case closed later is open in
the earlier return, a plan ending later has no end date yet, and so on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.care_records import CareRecords
from cscmonitor.synth.children import Children
from cscmonitor.synth.dates import NEVER, Days, birthday, day, dmy, iso, on
from cscmonitor.synth.education import SchoolRecords, ofsted_date
from cscmonitor.synth.referrals import Referrals, Reviews

Text = npt.NDArray[np.str_]
Bools = npt.NDArray[np.bool_]
Objects = npt.NDArray[np.object_]

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
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
]
WORKFORCE_COLUMNS = [
    "WORKER_ID",
    "AGENCY",
    "ROLE",
    "REGISTERED",
    "FTE",
    "START_DATE",
    "LEFT_DATE",
    "REASON_LEFT",
    "CASES",
]
# The 903's other tables, by file name: their columns as the DfE's CSV layout has them.
SSDA903_TABLES = {
    "reviews.csv": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "missing.csv": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "oc3.csv": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "ad1.csv": [
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ],
    "placed_adoption.csv": [
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ],
}
EARLY_HELP_COLUMNS = [
    "CHILD_ID",
    "DOB",
    "REQUEST_DATE",
    "ASSESSMENT_START_DATE",
    "ASSESSMENT_COMPLETED_DATE",
    "LEAD_AGENCY",
    "CLOSURE_DATE",
    "CLOSURE_REASON",
]
VIRTUAL_SCHOOL_COLUMNS = {
    "schools": [
        "CHILD_ID",
        "URN",
        "SCHOOL_NAME",
        "PHASE",
        "OFSTED_GRADE",
        "OFSTED_DATE",
        "START_DATE",
        "END_DATE",
    ],
    "peps": ["CHILD_ID", "PEP_DATE", "QUALITY_RATING", "AUDIT_DATE"],
    "attendance": ["CHILD_ID", "START_DATE", "END_DATE", "POSSIBLE_SESSIONS", "ATTENDED_SESSIONS"],
    "exclusions": ["CHILD_ID", "START_DATE", "EXCLUSION_TYPE", "SESSIONS"],
}
# Tables of the newer returns: social worker episodes from 2023-24, deprivation of liberty
# orders from 2026-27 (the DfE's CSV layouts).
SW_EPISODES = ("sw_episodes.csv", ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"])
DOLO = ("dolo.csv", ["CHILD", "DOB", "DOLO_START", "DOLO_END"])
SW_EPISODES_FROM, DOLO_FROM = 2024, 2027
# Placement codes by return year: registered supported accommodation (K3) from 2024-25, for
# placements made from 1 April 2024, and in place of H5 and P2 from 2025-26; other
# placements (Z1) split into Z11-Z14 from 2025-26.
K3_FROM, K3_PLACED_FROM, Z1_SPLIT_FROM = 2025, dt.date(2024, 4, 1), 2026
Z1_SPLIT = np.array(["Z11", "Z12", "Z13", "Z14"])
# The child's sex: the CIN census's GenderCurrent (1 male, 2 female) to 2023-24 and Sex (M,
# F) from 2024-25; the 903's SEX codes 1 and 2 to 2023-24, M and F from 2024-25.
CIN_SEX_FROM = SEX_LETTERS_FROM = 2025
# Pre-proceedings and family group decision making in the CIN census from 2026-27.
PRE_PROCEEDINGS_FROM = 2027
# Children get a UPN when they start school; younger ones are "UN1" (under 6, not at school).
UPN_AGE = 5


def _element(tag: str, text: npt.ArrayLike, indent: int, present: Bools | bool = True) -> Objects:
    """`<tag>text</tag>` on its own indented line where present, else nothing."""
    values = np.asarray(text).astype(str).astype(object)
    line = f"\n{' ' * indent}<{tag}>" + values + f"</{tag}>"
    return np.where(present, line, "")


def _join(*parts: npt.ArrayLike | str) -> Objects:
    # Object arrays of Python strings: fixed-width numpy strings would be copied at the
    # widest row's width on every concatenation.
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + (part if isinstance(part, str) else np.asarray(part, dtype=object))
    return out


def _in_order(*pieces: tuple[npt.ArrayLike, Objects]) -> str:
    """Concatenate text pieces sorted by their integer keys (rows of a key matrix)."""
    keys = np.concatenate([np.asarray(k, dtype=np.int64).reshape(-1, 3) for k, _ in pieces])
    text = np.concatenate([t for _, t in pieces])
    order = np.lexsort(keys.T[::-1])
    return "".join(text[order].tolist())


def _upn(children: Children, child: npt.NDArray[np.int64], reference: int) -> tuple[Text, Bools]:
    has = birthday(children.dob[child], UPN_AGE) <= reference
    return np.where(has, children.upn[child], "UN1"), has


def write_cin_census(
    path: Path,
    year: int,
    la_code: str,
    r: Referrals,
    reviews: Reviews,
    children: Children,
    *,
    reference: int | None = None,
    pre: pd.DataFrame | None = None,
) -> npt.NDArray[np.int64]:
    """One CIN census return for the year ending 31 March `year`, in that year's format;
    returns the referrals in it.

    With `reference` (a day before 31 March), an in-year extract: the census year's return
    as known on that day. `pre` holds pre-proceedings (`recent_records.pre_proceedings`),
    written from the 2026-27 census.
    """
    census_end = int(on([year], 3, 31)[0])
    reference = census_end if reference is None else reference
    start = int(on([year - 1], 4, 1)[0])
    rows = np.flatnonzero((r.date <= reference) & (r.closure >= start))
    rows = rows[np.lexsort((r.date[rows], children.child_id[r.child[rows]]))]

    def known(days: Days) -> Bools:
        return days[rows] <= reference

    def date(tag: str, days: Days, indent: int, present: Bools | bool = True) -> Objects:
        return _element(
            tag, iso(np.minimum(days[rows], reference)), indent, np.asarray(present) & known(days)
        )

    closed = known(r.closure)
    assessed = known(r.assessment_start)
    authorised = known(r.assessment_authorised)
    factors = (
        pd.Series(r.factors[rows])
        # 21 is "no factors identified": never written beside other factors.
        .str.replace(r"(?<!\S)21(?=\s|$)", "", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
        .replace("", "21")
        .str.replace(" ", "</AssessmentFactors>\n" + " " * 12 + "<AssessmentFactors>")
        .to_numpy()
        .astype(str)
    )
    assessments = np.where(
        assessed,
        _join(
            "\n        <Assessments>",
            # Zero working days after a weekend referral rolls back to the Friday before it.
            date("AssessmentActualStartDate", np.maximum(r.assessment_start, r.date), 10),
            date("AssessmentAuthorisationDate", r.assessment_authorised, 10),
            np.where(
                authorised,
                _join(
                    "\n          <FactorsIdentifiedAtAssessment>",
                    _element("AssessmentFactors", factors, 12),
                    "\n          </FactorsIdentifiedAtAssessment>",
                ),
                "",
            ),
            "\n        </Assessments>",
        ),
        "",
    )
    cin_plan = np.where(
        known(r.cin_plan_start),
        _join(
            "\n        <CINPlanDates>",
            date("CINPlanStartDate", r.cin_plan_start, 10),
            date("CINPlanEndDate", r.cin_plan_end, 10),
            "\n        </CINPlanDates>",
        ),
        "",
    )
    held = known(r.icpc)
    not_required = (r.s47_start[rows] < NEVER) & (r.icpc[rows] == NEVER)
    section47 = np.where(
        known(r.s47_start),
        _join(
            "\n        <Section47>",
            date("S47ActualStartDate", np.maximum(r.s47_start, r.date), 10),
            # A target is known from the day the enquiry starts, even when it falls later.
            _element("InitialCPCtarget", iso(np.minimum(r.icpc_target[rows], NEVER - 1)), 10),
            date("DateOfInitialCPC", r.icpc, 10),
            _element("ICPCnotRequired", np.where(not_required, "true", "false"), 10),
            "\n        </Section47>",
        ),
        "",
    )
    # Review dates sit inside the plan element, so a CINdetails is written as a head, its
    # reviews and a tail; pieces are put in order by (child, referral, part) keys.
    position = np.full(len(r), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    review_row = position[reviews.referral]
    review_keep = (reviews.date <= reference) & (review_row >= 0)
    review_row = review_row[review_keep]
    reviewed = np.zeros(len(rows), dtype=bool)
    reviewed[review_row] = True
    has_plan = known(r.plan_start)
    plan_head = np.where(
        has_plan,
        _join(
            "\n        <ChildProtectionPlans>",
            date("CPPstartDate", r.plan_start, 10),
            date("CPPendDate", r.plan_end, 10),
            _element("InitialCategoryOfAbuse", r.initial_category[rows], 10),
            _element("LatestCategoryOfAbuse", r.latest_category[rows], 10),
            _element("NumberOfPreviousCPP", r.previous_plans[rows], 10),
            np.where(reviewed, "\n          <Reviews>", ""),
        ),
        "",
    )
    head = _join(
        "\n      <CINdetails>",
        date("CINreferralDate", r.date, 8),
        _element("ReferralSource", r.source[rows], 8),
        _element("PrimaryNeedCode", r.need[rows], 8),
        date("CINclosureDate", r.closure, 8),
        _element("ReasonForClosure", r.closure_reason[rows], 8, closed),
        date("DateOfInitialCPC", r.icpc, 8, held),
        assessments,
        cin_plan,
        section47,
        _element("ReferralNFA", r.nfa[rows].astype(int), 8),
        plan_head,
    )
    tail = _join(
        np.where(reviewed, "\n          </Reviews>", ""),
        np.where(has_plan, "\n        </ChildProtectionPlans>", ""),
        _pre_proceedings(rows, pre, start, reference) if year >= PRE_PROCEEDINGS_FROM else "",
        "\n      </CINdetails>",
    )
    child = r.child[rows]
    first = np.r_[True, child[1:] != child[:-1]]
    kids = child[first]
    child_position = np.cumsum(first) - 1
    upn, has_upn = _upn(children, kids, reference)
    opening = _join(
        "\n    <Child>\n      <ChildIdentifiers>",
        _element("LAchildID", children.child_id[kids], 8),
        _element("UPN", upn, 8, has_upn),
        _element("UPNunknown", upn, 8, ~has_upn),
        _element("PersonBirthDate", iso(children.dob[kids]), 8),
        _sex(children.sex[kids], year),
        "\n      </ChildIdentifiers>\n      <ChildCharacteristics>",
        _element("Ethnicity", children.ethnicity[kids], 8),
        "\n        <Disabilities>",
        _element("Disability", children.disability[kids], 10),
        "\n        </Disabilities>\n      </ChildCharacteristics>",
    )
    k, m = np.arange(len(kids)), np.arange(len(rows))
    body = _in_order(
        (np.c_[k, np.full(len(k), -1), np.zeros(len(k))], opening),
        (np.c_[child_position, m, np.zeros(len(m))], head),
        (
            np.c_[child_position[review_row], review_row, np.ones(len(review_row))],
            _element("CPPreviewDate", iso(reviews.date[review_keep]), 12),
        ),
        (np.c_[child_position, m, np.full(len(m), 2)], tail),
        (
            np.c_[k, np.full(len(k), len(m)), np.zeros(len(k))],
            np.full(len(k), "\n    </Child>", dtype=object),
        ),
    )
    # Made some weeks after the census date; an in-year extract, a few days after its own.
    made = census_end + 50 if reference == census_end else reference + 5
    header = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n'
        f"    <CollectionDetails>\n      <Collection>CIN</Collection>\n      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{year}-03-31</ReferenceDate>\n    </CollectionDetails>\n"
        f"    <Source>\n      <SourceLevel>L</SourceLevel>\n      <LEA>{la_code}</LEA>\n"
        "      <SoftwareCode>Local Authority</SoftwareCode>\n      <Release>ver 3.1.21</Release>\n"
        "      <SerialNo>001</SerialNo>\n"
        f"      <DateTime>{iso(np.array([made]))[0]}T10:00:00</DateTime>\n"
        "    </Source>\n  </Header>\n"
        "  <Children>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body + "\n  </Children>\n</Message>\n", encoding="utf-8")
    return rows


def _sex(sex: npt.NDArray[np.int64], year: int) -> Objects:
    """The child's sex as the census year writes it."""
    if year >= CIN_SEX_FROM:
        return _element("Sex", _sex_letters(sex), 8)
    return _element("GenderCurrent", sex, 8)


def _sex_letters(sex: npt.NDArray[np.int64]) -> Text:
    return np.where(sex == 1, "M", "F")


def _pre_proceedings(
    rows: npt.NDArray[np.int64], pre: pd.DataFrame | None, start: int, reference: int
) -> Objects | str:
    """The PreProceedingsandFGDM block of each referral in `rows` whose pre-proceedings began
    in the year to `reference` (a census reports them in the year they began, DfE rule 9005),
    with only what had happened by then."""
    if pre is None or pre.empty:
        return ""
    under_way = pre[(pre["start"] >= start) & (pre["start"] <= reference)]
    at = pd.Series(np.arange(len(under_way)), index=under_way["referral"].to_numpy())
    found = at.reindex(rows).to_numpy()
    has = ~np.isnan(found)
    p = under_way.iloc[np.where(has, found, 0).astype(np.int64)] if len(under_way) else None
    if p is None:
        return ""

    def known(column: str) -> Bools:
        return has & (p[column].to_numpy() <= reference)

    def date(tag: str, column: str) -> Objects:
        days = np.minimum(p[column].to_numpy(), reference)
        return _element(tag, iso(days), 10, known(column))

    decided = known("decision")
    meeting = known("meeting")
    # Review meetings spread evenly between the initial meeting and the decision.
    first, last = p["meeting"].to_numpy(), p["decision"].to_numpy()
    elapsed = np.clip((np.minimum(last, reference) - first) / np.maximum(last - first, 1), 0, 1)
    reviews = np.floor(p["reviews"].to_numpy() * elapsed).astype(np.int64)
    return np.where(
        has,
        _join(
            "\n        <PreProceedingsandFGDM>",
            date("PPStartDate", "start"),
            date("LBPSentDate", "letter"),
            _element("FGDMMeetingOffer", p["offered"].to_numpy(), 10),
            _element("FGDMMeetingFac", p["facilitated"].to_numpy(), 10),
            date("InitialPPMeetingDate", "meeting"),
            _element("ReviewMeetingsCount", reviews, 10, meeting),
            date("StepDecisionDate", "decision"),
            _element("PPOutcome", p["outcome"].to_numpy(), 10, decided),
            date("CourtAppDate", "court"),
            date("LetterInitCPDate", "court_letter"),
            "\n        </PreProceedingsandFGDM>",
        ),
        "",
    )


def write_ssda903(
    folder: Path,
    year: int,
    episodes: pd.DataFrame,
    children: Children,
    records: CareRecords | None = None,
    *,
    reference: int | None = None,
    social_workers: pd.DataFrame | None = None,
    dolo: pd.DataFrame | None = None,
) -> npt.NDArray[np.int64]:
    """The header and episodes files of the 903 return for the year ending 31 March `year`,
    in that year's format, and with `records` its reviews, missing, OC3, AD1 and
    PlacedAdoption files; with `social_workers` its SWEpisodes (from 2023-24) and with `dolo`
    its deprivation of liberty orders (from 2026-27).

    With `reference` (a day before 31 March), an in-year extract as known on that day.
    Returns the children with episodes in it.
    """
    reference = int(on([year], 3, 31)[0]) if reference is None else reference
    start = int(on([year - 1], 4, 1)[0])
    decom = episodes["decom"].to_numpy()
    dec = episodes["dec"].to_numpy()
    chosen = episodes[(decom <= reference) & (dec >= start)]
    ended = chosen["dec"].to_numpy() <= reference
    child = chosen["child"].to_numpy()
    place, urn = _placement_codes(chosen, year, children.child_id[child])
    table = pd.DataFrame(
        {
            "CHILD": children.child_id[child],
            "DECOM": dmy(chosen["decom"].to_numpy()),
            "RNE": chosen["rne"].to_numpy(),
            "LS": chosen["ls"].to_numpy(),
            "CIN": chosen["cin"].to_numpy(),
            "PLACE": place,
            "PLACE_PROVIDER": chosen["place_provider"].to_numpy(),
            "DEC": np.where(ended, dmy(np.minimum(chosen["dec"].to_numpy(), reference)), ""),
            "REC": np.where(ended, chosen["rec"].to_numpy(), ""),
            "REASON_PLACE_CHANGE": np.where(ended, chosen["reason_place_change"].to_numpy(), ""),
            "HOME_POST": chosen["home_post"].to_numpy(),
            "PL_POST": chosen["pl_post"].to_numpy(),
            "URN": urn,
        },
        columns=EPISODE_COLUMNS,
    )
    kids = np.unique(child)
    tables = {} if records is None else _care_tables(records, children, start, reference)
    if social_workers is not None and year >= SW_EPISODES_FROM:
        tables[SW_EPISODES[0]] = _dated_table(
            SW_EPISODES, social_workers, children, start, reference, sw_id=True
        )
    if dolo is not None and year >= DOLO_FROM:
        tables[DOLO[0]] = _dated_table(DOLO, dolo, children, start, reference)
    # Care leavers with an OC3 record are in the header too.
    leavers = tables.get("oc3.csv", pd.DataFrame({"child": []}))["child"].to_numpy()
    kids_in_header = np.union1d(kids, leavers.astype(np.int64))
    upn, _ = _upn(children, kids_in_header, reference)
    shown = kids_in_header
    girl = (children.sex[shown] == 2) & (birthday(children.dob[shown], 12) <= reference)
    header = pd.DataFrame(
        {
            "CHILD": children.child_id[shown],
            "SEX": _sex_letters(children.sex[shown])
            if year >= SEX_LETTERS_FROM
            else children.sex[shown],
            "DOB": dmy(children.dob[shown]),
            "ETHNIC": children.ethnicity[shown],
            "UPN": upn,
            "MOTHER": np.where(girl, "0", ""),
            "MC_DOB": "",
        },
        columns=HEADER_COLUMNS,
    )
    folder.mkdir(parents=True, exist_ok=True)
    header.sort_values("CHILD").to_csv(folder / "header.csv", index=False)
    table.to_csv(folder / "episodes.csv", index=False)
    for name, rows in tables.items():
        rows.drop(columns="child").to_csv(folder / name, index=False)
    return kids


def _placement_codes(
    chosen: pd.DataFrame, year: int, child_id: Text
) -> tuple[Text, npt.NDArray[np.object_]]:
    """PLACE and URN as the return year codes them (K3 from 2024-25, Z11-Z14 from 2025-26)."""
    place = chosen["place"].to_numpy().astype("U3")
    urn = chosen["urn"].to_numpy().astype(object)
    supported = np.isin(place, ["H5", "P2"])
    if year >= K3_FROM:
        placed = chosen["decom"].to_numpy() >= day(K3_PLACED_FROM)
        registered = supported & (placed | (year >= Z1_SPLIT_FROM))
        place = np.where(registered, "K3", place)
        # Registered supported accommodation has an Ofsted URN: one per provider here.
        number = pd.util.hash_array(child_id.astype(object)) % np.uint64(90) + np.uint64(2000)
        urn = np.where(registered, np.char.add("SC", number.astype(str)), urn)
    if year >= Z1_SPLIT_FROM:
        which = pd.util.hash_array(child_id.astype(object)) % np.uint64(len(Z1_SPLIT))
        place = np.where(place == "Z1", Z1_SPLIT[which.astype(np.int64)], place)
    return place, urn


def _dated_table(
    spec: tuple[str, list[str]],
    frame: pd.DataFrame,
    children: Children,
    start: int,
    reference: int,
    *,
    sw_id: bool = False,
) -> pd.DataFrame:
    """Spells (child, start, end) open in the year to `reference`, as known then, in a table
    of the 903's layout (with a `child` column for the header)."""
    rows = frame[(frame["start"] <= reference) & (frame["end"] >= start)].sort_values("start")
    child = rows["child"].to_numpy()
    end = rows["end"].to_numpy()
    ended = end <= reference
    first, last = spec[1][3 if sw_id else 2], spec[1][4 if sw_id else 3]
    columns = {
        "CHILD": children.child_id[child],
        "DOB": dmy(children.dob[child]),
        first: dmy(rows["start"].to_numpy()),
        last: np.where(ended, dmy(np.minimum(end, reference)), ""),
    }
    if sw_id:
        columns["SW_ID"] = rows["sw_id"].to_numpy()
        columns["SW_REASON"] = np.where(ended, rows["reason"].to_numpy(), "")
    out = pd.DataFrame(columns, columns=spec[1])
    out.insert(0, "child", child)
    return out.sort_values("CHILD", kind="stable")


def _care_tables(
    records: CareRecords, children: Children, start: int, reference: int
) -> dict[str, pd.DataFrame]:
    """The year's rows of the 903's other tables, as known on 31 March (with a `child` column
    for the header)."""

    def dates(days: npt.NDArray[np.int64]) -> Text:
        return np.where(days <= reference, dmy(np.clip(days, 0, reference)), "")

    def table(name: str, frame: pd.DataFrame, **columns: npt.ArrayLike) -> pd.DataFrame:
        child = frame["child"].to_numpy()
        out = pd.DataFrame(
            {"CHILD": children.child_id[child], "DOB": dmy(children.dob[child]), **columns},
            columns=SSDA903_TABLES[name],
        )
        out.insert(0, "child", child)
        # Frames come in date order, so each child's rows stay in date order.
        return out.sort_values("CHILD", kind="stable")

    def within(days: pd.Series) -> pd.Series:
        return (days >= start) & (days <= reference)

    reviews = records.reviews[within(records.reviews["date"])].sort_values("date")
    missing = records.missing[
        (records.missing["start"] <= reference) & (records.missing["end"] >= start)
    ].sort_values("start")
    leavers = records.leavers[within(records.leavers["birthday"])]
    adopted = records.adoption[within(records.adoption["adopted"])]
    decided = records.decisions[
        (records.decisions["decision"] <= reference) & (records.decisions["end"] >= start)
    ]
    return {
        "reviews.csv": table(
            "reviews.csv",
            reviews,
            REVIEW=dmy(reviews["date"].to_numpy()),
            REVIEW_CODE=reviews["code"].to_numpy(),
        ),
        "missing.csv": table(
            "missing.csv",
            missing,
            MISSING=missing["kind"].to_numpy(),
            MIS_START=dmy(missing["start"].to_numpy()),
            MIS_END=dates(missing["end"].to_numpy()),
        ),
        "oc3.csv": table(
            "oc3.csv",
            leavers,
            IN_TOUCH=leavers["in_touch"].to_numpy(),
            ACTIV=leavers["activity"].to_numpy(),
            ACCOM=leavers["accommodation"].to_numpy(),
        ),
        "ad1.csv": table(
            "ad1.csv",
            adopted,
            DATE_INT=dmy(adopted["decision"].to_numpy()),
            DATE_MATCH=dmy(adopted["match"].to_numpy()),
            FOSTER_CARE=adopted["foster_care"].to_numpy(),
            NB_ADOPTR=adopted["adopters"].to_numpy(),
            SEX_ADOPTR=adopted["sex"].to_numpy(),
            LS_ADOPTR=adopted["status"].to_numpy(),
        ),
        "placed_adoption.csv": table(
            "placed_adoption.csv",
            decided,
            DATE_PLACED=dmy(decided["decision"].to_numpy()),
            DATE_PLACED_CEASED="",
            REASON_PLACED_CEASED="",
        ),
    }


def write_early_help(path: Path, year: int, episodes: pd.DataFrame) -> int:
    """The early help file for the year ending 31 March `year`: every episode open in it."""
    reference = int(on([year], 3, 31)[0])
    start = int(on([year - 1], 4, 1)[0])
    request = episodes["request"].to_numpy()
    closure = episodes["closure"].to_numpy()
    rows = episodes[(request <= reference) & (closure >= start)].sort_values("request")

    def dates(column: str) -> Text:
        days = rows[column].to_numpy()
        known = (days >= 0) & (days <= reference)
        return np.where(known, dmy(np.clip(days, 0, reference)), "")

    closed = rows["closure"].to_numpy() <= reference
    table = pd.DataFrame(
        {
            "CHILD_ID": rows["child_id"].to_numpy(),
            "DOB": dmy(rows["dob"].to_numpy()),
            "REQUEST_DATE": dmy(rows["request"].to_numpy()),
            "ASSESSMENT_START_DATE": dates("assessment_start"),
            "ASSESSMENT_COMPLETED_DATE": dates("assessment_done"),
            "LEAD_AGENCY": rows["agency"].to_numpy(),
            "CLOSURE_DATE": dates("closure"),
            "CLOSURE_REASON": np.where(closed, rows["reason"].to_numpy(), ""),
        },
        columns=EARLY_HELP_COLUMNS,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.sort_values("CHILD_ID", kind="stable").to_csv(path, index=False)
    return len(table)


def write_virtual_school(
    folder: Path, year: int, records: SchoolRecords, children: Children
) -> list[Path]:
    """The virtual school's files for the school year ending 31 August `year`; a table with
    no rows in the year is not written (the format allows a file to be missing)."""
    reference = int(on([year], 8, 31)[0])
    ids = children.child_id

    def dates(days: npt.NDArray[np.int64]) -> Text:
        known = (days >= 0) & (days <= reference)
        return np.where(known, dmy(np.clip(days, 0, reference)), "")

    spells = records.spells.iloc[
        records.returned.loc[records.returned["year"] == year, "spell"].to_numpy()
    ]
    school = records.schools.iloc[spells["school"].to_numpy()]
    grade = school["grade"].to_numpy()
    inspected = ofsted_date(school, int(on([year - 1], 9, 1)[0]))
    peps = records.peps[records.peps["year"] == year]
    attendance = records.attendance[records.attendance["year"] == year]
    exclusions = records.exclusions[records.exclusions["year"] == year].sort_values("date")
    tables = {
        "schools": {
            "CHILD_ID": ids[spells["child"].to_numpy()],
            "URN": school["urn"].to_numpy(),
            "SCHOOL_NAME": school["name"].to_numpy(),
            "PHASE": school["phase"].to_numpy(),
            "OFSTED_GRADE": np.where(grade > 0, grade.astype(str), ""),
            "OFSTED_DATE": np.where(grade > 0, dmy(inspected), ""),
            "START_DATE": dmy(spells["start"].to_numpy()),
            "END_DATE": dates(spells["end"].to_numpy()),
        },
        "peps": {
            "CHILD_ID": ids[peps["child"].to_numpy()],
            "PEP_DATE": dmy(peps["date"].to_numpy()),
            "QUALITY_RATING": peps["rating"].to_numpy(),
            "AUDIT_DATE": dates(peps["audit"].to_numpy()),
        },
        "attendance": {
            "CHILD_ID": ids[attendance["child"].to_numpy()],
            "START_DATE": dmy(attendance["start"].to_numpy()),
            "END_DATE": dmy(attendance["end"].to_numpy()),
            "POSSIBLE_SESSIONS": attendance["possible"].to_numpy(),
            "ATTENDED_SESSIONS": attendance["attended"].to_numpy(),
        },
        "exclusions": {
            "CHILD_ID": ids[exclusions["child"].to_numpy()],
            "START_DATE": dmy(exclusions["date"].to_numpy()),
            "EXCLUSION_TYPE": exclusions["kind"].to_numpy(),
            "SESSIONS": np.where(
                exclusions["sessions"].to_numpy() > 0, exclusions["sessions"].astype(str), ""
            ),
        },
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in tables.items():
        table = pd.DataFrame(columns, columns=VIRTUAL_SCHOOL_COLUMNS[name])
        if table.empty:
            continue
        path = folder / f"{name}_{year}.csv"
        # Rows come in date order within each child.
        table.sort_values("CHILD_ID", kind="stable").to_csv(path, index=False)
        written.append(path)
    return written


def write_workforce(path: Path, workers: pd.DataFrame) -> int:
    """One workforce file (worker-level, as at 30 September), with the workers' ETHNICITY
    where the table has it."""
    ethnicity = "ethnicity" in workers.columns
    left = workers["left"].to_numpy()
    cases = workers["cases"].to_numpy()
    table = pd.DataFrame(
        {
            "WORKER_ID": workers["worker_id"].to_numpy(),
            "AGENCY": workers["agency"].to_numpy(),
            "ROLE": workers["role"].to_numpy(),
            "REGISTERED": workers["registered"].to_numpy(),
            "FTE": np.char.mod("%.2f", workers["fte"].to_numpy()),
            "START_DATE": dmy(workers["start"].to_numpy()),
            "LEFT_DATE": np.where(left < NEVER, dmy(np.minimum(left, NEVER - 1)), ""),
            "REASON_LEFT": workers["reason"].to_numpy(),
            "CASES": np.where(cases >= 0, cases.astype(str), ""),
            **({"ETHNICITY": workers["ethnicity"].to_numpy()} if ethnicity else {}),
        },
        columns=WORKFORCE_COLUMNS + (["ETHNICITY"] if ethnicity else []),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.sort_values("WORKER_ID").to_csv(path, index=False)
    return len(table)
