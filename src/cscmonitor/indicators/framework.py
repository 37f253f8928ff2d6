"""The Children's Social Care National Framework (December 2023): its outcomes and enablers.

Every indicator carries a `Tag` saying which outcome or enabler it speaks to: either the
measure of DfE's children's social care outcomes and enablers dashboard it computes (a row
of the dashboard's own list, bundled as `data/framework/dfe_csc_dashboard_metrics.csv` and
cited `#n`), or, for a measure the dashboard does not have, the outcome or enabler it serves
and why. The dashboard's measures that cannot be computed from the returns (absence,
attainment, hospital admissions, spend, Ofsted leadership) are tagged here too
(`BENCHMARK_ONLY`), so the registry, `cscmonitor indicators`, the web app and the reports
group the same way.

Titles are the dashboard's wording; so is the numbering of the outcomes (the dashboard
numbers "safe in and outside of their home" 2 and "supported by their family network" 3).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeVar, assert_never

DASHBOARD_CSV = "dfe_csc_dashboard_metrics.csv"

T = TypeVar("T")


class Kind(StrEnum):
    OUTCOME = "outcome"
    ENABLER = "enabler"


class Framework(StrEnum):
    """The Framework's four outcomes and three enablers, in the order the dashboard shows them
    (the enabler without a dashboard measure first, as the Framework lists it)."""

    STAY_TOGETHER = "stay-together"
    SAFE = "safe"
    FAMILY_NETWORK = "family-network"
    STABLE_HOMES = "stable-homes"
    MULTI_AGENCY = "multi-agency"
    LEADERS = "leaders"
    WORKFORCE = "workforce"

    @property
    def kind(self) -> Kind:
        match self:
            case (
                Framework.STAY_TOGETHER
                | Framework.SAFE
                | Framework.FAMILY_NETWORK
                | Framework.STABLE_HOMES
            ):
                return Kind.OUTCOME
            case Framework.MULTI_AGENCY | Framework.LEADERS | Framework.WORKFORCE:
                return Kind.ENABLER
            case _:
                assert_never(self)

    @property
    def statement(self) -> str:
        """The outcome or enabler as the dashboard words it."""
        return _TITLES[self]

    @property
    def label(self) -> str:
        """The title with its place: `Outcome 2: Children and young people are safe …`."""
        if self.kind is Kind.OUTCOME:
            return f"Outcome {list(Framework).index(self) + 1}: {self.statement}"
        return f"Enabler: {self.statement}"

    @property
    def description(self) -> str:
        """What the outcome or enabler asks of the service, in a sentence."""
        return _DESCRIPTIONS[self]


_TITLES: dict[Framework, str] = {
    Framework.STAY_TOGETHER: "Children, young people and families stay together",
    Framework.SAFE: "Children and young people are safe in and outside of their home",
    Framework.FAMILY_NETWORK: "Children and young people are supported by their family network",
    Framework.STABLE_HOMES: "Children in care and care leavers have stable, loving homes",
    # Not on the dashboard (it has no measure); the Framework's own wording.
    Framework.MULTI_AGENCY: "Multi-agency working is prioritised and effective",
    Framework.LEADERS: "Leaders drive conditions for effective practice",
    Framework.WORKFORCE: "The workforce is equipped and effective",
}

_DESCRIPTIONS: dict[Framework, str] = {
    Framework.STAY_TOGETHER: "Families get the help they need early, so children can live "
    "safely at home: access to help, entering care, and children's school stability, "
    "attendance and attainment.",
    Framework.SAFE: "Children are protected from harm at home and from harm outside it: "
    "child protection plans, the factors found at assessment, exploitation and going missing.",
    Framework.FAMILY_NETWORK: "Children who cannot live with their parents are cared for "
    "within their family network where that is safe: special guardianship and child "
    "arrangements orders, family group decision making.",
    Framework.STABLE_HOMES: "Children in care live in stable, loving homes near where they "
    "belong, and care leavers are in suitable homes and in education, work or training.",
    Framework.MULTI_AGENCY: "Police, health, schools and the council share information and "
    "act together; the dashboard has no measure of it.",
    Framework.LEADERS: "Leaders spend on what works, know their practice and improve it: "
    "spending and Ofsted's judgement of leadership.",
    Framework.WORKFORCE: "Social workers are stable, supported and have caseloads that let "
    "them know the children: turnover, agency, vacancies, caseloads, changes of worker.",
}


@dataclass(frozen=True)
class DashboardMeasure:
    """One of the dashboard's 68 measures (a row of its list)."""

    row: int  # `sort_order`, cited `#n`
    framework: Framework
    heading: str
    text: str  # as the dashboard displays it
    dataset: str
    value_column: str


def _framework_of(accordion: str) -> Framework:
    """`Outcome 2: Children and young people are safe …` → Framework.SAFE, by its title."""
    _, _, title = accordion.partition(": ")
    for element in Framework:
        if element.statement == title.strip():
            return element
    raise ValueError(f"{DASHBOARD_CSV}: {accordion!r} is no outcome or enabler known here")


@cache
def dashboard_measures() -> tuple[DashboardMeasure, ...]:
    """The dashboard's measures from the bundled list, in its order."""
    text = resources.files("cscmonitor").joinpath("data", "framework", DASHBOARD_CSV)
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return tuple(
        DashboardMeasure(
            row=int(r["sort_order"]),
            framework=_framework_of(r["accordion_text"]),
            heading=r["heading_text"],
            text=" ".join(r["metric_display_text"].split()),
            dataset=r["dataset_name"],
            value_column=r["value_column"],
        )
        for r in rows
    )


def dashboard_measure(row: int) -> DashboardMeasure:
    """The dashboard's measure `#row`, with an error naming the range."""
    found = {m.row: m for m in dashboard_measures()}
    try:
        return found[row]
    except KeyError:
        raise KeyError(f"the dashboard has no measure #{row} (#1–#{max(found)})") from None


@dataclass(frozen=True)
class Tag:
    """Where a measure sits in the Framework: the dashboard measure it computes, or the outcome
    or enabler it serves and why (a contract measure the dashboard does not have)."""

    framework: Framework
    row: int | None = None
    reason: str | None = None

    def check(self, code: str) -> None:
        """Refuse a tag that cites no dashboard row and gives no reason, or whose row sits
        under another outcome or enabler than the one it names."""
        if (self.row is None) == (self.reason is None or not self.reason.strip()):
            raise ValueError(
                f"{code}: a framework tag cites the dashboard measure it computes (row) or says "
                "why it serves its outcome or enabler (reason), one of the two"
            )
        if self.row is not None:
            measure = dashboard_measure(self.row)
            if measure.framework is not self.framework:
                raise ValueError(
                    f"{code}: the dashboard puts #{self.row} ({measure.text}) under "
                    f"{measure.framework.label!r}, not {self.framework.label!r}"
                )

    @property
    def why(self) -> str:
        """The reason in words: the dashboard measure computed, or the reason given."""
        if self.row is not None:
            return f"Dashboard #{self.row}: {dashboard_measure(self.row).text}"
        return self.reason or ""


def dashboard(framework: Framework, row: int) -> Tag:
    """The tag of an indicator that computes the dashboard's measure `#row`."""
    return Tag(framework, row=row)


def serves(framework: Framework, reason: str) -> Tag:
    """The tag of a measure the dashboard does not have: the outcome or enabler, and why."""
    return Tag(framework, reason=reason)


@dataclass(frozen=True)
class PublishedOnly:
    """Dashboard measures the returns cannot give: shown from DfE's and others' published
    files, never computed."""

    code: str
    title: str
    framework: Framework
    rows: tuple[int, ...]  # the dashboard measures it stands for
    source: str  # the bundled or reference file it is published in

    @property
    def files(self) -> tuple[str, ...]:
        """The files it is published in, as paths under `data/` (`ees/ks2_la.csv`)."""
        return tuple(re.findall(r"[\w.-]+/[\w.-]+\.(?:csv|ods)", self.source))

    @property
    def rows_text(self) -> str:
        """The dashboard measures it stands for: `Dashboard #8–#16`, `Dashboard #25`."""
        first, last = self.rows[0], self.rows[-1]
        return f"Dashboard #{first}" if first == last else f"Dashboard #{first}–#{last}"


BENCHMARK_ONLY: tuple[PublishedOnly, ...] = (
    PublishedOnly(
        "ABSENCE",
        "School absence (overall, persistent, severe) of children in need, on a plan and "
        "looked after",
        Framework.STAY_TOGETHER,
        tuple(range(8, 17)),
        "ees/absence_la.csv (DfE links the school census; VS_PERSIST_ABS is not comparable)",
    ),
    PublishedOnly(
        "ATTAINMENT_KS2",
        "Key stage 2 reading, writing and maths at the expected standard",
        Framework.STAY_TOGETHER,
        (17, 18, 19),
        "ees/ks2_la.csv",
    ),
    PublishedOnly(
        "ATTAINMENT_KS4",
        "Key stage 4 average Attainment 8",
        Framework.STAY_TOGETHER,
        (20, 21, 22),
        "ees/ks4_la.csv",
    ),
    PublishedOnly(
        "HOSPITAL_INJURY",
        "Hospital admissions for injuries to children aged 0–14 per 10,000",
        Framework.SAFE,
        (25,),
        "ees/la_hospital_admissions_2324.csv (OHID)",
    ),
    PublishedOnly(
        "SPEND",
        "Spend on children's services: share of the LA's spend, per child, share not on "
        "children looked after",
        Framework.LEADERS,
        (56, 57, 58),
        "spend/RSX_LA_Data_2024-25_data_by_LA.ods, spend/RO3_LA_Data_2024-25_data_by_LA.ods "
        "(MHCLG revenue outturn)",
    ),
    PublishedOnly(
        "OFSTED_LEADERSHIP",
        "Local authorities by Ofsted's judgement of the impact of leaders",
        Framework.LEADERS,
        (59, 60, 61, 62),
        "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods (`records load-ofsted`)",
    ),
)


def grouped(
    items: Iterable[T], framework_of: Callable[[T], Framework], *, keep_empty: bool = False
) -> list[tuple[Framework, list[T]]]:
    """Items under each outcome and enabler, in the Framework's order, keeping their own order
    within each; an outcome or enabler with none is left out unless `keep_empty`."""
    held = list(items)
    groups = [(f, [i for i in held if framework_of(i) is f]) for f in Framework]
    return [(f, members) for f, members in groups if members or keep_empty]
