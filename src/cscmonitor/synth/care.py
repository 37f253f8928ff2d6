"""Periods of care and the SSDA903 episodes that record them.

A period of care is drawn when a referral leads to care: its length, how it ends, its legal
path (police protection, interim and full care orders, section 20, placement orders) and, for
children on the adoption path, the placement for adoption. Placement moves are then decided
scenario year by scenario year: among the children in care at the year end, a stratified
share have the moves that take them to three or more placements in the year, the others at
most two. Temporary moves (hospital, holidays, respite) and agreed series of short breaks
(LS V3/V4) are added as the return records them, and never count as placements.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.synth.children import postcodes
from cscmonitor.synth.dates import NEVER, Days, birthday, on, year_starting
from cscmonitor.synth.places import DEFAULT, Places
from cscmonitor.synth.sampling import (
    codes,
    lognormal_days,
    ordered_days_within,
    stratified_uniform,
    uniform_days,
)
from cscmonitor.synth.scenario import Scenario, Section

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Text = npt.NDArray[np.str_]

# Episode boundary flags, OR-ed when several things happen on one day.
START, MOVE, LEGAL, TEMP_OUT, TEMP_BACK, SAME_CARER, ADOPTIVE = 1, 2, 4, 8, 16, 32, 64
PLACEMENT_CHANGE = MOVE | TEMP_OUT | TEMP_BACK
DAY_BITS = 21  # day numbers stay below 2**21 (NEVER included)
NO_URN = "XXXXXXX"
# Placements that are not Ofsted-registered settings carry no URN.
WITHOUT_URN = ("H5", "P1", "P2", "R2", "R5", "Z1", "T0", "T1", "T2", "T3", "T4")


@dataclass(frozen=True)
class Periods:
    """One row per period of care (excluding short breaks); `end` is the date care ceased."""

    referral: Ints
    child: Ints
    start: Days
    end: Days
    rec: Text
    adoption: Bools
    legal_status: Text
    emergency: Days
    after_emergency: Text
    full_order: Days
    placement_order: Days
    section20_to_order: Days
    placed_for_adoption: Days
    adoption_place: Text

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def concatenate(cls, parts: list[Periods]) -> Periods:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )


def draw_periods(
    rng: np.random.Generator,
    scenario: Scenario,
    referral: Ints,
    child: Ints,
    start: Days,
    dob: Days,
) -> Periods:
    """Length, legal path and way of leaving for periods of care starting on `start`."""
    c = scenario.care
    n = len(start)
    age = (start - dob) / 365.25
    eighteen = birthday(dob, 18)
    adoption = (age < c.number("adoption_max_age")) & (rng.random(n) < c.number("adoption_path"))
    placement_order = start + uniform_days(rng, np.full(n, 150), 330)
    placed = placement_order + uniform_days(rng, np.full(n, 30), 200)
    adopted = placed + uniform_days(rng, np.full(n, 90), 300)

    stays = c.section("stays")
    kinds = ("short", "medium", "long")
    share = np.array([stays.section(k).number("share") for k in kinds])
    kind = np.searchsorted(np.cumsum(share / share.sum()), rng.random(n), side="right")
    kind = np.minimum(kind, 2)
    length = np.zeros(n, dtype=np.int64)
    for i, k in enumerate(kinds):
        spec = stays.section(k)
        drawn = lognormal_days(rng, spec.number("median"), spec.number("sigma"), n, 1, 7000)
        length = np.where(kind == i, drawn, length)
    end = np.where(adoption, adopted, start + length)
    aged_out = end >= eighteen
    end = np.maximum(np.minimum(end, eighteen), start + 1)

    leaving = c.section("leaving")
    rec = np.full(n, "", dtype="U4")
    for i, k in enumerate(kinds):
        rec = np.where(kind == i, codes(rng, leaving.weights(k), n), rec)
    rec = np.where(aged_out, codes(rng, leaving.weights("at_18"), n), rec)
    rec = np.where(adoption & ~aged_out, np.where(rng.random(n) < 0.2, "E11", "E12"), rec)
    adoption &= ~aged_out

    legal = codes(rng, c.weights("legal_status"), n)
    legal = np.where(age >= 16, np.where(rng.random(n) < 0.8, "V2", "C1"), legal)
    legal = np.where(adoption, np.where(rng.random(n) < 0.25, "L2", "C1"), legal)
    protection = np.isin(legal, ("L1", "L2"))
    emergency_day = start + uniform_days(rng, np.ones(n, dtype=np.int64), 7)
    emergency = np.where(protection & (emergency_day < end), emergency_day, NEVER)
    after = np.where(adoption | (kind == 2) | (rng.random(n) < 0.5), "C1", "V2")
    after = np.where(emergency < NEVER, after, "")
    on_order = (legal == "C1") | (after == "C1")
    full_day = start + uniform_days(rng, np.full(n, 120), 330)
    full_order = np.where(on_order & ~adoption & (full_day < end - 1), full_day, NEVER)
    v2_day = start + uniform_days(rng, np.full(n, 60), 200)
    section20 = (legal == "V2") & (rng.random(n) < 0.1) & (v2_day < end - 1)
    return Periods(
        referral=referral,
        child=child,
        start=start,
        end=end,
        rec=rec,
        adoption=adoption,
        legal_status=legal,
        emergency=emergency,
        after_emergency=after,
        full_order=full_order,
        placement_order=np.where(adoption, placement_order, NEVER),
        section20_to_order=np.where(section20, v2_day, NEVER),
        placed_for_adoption=np.where(adoption, placed, NEVER),
        adoption_place=np.where(adoption, np.where(rng.random(n) < 0.15, "A5", "A6"), ""),
    )


@dataclass(frozen=True)
class ShortBreaks:
    """Agreed series of short breaks: LS V3 (one episode) or V4 (an episode per break)."""

    referral: Ints
    child: Ints
    kind: Ints
    start: Days
    end: Days


def episodes(
    rng: np.random.Generator,
    scenario: Scenario,
    periods: Periods,
    breaks: ShortBreaks,
    need: Text,
    dob: Days,
    home_post: Text,
    *,
    la: Ints | None = None,
    three_plus: npt.NDArray[np.float64] | None = None,
    places: Places = DEFAULT,
) -> pd.DataFrame:
    """Every episode of every period of care and short break, in the SSDA903 episode layout.

    `need` is per referral (the CIN column), `dob` and `home_post` per child. Dates are day
    numbers; `dec` is the day care ceased or the next episode began (it may lie beyond the
    simulated span, where a file shows it blank).

    Several LAs at once: `la` gives each child's LA (a row of `three_plus`, whose columns are
    the scenario's years), and the 3+ placements share is drawn within each LA. Placements
    are in the postcode areas of `places`.
    """
    c = scenario.care
    short = _short_break_episodes(rng, breaks, places)
    moves = _moves(rng, scenario, periods, short, len(dob), la, three_plus)
    segments = _placements(rng, c, periods, moves, dob, home_post, places)
    legal_keys, legal_codes = _legal_events(periods)
    temps = _temporary_moves(rng, c, periods, segments, legal_keys, places)

    # Every date on which something changes starts an episode.
    keys = np.concatenate([segments["key"], legal_keys, temps["key"], temps["back_key"]])
    flags = np.concatenate(
        [
            segments["flag"],
            np.full(len(legal_keys), LEGAL),
            np.full(len(temps["key"]), TEMP_OUT),
            np.full(len(temps["key"]), TEMP_BACK),
        ]
    )
    boundary, inverse = np.unique(keys, return_inverse=True)
    flag = np.zeros(len(boundary), dtype=np.int64)
    np.bitwise_or.at(flag, inverse, flags)
    period = boundary >> DAY_BITS
    decom = boundary & ((1 << DAY_BITS) - 1)
    last = np.r_[period[1:] != period[:-1], True]
    dec = np.where(last, periods.end[period], np.r_[decom[1:], 0])

    segment = np.searchsorted(segments["key"], boundary, side="right") - 1
    legal = legal_codes[np.searchsorted(legal_keys, boundary, side="right") - 1]
    place = segments["place"][segment]
    provider = segments["provider"][segment]
    urn = segments["urn"][segment]
    pl_post = segments["pl_post"][segment]
    away = np.flatnonzero(flag & TEMP_OUT)
    temp_at = np.searchsorted(temps["key"], boundary[away])
    place[away] = temps["place"][temp_at]
    provider[away] = "PR1"
    urn[away] = NO_URN
    pl_post[away] = temps["pl_post"][temp_at]

    moved = (flag & PLACEMENT_CHANGE) > 0
    same_carer = (flag & SAME_CARER) > 0
    changed_status = (flag & LEGAL) > 0
    rne = np.where(
        moved & changed_status,
        np.where(same_carer, "U", "B"),
        np.where(moved, np.where(same_carer, "T", "P"), "L"),
    )
    rne = np.where(flag & START, "S", rne)
    rec = np.where(last, periods.rec[period], "X1")
    next_is_move = np.r_[(flag[1:] & MOVE) > 0, False] & ~last
    reason = np.where(next_is_move, codes(rng, c.weights("reason_place_change"), len(flag)), "")
    frame = pd.DataFrame(
        {
            "child": periods.child[period],
            "decom": decom,
            "rne": rne,
            "ls": legal,
            "cin": need[periods.referral[period]],
            "place": place,
            "place_provider": provider,
            "dec": dec,
            "rec": rec,
            "reason_place_change": reason,
            "pl_post": pl_post,
            "urn": urn,
        }
    )
    frame = pd.concat([frame, short], ignore_index=True)
    frame["home_post"] = home_post[frame["child"].to_numpy()]
    return frame.sort_values(["child", "decom"], kind="stable").reset_index(drop=True)


def _short_break_episodes(
    rng: np.random.Generator, breaks: ShortBreaks, places: Places
) -> pd.DataFrame:
    """V3: one episode for the whole agreement; V4: one short episode per break."""
    v3 = np.flatnonzero(breaks.kind == 3)
    v4 = np.flatnonzero(breaks.kind == 4)
    # A break every three to six weeks, two to four nights each.
    gaps = rng.integers(21, 43, (len(v4), 60))
    starts = breaks.start[v4][:, None] + np.cumsum(gaps, axis=1) - gaps[:, :1]
    nights = rng.integers(2, 5, starts.shape)
    keep = starts + nights < breaks.end[v4][:, None]
    owner = np.broadcast_to(v4[:, None], starts.shape)[keep]
    # Each arrangement is with one short-break unit or one family, every time.
    arrangement = len(breaks.kind)
    in_unit = rng.random(arrangement) < 0.7
    unit_urn = np.where(rng.random(arrangement) < 0.5, "SC371101", "SC371102")
    family_post = postcodes(rng, [places.home], places.districts, arrangement)
    unit_post = f"{places.home}{places.districts[3]} 8QN"
    which = np.concatenate([v3, owner])
    n3 = len(v3)
    return pd.DataFrame(
        {
            "child": breaks.child[which],
            "decom": np.concatenate([breaks.start[v3], starts[keep]]),
            "rne": "S",
            "ls": np.where(np.arange(len(which)) < n3, "V3", "V4"),
            "cin": "N2",
            "place": np.where(in_unit[which], "K2", "U6"),
            "place_provider": "PR1",
            "dec": np.concatenate([breaks.end[v3], (starts + nights)[keep]]),
            "rec": np.where(np.arange(len(which)) < n3, "E8", "E4A"),
            "reason_place_change": "",
            "pl_post": np.where(in_unit[which], unit_post, family_post[which]),
            "urn": np.where(in_unit[which], unit_urn[which], "SC371001"),
        }
    )


def _moves(
    rng: np.random.Generator,
    scenario: Scenario,
    periods: Periods,
    short: pd.DataFrame,
    n_children: int,
    la: Ints | None = None,
    three_plus: npt.NDArray[np.float64] | None = None,
) -> pd.DataFrame:
    """Placement moves, decided per scenario year; returns (period, day) rows."""
    c = scenario.care
    month, day_of_month = scenario.year_start
    counted_adoption = np.where(periods.adoption_place == "A6", periods.placed_for_adoption, NEVER)
    structural = [periods.emergency, counted_adoption]
    first_free = (
        np.maximum(periods.start, np.where(periods.emergency < NEVER, periods.emergency, 0)) + 1
    )
    last_free = np.minimum(periods.end, periods.placed_for_adoption) - 1
    short_child = short["child"].to_numpy()
    short_from, short_to = short["decom"].to_numpy(), short["dec"].to_numpy()
    leaver_moves = c.weights("moves_of_leavers")
    rows: list[tuple[Ints, Days]] = []
    for year in scenario.years:
        w0, w1 = on([year], month, day_of_month)[0], on([year + 1], month, day_of_month)[0] - 1
        overlap = (periods.start <= w1) & (periods.end > w0)
        current = (periods.start <= w1) & (periods.end > w1)
        base = np.bincount(periods.child[overlap], minlength=n_children)
        for when in structural:
            inside = overlap & (when >= w0) & (when <= w1)
            base += np.bincount(periods.child[inside], minlength=n_children)
        excluded = np.zeros(n_children, dtype=bool)
        excluded[short_child[(short_from <= w1) & (short_to >= w0)]] = True
        in_care = np.zeros(n_children, dtype=bool)
        in_care[periods.child[current]] = True

        # Children in care at the year end: the stratum the 3+ placements propensity acts on.
        target = np.flatnonzero(current & ~excluded[periods.child])
        child = periods.child[target]
        if la is None or three_plus is None:
            u = stratified_uniform(rng, np.zeros(len(target)))
            unstable = u < c.by_year("three_plus_placements", [year])[0]
        else:
            u = stratified_uniform(rng, la[child])
            unstable = u < three_plus[la[child], year - scenario.years[0]]
        extra = rng.random(len(target)) < c.number("extra_move")
        stable_moves = np.where(rng.random(len(target)) < c.number("one_move"), 1, 0)
        count = np.where(
            unstable,
            np.maximum(3 - base[child], 0) + extra,
            np.minimum(stable_moves, np.maximum(2 - base[child], 0)),
        )

        # Periods of children who left care during the year move as they like.
        gone = np.flatnonzero(overlap & ~in_care[periods.child] & ~excluded[periods.child])
        gone_count = codes(rng, leaver_moves, len(gone)).astype(np.int64)

        which = np.concatenate([target, gone])
        how_many = np.concatenate([count, gone_count])
        low = np.maximum(first_free[which], w0)
        high = np.minimum(last_free[which], w1)
        owner, days = ordered_days_within(rng, which, how_many, low, high)
        rows.append((owner, days))
    owner = np.concatenate([r[0] for r in rows])
    days = np.concatenate([r[1] for r in rows])
    return pd.DataFrame({"period": owner, "day": days})


def _placements(
    rng: np.random.Generator,
    c: Section,
    periods: Periods,
    moves: pd.DataFrame,
    dob: Days,
    home_post: Text,
    places: Places,
) -> dict[str, npt.NDArray]:
    """Placement segments (a period's start and every move) with who the child lives with."""
    m = len(periods)
    has_emergency = periods.emergency < NEVER
    adoption = periods.placed_for_adoption < NEVER
    period = np.concatenate(
        [
            np.arange(m),
            np.flatnonzero(has_emergency),
            np.flatnonzero(adoption),
            moves["period"].to_numpy(),
        ]
    )
    day = np.concatenate(
        [
            periods.start,
            periods.emergency[has_emergency],
            periods.placed_for_adoption[adoption],
            moves["day"].to_numpy(),
        ]
    )
    kind = np.concatenate(
        [
            np.full(m, START),
            np.full(int(has_emergency.sum()), MOVE),
            np.full(int(adoption.sum()), MOVE | ADOPTIVE),
            np.full(len(moves), MOVE),
        ]
    )
    key = (period.astype(np.int64) << DAY_BITS) | day
    order = np.argsort(key, kind="stable")
    period, day, kind, key = period[order], day[order], kind[order], key[order]
    # A random move drawn on the day of a structural one is the same move.
    unique = np.r_[True, key[1:] != key[:-1]]
    period, day, kind, key = period[unique], day[unique], kind[unique], key[unique]
    n = len(key)
    child = periods.child[period]
    age = (day - dob[child]) / 365.25
    place = np.full(n, "", dtype="U2")
    for band, low, high in (("under_10", 0, 10), ("age_10_to_15", 10, 16), ("age_16_17", 16, 99)):
        inside = (age >= low) & (age < high)
        place = np.where(inside, codes(rng, c.weights(f"placements_{band}"), n), place)
    # Nobody starts care placed with parents: that follows a care order, later.
    place = np.where((kind == START) & (place == "P1"), "U5", place)
    foster = np.char.startswith(place, "U")
    la_foster = rng.random(n) < c.number("own_foster_carers")
    provider = np.select(
        [foster & la_foster, foster, place == "K2", place == "P1", place == "H5"],
        [
            "PR1",
            "PR4",
            np.where(rng.random(n) < 0.3, "PR1", "PR4"),
            "PR0",
            np.where(rng.random(n) < 0.6, "PR4", "PR5"),
        ],
        default=np.where(rng.random(n) < 0.5, "PR4", "PR5"),
    )
    urn = _urns(rng, place, provider)
    pl_post = np.where(
        rng.random(n) < c.number("placed_in_area"),
        postcodes(rng, [places.home], places.districts, n),
        postcodes(rng, list(places.elsewhere), places.elsewhere_districts, n),
    )
    pl_post = np.where(place == "P1", home_post[child], pl_post)

    adoptive = (kind & ADOPTIVE) > 0
    code = periods.adoption_place[period]
    place = np.where(adoptive, code, place)
    provider = np.where(adoptive, np.where(rng.random(n) < 0.7, "PR1", "PR5"), provider)
    urn = np.where(
        adoptive,
        np.where(provider == "PR1", "SC371002", "SC" + rng.integers(400000, 400010, n).astype(str)),
        urn,
    )
    # Adopted by their foster carers (A5): the same carers, so the same URN and postcode.
    with_carers = adoptive & (code == "A5")
    before = np.maximum(np.arange(n) - 1, 0)
    urn = np.where(with_carers, urn[before], urn)
    pl_post = np.where(with_carers, pl_post[before], pl_post)
    flag = np.where(adoptive, MOVE, kind) | np.where(with_carers, SAME_CARER, 0)
    return {
        "key": key,
        "flag": flag,
        "place": place,
        "provider": provider,
        "urn": urn,
        "pl_post": pl_post,
        "adoptive": adoptive,
    }


def _urns(rng: np.random.Generator, place: Text, provider: Text) -> Text:
    """Ofsted URNs: the LA's fostering service and homes, agencies and private homes."""
    n = len(place)
    ifa = "SC" + rng.integers(500000, 500025, n).astype(str)
    la_home = "SC" + rng.integers(371101, 371105, n).astype(str)
    private_home = "SC" + rng.integers(600000, 600040, n).astype(str)
    school = rng.integers(100000, 100010, n).astype(str)
    urn = np.select(
        [
            np.char.startswith(place, "U") & (provider == "PR1"),
            np.char.startswith(place, "U"),
            (place == "K2") & (provider == "PR1"),
            place == "K2",
            place == "S1",
        ],
        ["SC371001", ifa, la_home, private_home, school],
        default=private_home,
    )
    return np.where(np.isin(place, WITHOUT_URN), NO_URN, urn)


def _legal_events(periods: Periods) -> tuple[Ints, Text]:
    """Legal status from each period's start, and every change of it, keyed by period and day."""
    m = len(periods)
    index = np.arange(m)
    parts = [
        (index, periods.start, periods.legal_status),
        (index, periods.emergency, periods.after_emergency),
        (index, periods.full_order, np.full(m, "C2")),
        (index, periods.placement_order, np.full(m, "E1")),
        (index, periods.section20_to_order, np.full(m, "C1")),
    ]
    period = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    status = np.concatenate([p[2] for p in parts])
    # Changes after the period ended (or never drawn) do not happen.
    happens = day < periods.end[period]
    key = (period[happens] << DAY_BITS) | day[happens]
    order = np.argsort(key, kind="stable")
    key, status = key[order], status[happens][order]
    # Two changes on one day: the later in the list above wins (it is the more specific).
    keep = np.r_[key[1:] != key[:-1], True]
    return key[keep], status[keep]


def _temporary_moves(
    rng: np.random.Generator,
    c: Section,
    periods: Periods,
    segments: dict[str, npt.NDArray],
    legal_keys: Ints,
    places: Places,
) -> dict[str, npt.NDArray]:
    """Short stays away (hospital, holiday, respite) that return to the same placement."""
    key = segments["key"]
    period = key >> DAY_BITS
    start = key & ((1 << DAY_BITS) - 1)
    following = np.r_[period[1:] == period[:-1], False]
    stop = np.where(following, np.r_[start[1:], 0], periods.end[period])
    length = stop - start
    n = len(key)
    nights = rng.integers(2, 11, n)
    rate = c.number("temporary_moves_per_year")
    chosen = (rng.random(n) < 1 - np.exp(-rate * length / 365.25)) & (length >= 21 + nights)
    chosen &= ~segments["adoptive"]
    away = start + 7 + np.floor(rng.random(n) * np.maximum(length - 14 - nights, 0)).astype(int)
    back = away + nights
    # Stay inside one quarter, so no reporting period starts while the child is away.
    quarter = year_starting(away, 1, 1) * 4 + (_month(away) - 1) // 3
    chosen &= quarter == year_starting(back, 1, 1) * 4 + (_month(back) - 1) // 3
    # No change of legal status while away.
    away_key = (period << DAY_BITS) | away
    back_key = (period << DAY_BITS) | back
    chosen &= np.searchsorted(legal_keys, away_key) == np.searchsorted(
        legal_keys, back_key, side="right"
    )
    k = int(chosen.sum())
    return {
        "key": away_key[chosen],
        "back_key": back_key[chosen],
        "place": codes(rng, c.weights("temporary_places"), k),
        "pl_post": postcodes(rng, places.temporary, range(1, 20), k),
    }


def _month(days: Days) -> Ints:
    d = days.astype("datetime64[D]")
    return (d.astype("datetime64[M]").astype(np.int64) % 12) + 1
