"""The shared joins of rows to the periods at whose end they are open, on hand-made rows."""

import datetime as dt

import ibis
import pandas as pd
import pytest

from cscmonitor.indicators.common import (
    ends_between,
    first_open_at_end,
    in_child_order,
    in_period,
    latest_by_end,
    narrowed,
    open_at_end,
)
from cscmonitor.indicators.engine import periods_table
from cscmonitor.periods import Period

Q1 = Period.parse("2016-01-01:2016-03-31")
Q2 = Period.parse("2016-04-01:2016-06-30")
D = dt.date.fromisoformat
HELPERS = ["year_start", "year_fraction"]  # the periods table's own columns
STARTS = ("2015-05-01", "2016-01-05", "2016-02-01", "2016-04-02", "2016-07-01")


# Hand-made rows: the lookups the joins to period ends make from the periods read no table.
NO_TABLES = None


def iso(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def test_a_row_is_open_at_each_period_end_it_spans_and_a_blank_end_is_open():
    rows = ibis.memtable(
        pd.DataFrame(
            {
                "id": ["open", "ended_at_q1_end", "ended_after_q1", "started_in_q2", "late"],
                "start": [D(day) for day in STARTS],
                "end": [None, D("2016-03-31"), D("2016-04-01"), None, None],
            }
        ),
        schema={"id": "string", "start": "date", "end": "date"},
    )
    joined = open_at_end(NO_TABLES, rows, "start", "end", periods_table([Q1, Q2])).execute()
    open_at = joined.groupby("id")["period_end"].apply(lambda ends: sorted(map(iso, ends)))
    # "open": no end, so open at both ends. "ended_at_q1_end": the day it ended it was not
    # open. "ended_after_q1": open at 31 Mar, not at 30 Jun. "started_in_q2": only 30 Jun.
    # "late" starts after both ends.
    assert open_at.to_dict() == {
        "open": ["2016-03-31", "2016-06-30"],
        "ended_after_q1": ["2016-03-31"],
        "started_in_q2": ["2016-06-30"],
    }


def test_rows_span_the_period_ends_from_their_first_day_to_before_their_last():
    # Three periods: the year to 31 Mar 2016 and its last quarter (both ending 31 Mar 2016),
    # and the quarter to 30 Jun 2016. A row spans an end on or after its first day and
    # before its `after` day: "long" (1990 to 9999) spans both ends, so all three periods;
    # "on_the_end" starts on 31 Mar (spans it) and stops on 30 Jun (not that end); "between"
    # lies between the two ends; "after_last" starts after them; "blank" has no first day.
    year = Period.parse("2015-04-01:2016-03-31")
    periods = periods_table([year, Q1, Q2])
    rows = ibis.memtable(
        pd.DataFrame(
            {
                "id": ["long", "on_the_end", "between", "after_last", "blank"],
                "first": [D(d) for d in ("1990-01-01", "2016-03-31", "2016-04-01", "2016-07-01")]
                + [None],
                "after": [D(d) for d in ("9999-12-31", "2016-06-30", "2016-06-30", "2017-01-01")]
                + [D("2017-01-01")],
            }
        ),
        schema={"id": "string", "first": "date", "after": "date"},
    )
    joined = ends_between(NO_TABLES, rows, "first", "after", periods).execute()
    assert sorted(joined.columns) == sorted(
        ["id", "first", "after", "period_start", *HELPERS, "period_end"]
    )
    spans = sorted((r.id, iso(r.period_start), iso(r.period_end)) for r in joined.itertuples())
    assert spans == [
        ("long", "2015-04-01", "2016-03-31"),
        ("long", "2016-01-01", "2016-03-31"),
        ("long", "2016-04-01", "2016-06-30"),
        ("on_the_end", "2015-04-01", "2016-03-31"),
        ("on_the_end", "2016-01-01", "2016-03-31"),
    ]


def test_rows_overlapping_the_12_months_to_a_period_end_by_its_year_start():
    # The same three periods; the 12 months to 31 Mar 2016 start on 1 Apr 2015, those to
    # 30 Jun 2016 on 1 Jul 2015. A row overlaps them when it starts by the end and stops
    # after the 12 months start: "may" (1 May to before 1 Jun 2015) only the year to 31 Mar;
    # "july" (1 Jul, one day) all three; "stops_as_they_start" (before 1 Apr 2015) none;
    # "a_day_in" (to before 2 Apr 2015) the two ending 31 Mar; "after_last" none.
    periods = periods_table([Period.parse("2015-04-01:2016-03-31"), Q1, Q2])
    ids = ["may", "july", "stops_as_they_start", "a_day_in", "after_last"]
    firsts = ("2015-05-01", "2015-07-01", "2014-01-01", "2014-01-01", "2016-07-01")
    afters = ("2015-06-01", "2015-07-02", "2015-04-01", "2015-04-02", "9999-12-31")
    rows = ibis.memtable(
        pd.DataFrame({"id": ids, "first": [D(d) for d in firsts], "after": [D(d) for d in afters]}),
        schema={"id": "string", "first": "date", "after": "date"},
    )
    joined = ends_between(NO_TABLES, rows, "first", "after", periods, "year_start").execute()
    spans = sorted((r.id, iso(r.period_start), iso(r.period_end)) for r in joined.itertuples())
    assert spans == [
        ("a_day_in", "2015-04-01", "2016-03-31"),
        ("a_day_in", "2016-01-01", "2016-03-31"),
        ("july", "2015-04-01", "2016-03-31"),
        ("july", "2016-01-01", "2016-03-31"),
        ("july", "2016-04-01", "2016-06-30"),
        ("may", "2015-04-01", "2016-03-31"),
        ("may", "2016-01-01", "2016-03-31"),
    ]


def test_a_child_is_once_at_each_period_end_on_the_first_of_its_open_rows():
    # Child A: one row from May 2015 open throughout, and one from Feb 2016 ending 1 May 2016:
    # both open at 31 Mar, A once on the earlier (May 2015); at 30 Jun only the first is open.
    # Child B: two rows on the same day, one ending 1 Apr 2016 and one open: at 31 Mar both
    # are open (B once, on the one ending first), at 30 Jun the open one alone.
    # Child C: a row ended 1 Jan 2016, then one from 1 May 2016: nothing open at 31 Mar, the
    # second at 30 Jun.
    # Child E: a row ended 1 Jan 2016, and one with no start and no end: never open.
    rows = ibis.memtable(
        pd.DataFrame(
            {
                "la_code": ["1"] * 8,
                "child_id": ["A", "A", "B", "B", "C", "C", "E", "E"],
                "start": [
                    *(D(d) for d in ("2015-05-01", "2016-02-01", "2016-03-01", "2016-03-01")),
                    *(D(d) for d in ("2015-06-01", "2016-05-01", "2015-06-01")),
                    None,
                ],
                "end": [
                    *(None, D("2016-05-01"), D("2016-04-01"), None, D("2016-01-01"), None),
                    *(D("2016-01-01"), None),
                ],
            }
        ),
        schema={"la_code": "string", "child_id": "string", "start": "date", "end": "date"},
    )
    periods = periods_table([Q1, Q2])
    joined = first_open_at_end(NO_TABLES, rows, "start", "end", periods).execute()
    found = {
        (row.child_id, iso(row.period_end)): (
            iso(row.start),
            None if pd.isna(row.end) else iso(row.end),
        )
        for row in joined.itertuples()
    }
    assert len(joined) == len(found)  # one row per child and period end
    assert found == {
        ("A", "2016-03-31"): ("2015-05-01", None),
        ("A", "2016-06-30"): ("2015-05-01", None),
        ("B", "2016-03-31"): ("2016-03-01", "2016-04-01"),
        ("B", "2016-06-30"): ("2016-03-01", None),
        ("C", "2016-06-30"): ("2016-05-01", None),
    }


def test_an_event_is_in_each_period_holding_its_date_first_and_last_days_included():
    # Two overlapping periods, the year to 31 Mar 2016 and the year to 30 Jun 2016, and a
    # quarter after them. "first_day": 1 Apr 2015, the first year's first day, in it alone.
    # "last_day": 31 Mar 2016, the first year's last day, in both years. "in_both": 1 Jan 2016.
    # "after_first": 1 Apr 2016, in the second year only. "between": 1 Jul 2016, the quarter's
    # first day. "before": 31 Mar 2015, in none; "blank": no date, in none.
    year_to_march = Period.parse("2015-04-01:2016-03-31")
    year_to_june = Period.parse("2015-07-01:2016-06-30")
    quarter = Period.parse("2016-07-01:2016-09-30")
    dated = {
        "first_day": "2015-04-01",
        "last_day": "2016-03-31",
        "in_both": "2016-01-01",
        "after_first": "2016-04-01",
        "between": "2016-07-01",
        "before": "2015-03-31",
    }
    events = ibis.memtable(
        pd.DataFrame({"id": [*dated, "blank"], "on": [*(D(d) for d in dated.values()), None]}),
        schema={"id": "string", "on": "date"},
    )
    joined = in_period(events, "on", periods_table([year_to_march, year_to_june, quarter]))
    found = joined.execute()
    assert list(found.columns) == ["id", "on", "period_start", "period_end", *HELPERS]
    ends = found.groupby("id")["period_end"].apply(lambda e: sorted(map(iso, e))).to_dict()
    assert ends == {
        "first_day": ["2016-03-31"],
        "last_day": ["2016-03-31", "2016-06-30"],
        "in_both": ["2016-03-31", "2016-06-30"],
        "after_first": ["2016-06-30"],
        "between": ["2016-09-30"],
    }


def test_a_period_outside_the_calendar_is_refused_with_its_dates():
    with pytest.raises(ValueError, match="period 1985-04-01 to 1986-03-31 is outside"):
        periods_table(
            [Period.parse("2016-04-01:2017-03-31"), Period.parse("1985-04-01:1986-03-31")]
        )


def test_rows_in_child_order_know_the_latest_end_before_them():
    # Child A: "a" 1 Jan-1 Jun 2015, "b" from 1 Mar 2015 open, "c" 1 Apr-1 May 2015, in that
    # order (by start). Before "b" the latest end is a's (1 Jun); before "c", b's, which is
    # open (9999-12-31). Child B's two rows on one day are ordered by end, the blank one last.
    rows = ibis.memtable(
        pd.DataFrame(
            {
                "la_code": ["1"] * 5,
                "child_id": ["A", "A", "A", "B", "B"],
                "id": ["a", "b", "c", "open", "ended"],
                "start": [D(d) for d in ("2015-01-01", "2015-03-01", "2015-04-01")]
                + [D("2015-01-01")] * 2,
                "end": [D("2015-06-01"), None, D("2015-05-01"), None, D("2015-02-01")],
            }
        ),
        schema={
            "la_code": "string",
            "child_id": "string",
            "id": "string",
            "start": "date",
            "end": "date",
        },
    )
    ordered = in_child_order(rows, "start", "end").execute().set_index("id")
    assert ordered["_nth"].to_dict() == {"a": 0, "b": 1, "c": 2, "ended": 0, "open": 1}
    reach = {k: None if pd.isna(v) else iso(v) for k, v in ordered["_reach"].items()}
    assert reach == {
        "a": None,
        "b": "2015-06-01",
        "c": "9999-12-31",
        "ended": None,
        "open": "2015-02-01",
    }


def test_narrowed_keeps_the_columns_named_that_the_table_has_in_their_order():
    # A snapshot written before a column existed lacks it: left out, not an error.
    rows = ibis.memtable({"la_code": ["999"], "child_id": ["C1"], "decom": ["2015-04-01"]})
    kept = narrowed(rows, ("decom", "placement_distance_miles", "la_code"))
    assert kept.columns == ("decom", "la_code")


def test_each_row_meets_its_latest_history_by_the_period_end_or_none():
    # Child A's reviews 1 Feb and 1 May 2016 (the next after each: 1 May, none); child B's
    # one review 1 Jul 2016; child C none. At 31 Mar 2016: A's 1 Feb (1 May is after the end),
    # B none yet, C none. At 30 Jun 2016: A's 1 May (the latest), B none, C none. Every child
    # keeps one row at each end.
    rows = periods_table([Q1, Q2]).cross_join(
        ibis.memtable({"child_id": ["A", "B", "C"]}, schema={"child_id": "string"})
    )
    history = ibis.memtable(
        pd.DataFrame(
            {
                "child_h": ["A", "A", "B"],
                "date": [D("2016-02-01"), D("2016-05-01"), D("2016-07-01")],
                "following": [D("2016-05-01"), None, None],
            }
        ),
        schema={"child_h": "string", "date": "date", "following": "date"},
    )
    joined = latest_by_end(rows, history, [("child_id", "child_h")], "date", "following")
    found = sorted(
        (iso(r["period_end"]), r["child_id"], None if pd.isna(r["date"]) else iso(r["date"]))
        for r in joined.execute().to_dict("records")
    )
    assert found == [
        ("2016-03-31", "A", "2016-02-01"),
        ("2016-03-31", "B", None),
        ("2016-03-31", "C", None),
        ("2016-06-30", "A", "2016-05-01"),
        ("2016-06-30", "B", None),
        ("2016-06-30", "C", None),
    ]
