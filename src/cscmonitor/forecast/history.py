"""The 903 history as the model sees it: who was in care on each monthly date, and where.

A placement starts with an episode whose RNE is S, P or B; an episode starting for any
other reason (L: legal status only, T and U: temporary moves) continues the placement
before it, as in data-to-insight's demand model, and the placement's category is the one
of its first episode's PLACE. Time in placement is counted from the placement's start.
A child is in care on day d when an episode has DECOM on or before d and DEC blank or after d
(as in `indicators/looked_after.py`). Episodes of an agreed series of short breaks (legal
status V3 or V4) are left out, as the DfE's counts of children looked after leave them out:
a disabled child's two nights of respite every few weeks is neither an entry to care nor a
placement to forecast. The history begins when the first 903 return held
begins: children who left before it are unseen, so nothing is fitted from earlier dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cscmonitor.forecast.categories import categorise
from cscmonitor.forecast.states import FIRST_MONTH
from cscmonitor.indicators.registry import Tables

NEW_PLACEMENT = ("S", "P", "B")
SHORT_BREAKS = ("V3", "V4")  # legal statuses of an agreed series of short-term placements
UNKNOWN_PROVIDER = "unknown"  # PLACE_PROVIDER is blank for some placements (e.g. P1, T codes)
FAR = np.datetime64("9999-12-31", "D")
Days = npt.NDArray[np.datetime64]
Ints = npt.NDArray[np.int64]


class NoHistory(ValueError):
    """The warehouse holds no SSDA903 history for the LA (or none before the origin)."""


@dataclass(frozen=True)
class History:
    """One row per episode, with its child's birth date and the placement it belongs to."""

    la_code: str
    child: Ints  # 0..n_children-1
    birth: Days
    decom: Days
    dec: Days  # FAR when open
    placement_start: Days
    category: Ints
    provider: npt.NDArray[np.str_]  # PLACE_PROVIDER of the placement's first episode
    start: dt.date  # the first day the 903 returns held cover
    end: dt.date  # the last day they cover


@dataclass(frozen=True)
class Panel:
    """Every child in care on each of `dates`: one row per (child, date)."""

    dates: Days
    child: Ints
    date: Ints  # index into dates
    age: Ints  # whole months
    category: Ints
    duration: Ints  # whole months in the current placement
    placement_start: Days
    provider: npt.NDArray[np.str_]
    entrant: npt.NDArray[np.bool_]  # not in care on the date before (never on the first date)

    @property
    def clock(self) -> Ints:
        """The duration the states band: `FIRST_MONTH` in a child's first month in care."""
        return np.where(self.entrant, FIRST_MONTH, self.duration)


def read_history(tables: Tables, la_code: str, places: pd.DataFrame | None = None) -> History:
    """The LA's episodes with placements and categories (one query), and the span of its returns."""
    episodes = tables.table("cla_episodes")
    children = tables.table("cla_children")
    episodes = episodes.filter(episodes.la_code == la_code)
    children = children.filter(children.la_code == la_code)
    joined = episodes.join(children, "child_id").select(
        "child_id", "birth_date", "decom", "dec", "rne", "ls", "place", "place_provider"
    )
    rows = joined.filter(~joined.ls.isin(SHORT_BREAKS) | joined.ls.isnull()).to_pandas()
    returns = tables.table("returns")
    span = (
        returns.filter((returns.la_code == la_code) & (returns.kind == "ssda903"))
        .aggregate(start=returns.period_start.min(), end=returns.period_end.max())
        .to_pandas()
    )
    if rows.empty or span["start"].isna().all():
        raise NoHistory(f"no SSDA903 episodes held for LA {la_code}")
    rows = rows.dropna(subset=["birth_date", "decom"]).sort_values(["child_id", "decom"])
    rows = rows.drop_duplicates(["child_id", "decom"], keep="last")
    decom = rows["decom"].to_numpy("datetime64[D]")
    child = pd.factorize(rows["child_id"])[0].astype(np.int64)
    starts = pd.Series(np.where(rows["rne"].isin(NEW_PLACEMENT), decom, np.datetime64("NaT")))
    first = pd.Series(decom).groupby(child).transform("min").to_numpy("datetime64[D]")
    placement_start = starts.groupby(child).ffill().to_numpy("datetime64[D]")
    placement_start = np.where(np.isnat(placement_start), first, placement_start)
    # The category of a placement is its first episode's PLACE, in the code list of its year.
    placement = [child, placement_start.astype("int64")]
    opening = rows[["place", "place_provider"]].reset_index(drop=True).groupby(placement)
    opened = opening.transform("first")
    category = categorise(opened["place"].to_numpy(), collection_year(placement_start), places)
    dec = rows["dec"].to_numpy("datetime64[D]")
    return History(
        la_code=la_code,
        child=child,
        birth=rows["birth_date"].to_numpy("datetime64[D]"),
        decom=decom,
        dec=np.where(np.isnat(dec), FAR, dec),
        placement_start=placement_start,
        category=category,
        provider=opened["place_provider"].fillna(UNKNOWN_PROVIDER).to_numpy(str),
        start=pd.Timestamp(span["start"].iloc[0]).date(),
        end=pd.Timestamp(span["end"].iloc[0]).date(),
    )


def collection_year(days: Days) -> Ints:
    """The 903 collection year (April to March, named by the year it ends) of each day."""
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return (months // 12 + 1970 + (months % 12 >= 3)).astype(np.int64)


def month_dates(origin: dt.date, offsets: Ints) -> Days:
    """`origin` moved by each whole number of months (the day clamped to the month's end)."""
    month = np.datetime64(origin, "M") + offsets
    last = (month + 1).astype("datetime64[D]") - 1
    day = month.astype("datetime64[D]") + (origin.day - 1)
    return np.minimum(day, last)


def whole_months(since: Days, on: Days) -> Ints:
    """Completed months from each `since` to each `on` (a birthday-style count)."""
    months = on.astype("datetime64[M]").astype(np.int64) - since.astype("datetime64[M]").astype(
        np.int64
    )
    day_on = (on - on.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    day_since = (since - since.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    return months - (day_on < day_since)


def panel(history: History, dates: Days) -> Panel:
    """Each child in care on each date, with age, category and time in placement then."""
    first = np.searchsorted(dates, history.decom, side="left")  # first date on/after DECOM
    stop = np.searchsorted(dates, history.dec, side="left")  # first date on/after DEC
    count = np.maximum(stop - first, 0)
    row = np.repeat(np.arange(len(count)), count)
    # Position of each expanded row within its episode: 0, 1, ... count-1.
    within = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    date = first[row] + within
    child = history.child[row]
    # Overlapping episodes: the one that started last speaks for the child on that date.
    order = np.lexsort((history.decom[row], date, child))
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = (child[order][1:] != child[order][:-1]) | (date[order][1:] != date[order][:-1])
    chosen = order[keep]
    row, date, child = row[chosen], date[chosen], child[chosen]
    on = dates[date]
    start = history.placement_start[row]
    # Rows are sorted by child then date, so a child's row on the date before is the one above.
    entrant = date > 0
    entrant[1:] &= (child[1:] != child[:-1]) | (date[1:] != date[:-1] + 1)
    return Panel(
        dates=dates,
        child=child,
        date=date.astype(np.int64),
        age=whole_months(history.birth[row], on),
        category=history.category[row],
        duration=np.maximum(whole_months(start, on), 0),
        placement_start=start,
        provider=history.provider[row],
        entrant=entrant,
    )
