"""Inspectorates, inspection frameworks and each framework's judgement scale, as data.

A new framework is an entry here, not a migration: inspections store the codes as text and
the services check them against this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from cscmonitor.records.errors import RecordsError

INSPECTORATES: Mapping[str, str] = {
    "ofsted": "Ofsted",
    "hmi_probation": "HM Inspectorate of Probation",
    "cqc": "Care Quality Commission",
    "hmicfrs": "HM Inspectorate of Constabulary and Fire & Rescue Services",
    "joint": "Joint inspection (several inspectorates)",
}


@dataclass(frozen=True)
class Scale:
    """Grades from best to worst, with other spellings inspectors' reports use for them."""

    code: str
    grades: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def canonical(self, text: str) -> str | None:
        """The grade as this scale spells it, or None when `text` is not on the scale."""
        wanted = " ".join(text.split()).casefold()
        for grade in self.grades:
            if grade.casefold() == wanted:
                return grade
        for alias, grade in self.aliases.items():
            if alias.casefold() == wanted:
                return grade
        return None

    def rank(self, grade: str) -> int:
        """0 for the best grade, counting down the scale."""
        return self.grades.index(grade)


OFSTED_FOUR_POINT = Scale(
    "ofsted_4",
    ("Outstanding", "Good", "Requires improvement to be good", "Inadequate"),
    # Reports before 2014 and many summaries (the seed's among them) drop "to be good".
    {"Requires improvement": "Requires improvement to be good"},
)
# HMI Probation's ratings since 2018 keep "Requires improvement" short.
HMIP_FOUR_POINT = Scale("hmip_4", ("Outstanding", "Good", "Requires improvement", "Inadequate"))
# The full joint inspections of youth offending work (2013–2018) rated each key area in words.
YOUTH_OFFENDING_WORK = Scale("yos_fji", ("Good", "Satisfactory", "Unsatisfactory", "Poor"))
# A children's home's interim inspection says how it moved since its last full inspection.
INTERIM_EFFECTIVENESS = Scale(
    "interim",
    ("Improved effectiveness", "Sustained effectiveness", "Declined in effectiveness"),
)


@dataclass(frozen=True)
class Framework:
    """One inspection framework: who uses it, the headline judgement and the areas it judges.

    A framework changes over time; the inspection's start date decides which rules it falls
    under: an area judged only from a date (`areas_from`), an area worded otherwise before a
    date (`worded_before`), and the date from which no headline judgement is given
    (`no_overall_from`).
    """

    code: str
    title: str
    inspectorates: frozenset[str]
    scale: Scale | None  # None: the framework reports findings without graded judgements
    overall: str | None  # what the headline judgement is called; None when there is none
    areas: Mapping[str, str] = field(default_factory=dict)  # area code -> the report's wording
    # What the framework was called from each date, earliest first. `title` describes it for
    # the catalogue ("SCCIF from 2017"); a report names an inspection as it was named on its
    # day, so a letter of January 2016 never speaks of a framework that came later.
    names: tuple[tuple[dt.date, str], ...] = ()
    areas_from: Mapping[str, dt.date] = field(default_factory=dict)
    worded_before: Mapping[str, tuple[dt.date, str]] = field(default_factory=dict)
    no_overall_from: dt.date | None = None

    def name_on(self, day: dt.date) -> str:
        """The framework's name on `day`: the latest name from on or before it."""
        named = [name for start, name in self.names if start <= day]
        return named[-1] if named else (self.names[0][1] if self.names else self.title)

    def gives_overall(self, on: dt.date) -> bool:
        """Whether an inspection starting on `on` gets a headline judgement at all."""
        return self.overall is not None and (
            self.no_overall_from is None or on < self.no_overall_from
        )

    def area_wording(self, area: str, on: dt.date) -> str | None:
        """The report's wording of an area for an inspection starting on `on`."""
        earlier = self.worded_before.get(area)
        if earlier is not None and on < earlier[0]:
            return earlier[1]
        return self.areas.get(area)

    def without_overall(self, on: dt.date) -> str | None:
        """Why an inspection starting on `on` has no headline judgement, when the framework
        stopped giving one; None when it gives one (or never did)."""
        if self.overall is None or self.gives_overall(on):
            return None
        assert self.no_overall_from is not None
        return f"not graded: no {self.overall.lower()} judgement from {_day(self.no_overall_from)}"


def _day(on: dt.date) -> str:
    return f"{on.day} {on:%B %Y}"


# Ofsted's ILACS changes: care leavers judged on their own from 1 January 2023 (the workbook's
# notes); no overall effectiveness grade for inspections from 1 April 2026.
CARE_LEAVERS_JUDGED = dt.date(2023, 1, 1)
ILACS_NO_OVERALL = dt.date(2026, 4, 1)


# Ofsted's social care common inspection framework (SCCIF) replaced the separate children's
# homes, fostering and adoption frameworks from 1 April 2017.
SCCIF_START = dt.date(2017, 4, 1)
SIF_START = dt.date(2013, 11, 1)
ILACS_START = dt.date(2018, 1, 1)
FJI_START = dt.date(2012, 4, 1)  # HMI Probation's full joint inspections, until 2018
YOS_START = dt.date(2018, 6, 1)


_FRAMEWORKS = (
    Framework(
        "SIF",
        "Single inspection framework: children in need of help and protection, children looked "
        "after and care leavers (2013–2017)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall effectiveness",
        {
            "help_and_protection": "Children who need help and protection",
            "looked_after": "Children looked after and achieving permanence",
            "adoption": "Adoption performance",
            "care_leavers": "Experience and progress of care leavers",
            "leadership": "Leadership, management and governance",
        },
        ((SIF_START, "Single inspection framework"),),
    ),
    Framework(
        "LSCB_REVIEW",
        "Review of the effectiveness of the Local Safeguarding Children Board (with the SIF)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall effectiveness",
    ),
    Framework(
        "ILACS",
        "Inspection of local authority children's services (2018–)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall effectiveness",
        {
            "leaders": "The impact of leaders on social work practice with children and families",
            "help_and_protection": "The experiences and progress of children who need help "
            "and protection",
            "children_in_care": "The experiences and progress of children in care",
            "care_leavers": "The experiences and progress of care leavers",
        },
        ((ILACS_START, "Inspection of local authority children's services (ILACS)"),),
        areas_from={"care_leavers": CARE_LEAVERS_JUDGED},
        # Until 2023 one judgement covered children in care and care leavers.
        worded_before={
            "children_in_care": (
                CARE_LEAVERS_JUDGED,
                "The experiences and progress of children in care and care leavers",
            )
        },
        no_overall_from=ILACS_NO_OVERALL,
    ),
    Framework(
        "CHILDRENS_HOME",
        "Children's home full inspection (2015 framework; SCCIF from 2017)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall experiences and progress of children and young people",
        {
            "help_and_protection": "How well children and young people are helped and protected",
            "leadership": "The effectiveness of leaders and managers",
        },
        (
            (dt.date(2015, 4, 1), "Children's home full inspection (2015 framework)"),
            (SCCIF_START, "Children's home full inspection (SCCIF)"),
        ),
    ),
    Framework(
        "CHILDRENS_HOME_INTERIM",
        "Children's home interim inspection",
        frozenset({"ofsted"}),
        INTERIM_EFFECTIVENESS,
        "Effectiveness since the last full inspection",
    ),
    Framework(
        "FOSTERING_AGENCY",
        "Fostering agency inspection (independent or local authority; SCCIF from 2017)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall effectiveness",
        {
            "outcomes": "Outcomes for children and young people",
            "quality": "Quality of service",
            "safeguarding": "Safeguarding children and young people",
            "leadership": "Leadership and management",
        },
        (
            (dt.date(2014, 4, 1), "Fostering agency inspection"),
            (SCCIF_START, "Fostering agency inspection (SCCIF)"),
        ),
    ),
    Framework(
        "ADOPTION_AGENCY",
        "Adoption agency inspection (voluntary or local authority; SCCIF from 2017)",
        frozenset({"ofsted"}),
        OFSTED_FOUR_POINT,
        "Overall effectiveness",
        {
            "outcomes": "Outcomes for children",
            "adopters": "Adopters' experiences",
            "safeguarding": "Safeguarding children",
            "leadership": "Leadership and management",
        },
        (
            (dt.date(2014, 4, 1), "Adoption agency inspection"),
            (SCCIF_START, "Adoption agency inspection (SCCIF)"),
        ),
    ),
    Framework(
        "YOS_FJI",
        "Full joint inspection of youth offending work (2013–2018)",
        frozenset({"hmi_probation", "joint"}),
        YOUTH_OFFENDING_WORK,
        None,
        {
            "reducing_reoffending": "Reducing reoffending",
            "protecting_public": "Protecting the public",
            "protecting_children": "Protecting children and young people",
            "sentence_served": "Ensuring the sentence is served",
            "governance": "Governance and partnership arrangements",
            "court_work": "Court work and reports",
        },
        ((FJI_START, "Full joint inspection of youth offending work"),),
    ),
    Framework(
        "YOS",
        "Inspection of youth offending services (2018–)",
        frozenset({"hmi_probation"}),
        HMIP_FOUR_POINT,
        "Overall rating",
        {
            "organisational_delivery": "Organisational delivery",
            "court_disposals": "Court disposals",
            "out_of_court_disposals": "Out-of-court disposals",
            "resettlement": "Resettlement",
        },
        ((YOS_START, "Inspection of youth offending services"),),
    ),
    Framework(
        "JTAI",
        "Joint targeted area inspection of the multi-agency response",
        frozenset({"joint"}),
        None,
        None,
    ),
    Framework(
        "CQC_CLAS",
        "Review of health services for children looked after and safeguarding",
        frozenset({"cqc"}),
        None,
        None,
    ),
)

FRAMEWORKS: Mapping[str, Framework] = {f.code: f for f in _FRAMEWORKS}


def inspectorate(code: str) -> str:
    """The inspectorate code, checked."""
    if code not in INSPECTORATES:
        raise RecordsError(
            f"inspectorate {code!r} is not known; known: {', '.join(sorted(INSPECTORATES))}"
        )
    return code


def framework(code: str, inspectorate_code: str | None = None) -> Framework:
    """The framework with this code, checked against the inspectorate that uses it."""
    found = FRAMEWORKS.get(code)
    if found is None:
        raise RecordsError(
            f"framework {code!r} is not known; known: {', '.join(sorted(FRAMEWORKS))}"
        )
    if inspectorate_code is not None and inspectorate_code not in found.inspectorates:
        users = ", ".join(sorted(found.inspectorates))
        raise RecordsError(f"framework {code} is used by {users}, not {inspectorate_code}")
    return found


def judgement(frame: Framework, area: str | None, value: str, *, on: dt.date) -> str:
    """`value` as the framework's scale spells it, for an inspection starting on `on`;
    `area` None is the overall judgement. A judgement the framework did not give on that date
    (an overall grade after it stopped giving one, an area before it was judged) is refused."""
    where = frame.overall if area is None else frame.areas.get(area)
    if where is None:
        if area is None:
            raise RecordsError(f"{frame.code} inspections have no overall judgement")
        known = ", ".join(frame.areas) or "none"
        raise RecordsError(f"{frame.code} judges no area {area!r}; its areas: {known}")
    if area is None and (why := frame.without_overall(on)) is not None:
        raise RecordsError(
            f"{frame.code} inspection starting {_day(on)}: {why}; record the areas' judgements only"
        )
    since = frame.areas_from.get(area) if area is not None else None
    if since is not None and on < since:
        raise RecordsError(
            f"{frame.code} inspection starting {_day(on)}: {where!r} is judged only from "
            f"{_day(since)}"
            + "".join(
                f"; before then {wording!r} ({code}) covered it"
                for code, (changed, wording) in frame.worded_before.items()
                if changed == since
            )
        )
    if frame.scale is None:
        raise RecordsError(f"{frame.code} inspections make no graded judgements")
    grade = frame.scale.canonical(value)
    if grade is None:
        grades = " / ".join(frame.scale.grades)
        raise RecordsError(
            f"{value!r} is not a judgement on the {frame.code} scale for {where!r}: "
            f"use one of {grades}"
        )
    return grade
