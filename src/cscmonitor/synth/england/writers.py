"""National returns out as the real formats, one file per LA and year, built for all LAs at once.

The same files `synth.writers` writes for one LA (CIN census XML, SSDA903 header and
episodes CSV, the worker-level workforce CSV), showing only what was known on each
return's reference date. XML elements are one to a line, without indentation: national
files are large, and the returns' readers take any layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cscmonitor.synth import factors
from cscmonitor.synth.dates import NEVER, birthday, on
from cscmonitor.synth.england import params
from cscmonitor.synth.england.las import LAs
from cscmonitor.synth.england.referrals import MOST_FACTORS, NFA, Simulated
from cscmonitor.synth.england.text import (
    DAYS,
    boundaries,
    choose,
    codes,
    csv_lines,
    date_elements,
    dates,
    day_index,
    grouped,
    join,
    lookup,
    numbers,
    table,
    when,
    write_per_la,
)
from cscmonitor.synth.england.workforce import REASONS, Workers
from cscmonitor.synth.writers import EPISODE_COLUMNS, HEADER_COLUMNS, UPN_AGE, WORKFORCE_COLUMNS

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NEEDS = [*params.NEED, "N9"]
UPN_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
# CINdetails per text built at once: bounds the memory a national year takes.
CHUNK_ROWS = 300_000
# The census replaced GenderCurrent (1 male, 2 female) with Sex (M, F) from 2024-25.
SEX_FROM = 2025


@dataclass(frozen=True)
class Identity:
    """Text that stays with a child or worker across returns."""

    child_id: pa.Array
    upn: pa.Array
    worker_id: pa.Array
    child_opening: pa.Array  # <Child>, <ChildIdentifiers> and the LAchildID element
    upn_element: pa.Array


def identities(
    rng: np.random.Generator, las: LAs, child_la: Ints, dob: Ints, workers: Workers
) -> Identity:
    """Random ten-digit child ids (unique in England), UPNs, and worker ids."""
    n = len(dob)
    child_id = pa.array(rng.choice(9_000_000_000, size=n, replace=False) + 1_000_000_000)
    la_number = las.code.astype(np.int64)[child_la]
    school = rng.integers(1000, 7000, n)
    # Issued when the child starts school, at about 4.
    issued = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1974) % 100
    body = la_number * 10**9 + school * 10**5 + issued * 10**3 + rng.integers(0, 1000, n)
    # The check letter weighs the twelve digits 2 to 13, most significant first.
    check = np.zeros(n, dtype=np.int64)
    for weight in range(13, 1, -1):
        check += (body // 10 ** (13 - weight)) % 10 * weight
    check %= 23
    upn = join(
        pa.array(UPN_LETTERS[check]),
        pc.utf8_lpad(pa.array(body).cast(pa.string()), 12, "0"),
    )
    number = rng.choice(9_000_000, size=len(workers), replace=False) + 1_000_000
    worker_id = join(choose(workers.registered, "SW", "LA"), pa.array(number).cast(pa.string()))
    ids = child_id.cast(pa.string())
    return Identity(
        ids,
        upn,
        worker_id,
        join("<Child>\n<ChildIdentifiers>\n<LAchildID>", ids, "</LAchildID>\n"),
        join("<UPN>", upn, "</UPN>\n"),
    )


def _cin_header(year: int, la: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header>\n'
        f"<CollectionDetails>\n<Collection>CIN</Collection>\n<Year>{year}</Year>\n"
        f"<ReferenceDate>{year}-03-31</ReferenceDate>\n</CollectionDetails>\n"
        f"<Source>\n<SourceLevel>L</SourceLevel>\n<LEA>{la}</LEA>\n"
        "<SoftwareCode>Local Authority</SoftwareCode>\n<Release>ver 3.1.21</Release>\n"
        f"<SerialNo>001</SerialNo>\n<DateTime>{year}-05-20T10:00:00</DateTime>\n</Source>\n"
        "</Header>\n<Children>\n"
    )


def _elements(tag: str, names: Iterable[str], prefix: str = "") -> list[str]:
    return [f"{prefix}<{tag}>{name}</{tag}>\n" for name in names]


def cin_census(out: Path, year: int, las: LAs, sim: Simulated, ident: Identity) -> Ints:
    """Every LA's CIN census for the year ending 31 March `year`; the referrals written.

    One row per CINdetails, sorted by LA, child and referral date; a child's first row
    carries the child's opening elements and its last row the closing tag, so the whole
    census is one row-wise join and each LA's file one slice of it. Elements that depend
    only on dates or codes are looked up in tables of every possible element (wrapping tags
    folded in where they come and go together), so a row is about twenty parts.
    """
    r = sim.referrals
    reference = int(on([year], 3, 31)[0])
    start = int(on([year - 1], 4, 1)[0])
    rows = np.flatnonzero((r.date <= reference) & (r.closure >= start))
    rows = rows[np.lexsort((r.date[rows], r.child[rows], r.la[rows]))]
    starts = boundaries(r.la[rows], len(las))
    paths = [out / la / "cin_census" / f"CIN_Census_{year}.xml" for la in las.code]
    heads = [_cin_header(year, la) for la in las.code]
    for a, b in chunks(starts, CHUNK_ROWS):
        write_per_la(
            paths[a:b],
            starts[a : b + 1] - starts[a],
            _cin_text(year, reference, rows[starts[a] : starts[b]], sim, ident),
            heads[a:b],
            "</Children>\n</Message>\n",
        )
    return rows


def chunks(starts: Ints, most: int) -> list[tuple[int, int]]:
    """Runs of whole LAs (first, past the last) holding at most `most` rows (or one LA)."""
    runs: list[tuple[int, int]] = []
    a = 0
    for b in range(1, len(starts)):
        if b > a + 1 and starts[b] - starts[a] > most:
            runs.append((a, b - 1))
            a = b - 1
    if len(starts) > 1:
        runs.append((a, len(starts) - 1))
    return runs


def _cin_text(year: int, reference: int, rows: Ints, sim: Simulated, ident: Identity) -> pa.Array:
    """The CINdetails rows' text, with their children's opening and closing tags."""
    r = sim.referrals

    def known(days: npt.NDArray[np.integer]) -> Bools:
        return np.asarray(days[rows] <= reference)

    def on_day(
        days: npt.NDArray[np.integer], tag: str, present: Bools, prefix: str = ""
    ) -> pa.Array:
        return lookup(date_elements(tag, prefix), day_index(days[rows]), present)

    closed, assessed = known(r.closure), known(r.assessment_start)
    authorised, has_cin = known(r.assessment_authorised), known(r.cin_plan_start)
    s47, has_plan, held = known(r.s47_start), known(r.plan_start), known(r.icpc)
    child = r.child[rows]
    first = np.r_[True, child[1:] != child[:-1]] if len(child) else np.empty(0, bool)
    last = np.r_[child[1:] != child[:-1], True] if len(child) else np.empty(0, bool)
    kids = child[first]
    opening = _child_opening(year, reference, kids, sim, ident)
    needs = len(NEEDS)
    parts: list[pa.Array] = [
        lookup(opening, np.cumsum(first) - 1, first),
        on_day(r.date, "CINreferralDate", np.ones(len(rows), bool), "<CINdetails>\n"),
        lookup(
            table(
                a + b
                for a in _elements("ReferralSource", params.SOURCES)
                for b in _elements("PrimaryNeedCode", NEEDS)
            ),
            r.source[rows].astype(np.int64) * needs + r.need[rows],
        ),
        on_day(r.closure, "CINclosureDate", closed),
        lookup(
            table(_elements("ReasonForClosure", params.CLOSURE_REASONS)),
            r.closure_reason[rows],
            closed,
        ),
        on_day(r.icpc, "DateOfInitialCPC", held),
    ]
    # Assessments: the first factor opens the list; the others (each may be absent) are
    # lookups of their pairs.
    codes = factors.CODES
    k = len(codes)
    factor = ["", *_elements("AssessmentFactors", codes)]
    pairs = table(a + b for a in factor for b in factor)
    drawn = r.factors[rows].astype(np.int64) + 1
    parts += [
        on_day(r.assessment_start, "AssessmentActualStartDate", assessed, "<Assessments>\n"),
        on_day(r.assessment_authorised, "AssessmentAuthorisationDate", authorised),
        lookup(
            table(_elements("AssessmentFactors", codes, "<FactorsIdentifiedAtAssessment>\n")),
            drawn[:, 0] - 1,
            authorised,
        ),
    ]
    parts += [
        lookup(pairs, drawn[:, j] * (k + 1) + drawn[:, j + 1], authorised)
        for j in range(1, MOST_FACTORS, 2)
    ]
    parts += [
        lookup(
            table(["</Assessments>\n", "</FactorsIdentifiedAtAssessment>\n</Assessments>\n"]),
            authorised,
            assessed,
        ),
    ]
    # A CIN plan's end, or only the closing tag while it is open.
    plan_end_known = known(r.cin_plan_end)
    parts += [
        on_day(r.cin_plan_start, "CINPlanStartDate", has_cin, "<CINPlanDates>\n"),
        lookup(
            date_elements(
                "CINPlanEndDate", suffix="</CINPlanDates>\n", extras=("</CINPlanDates>\n",)
            ),
            np.where(plan_end_known, day_index(r.cin_plan_end[rows]), DAYS),
            has_cin,
        ),
    ]
    not_required = (r.s47_start[rows] < NEVER) & (r.icpc[rows] >= NEVER)
    parts += [
        on_day(r.s47_start, "S47ActualStartDate", s47, "<Section47>\n"),
        # A target is known from the day the enquiry starts, even when it falls later.
        on_day(r.icpc_target, "InitialCPCtarget", s47),
        on_day(r.icpc, "DateOfInitialCPC", held & s47),
        lookup(
            table(
                f"<ICPCnotRequired>{flag}</ICPCnotRequired>\n</Section47>\n"
                for flag in ("false", "true")
            ),
            not_required,
            s47,
        ),
        lookup(
            table(
                f"<ReferralNFA>{nfa}</ReferralNFA>\n{plan}"
                for plan in ("", "<ChildProtectionPlans>\n")
                for nfa in (0, 1)
            ),
            (r.outcome[rows] == NFA) + 2 * has_plan,
        ),
    ]
    previous = np.minimum(r.previous_plans[rows], 99)
    most = int(previous.max(initial=0)) + 1
    categories = params.CATEGORIES
    parts += [
        on_day(r.plan_start, "CPPstartDate", has_plan),
        on_day(r.plan_end, "CPPendDate", known(r.plan_end)),
        lookup(
            table(
                f"<InitialCategoryOfAbuse>{a}</InitialCategoryOfAbuse>\n"
                f"<LatestCategoryOfAbuse>{b}</LatestCategoryOfAbuse>\n"
                f"<NumberOfPreviousCPP>{p}</NumberOfPreviousCPP>\n"
                for a in categories
                for b in categories
                for p in range(most)
            ),
            (
                np.maximum(r.initial_category[rows], 0) * len(categories)
                + np.maximum(r.latest_category[rows], 0)
            )
            * most
            + previous,
            has_plan,
        ),
        _reviews(sim, rows, reference),
        lookup(
            table(
                f"{plan}</CINdetails>\n{end}"
                for end in ("", "</Child>\n")
                for plan in ("", "</ChildProtectionPlans>\n")
            ),
            has_plan + 2 * last,
        ),
    ]
    return join(*parts)


def _reviews(sim: Simulated, rows: Ints, reference: int) -> pa.Array:
    """Each row's plan reviews held by the reference date, in a Reviews element, or ""."""
    reviews = sim.reviews
    position = np.full(len(sim.referrals), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    row = position[reviews.referral]
    keep = (reviews.date <= reference) & (row >= 0)
    row, date = row[keep], reviews.date[keep]
    order = np.argsort(row, kind="stable")
    row, date = row[order], date[order]
    first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.empty(0, bool)
    last = np.r_[row[1:] != row[:-1], True] if len(row) else np.empty(0, bool)
    # The Reviews tags ride on the first and last review of each plan.
    variants = pa.concat_arrays(
        [
            date_elements("CPPreviewDate", prefix, suffix)
            for prefix in ("", "<Reviews>\n")
            for suffix in ("", "</Reviews>\n")
        ]
    )
    variant = 2 * first + last
    elements = lookup(variants, variant * DAYS + day_index(date))
    return grouped(elements, np.bincount(row, minlength=len(rows)))


def _child_opening(
    year: int, reference: int, kids: npt.NDArray[np.integer], sim: Simulated, ident: Identity
) -> pa.Array:
    """Each child's elements before their first CINdetails: identifiers and characteristics."""
    children = sim.children
    taken = pa.array(kids)
    dob = children.dob[kids]
    has_upn = birthday(dob, UPN_AGE) <= reference
    if year >= SEX_FROM:
        sexes = _elements("Sex", ["M", "F"])
    else:
        sexes = _elements("GenderCurrent", ["1", "2"])
    ethnicities = _elements("Ethnicity", params.ETHNICITY)
    disabilities = _elements("Disability", ["NONE", *params.DISABILITIES])
    characteristics = table(
        f"{s}</ChildIdentifiers>\n<ChildCharacteristics>\n{e}<Disabilities>\n{d}"
        "</Disabilities>\n</ChildCharacteristics>\n"
        for s in sexes
        for e in ethnicities
        for d in disabilities
    )
    index = (
        ((children.sex[kids].astype(np.int64) - 1) * len(ethnicities) + children.ethnicity[kids])
        * len(disabilities)
        + children.disability[kids]
        + 1
    )
    return join(
        ident.child_opening.take(taken),
        pc.if_else(
            pa.array(has_upn), ident.upn_element.take(taken), "<UPNunknown>UN1</UPNunknown>\n"
        ),
        lookup(date_elements("PersonBirthDate"), day_index(dob)),
        lookup(characteristics, index),
    )


@dataclass(frozen=True)
class Episodes:
    """`synth.care.episodes`' frame as arrays: dates and children, and the coded columns as
    Arrow text with empty cells null (converted once, taken from year by year)."""

    child: Ints
    decom: Ints
    dec: Ints
    text: dict[str, pa.Array]

    @classmethod
    def of(cls, frame: pd.DataFrame, child: Ints) -> Episodes:
        text = {}
        for name in TEXT_COLUMNS:
            values = pa.array(frame[name], pa.string())
            text[name] = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        return cls(child, frame["decom"].to_numpy(np.int64), frame["dec"].to_numpy(np.int64), text)


TEXT_COLUMNS = (
    "rne",
    "ls",
    "cin",
    "place",
    "place_provider",
    "rec",
    "reason_place_change",
    "home_post",
    "pl_post",
    "urn",
)


def ssda903(
    out: Path,
    year: int,
    las: LAs,
    episodes: Episodes,
    sim: Simulated,
    ident: Identity,
) -> Ints:
    """Every LA's 903 header and episodes files for the year ending 31 March `year`.

    Returns the children in them.
    """
    kids_of = sim.children
    reference = int(on([year], 3, 31)[0])
    start = int(on([year - 1], 4, 1)[0])
    decom, dec = episodes.decom, episodes.dec
    rows = np.flatnonzero((decom <= reference) & (dec >= start))
    child = episodes.child[rows]
    la = kids_of.la[child]
    order = np.lexsort((decom[rows], child, la))
    rows, child, la = rows[order], child[order], la[order]
    ended = dec[rows] <= reference

    taken = pa.array(rows)

    def text(name: str, present: Bools | None = None) -> pa.Array:
        values = episodes.text[name].take(taken)
        return values if present is None else when(present, values)

    lines = csv_lines(
        [
            ident.child_id.take(pa.array(child)),
            dates(decom[rows], dmy=True),
            text("rne"),
            text("ls"),
            text("cin"),
            text("place"),
            text("place_provider"),
            dates(dec[rows], ended, dmy=True),
            text("rec", ended),
            text("reason_place_change", ended),
            text("home_post"),
            text("pl_post"),
            text("urn"),
        ]
    )
    paths = [out / code / "ssda903" / str(year) for code in las.code]
    write_per_la(
        [p / "episodes.csv" for p in paths],
        boundaries(la, len(las)),
        lines,
        [",".join(EPISODE_COLUMNS) + "\n"] * len(las),
    )
    first = np.r_[True, child[1:] != child[:-1]] if len(child) else np.empty(0, bool)
    kids = child[first]
    dob = kids_of.dob[kids]
    has_upn = birthday(dob, UPN_AGE) <= reference
    girl = (kids_of.sex[kids] == 2) & (birthday(dob, 12) <= reference)
    header = csv_lines(
        [
            ident.child_id.take(pa.array(kids)),
            numbers(kids_of.sex[kids]),
            dates(dob, dmy=True),
            codes(kids_of.ethnicity[kids], list(params.ETHNICITY)),
            pc.coalesce(when(has_upn, ident.upn.take(pa.array(kids))), pa.scalar("UN1")),
            choose(girl, "0", None),
            pa.nulls(len(kids), pa.string()),
        ]
    )
    write_per_la(
        [p / "header.csv" for p in paths],
        boundaries(kids_of.la[kids], len(las)),
        header,
        [",".join(HEADER_COLUMNS) + "\n"] * len(las),
    )
    return kids


FTE_TEXT = [f"{k / 100:.2f}" for k in range(101)]


def workforce(
    out: Path,
    year: int,
    las: LAs,
    workers: Workers,
    rows: dict[str, npt.NDArray],
    ident: Identity,
) -> Ints:
    """Every LA's workforce file as at 30 September `year`; the workers written."""
    idx = rows["index"]
    in_post, cases = rows["in_post"], rows["cases"]
    order = np.lexsort((idx, workers.la[idx]))
    idx, in_post, cases = idx[order], in_post[order], cases[order]
    left = ~in_post
    lines = csv_lines(
        [
            ident.worker_id.take(pa.array(idx)),
            numbers(workers.agency[idx].astype(np.int64)),
            numbers(workers.role[idx]),
            numbers(workers.registered[idx].astype(np.int64)),
            codes(np.rint(workers.fte[idx] * 100).astype(np.int64), FTE_TEXT),
            dates(workers.start[idx], dmy=True),
            dates(workers.left[idx], left, dmy=True),
            codes(workers.reason[idx], REASONS, left),
            numbers(cases, in_post),
        ]
    )
    write_per_la(
        [out / code / "workforce" / f"workforce_{year}.csv" for code in las.code],
        boundaries(workers.la[idx], len(las)),
        lines,
        [",".join(WORKFORCE_COLUMNS) + "\n"] * len(las),
    )
    return idx
