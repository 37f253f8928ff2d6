"""Expressions several indicators share: joining events to periods, dates a number of months on."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

KEYS = ["la_code", "period_start", "period_end"]


def in_period(events: ir.Table, date: str, periods: ir.Table) -> ir.Table:
    """Each event once per period whose [start, end] holds its date (a range join, not a loop)."""
    return events.join(
        periods,
        [events[date] >= periods.period_start, events[date] <= periods.period_end],
    )


def open_at_end(rows: ir.Table, start: str, end: str, periods: ir.Table) -> ir.Table:
    """Each row once per period at whose end it is open: started on or before, not ended by then."""
    return rows.join(
        periods,
        [
            rows[start] <= periods.period_end,
            rows[end].isnull() | (rows[end] > periods.period_end),
        ],
    )


def months_after(date: ir.DateValue, months: int) -> ir.DateValue:
    """The same calendar day `months` later (29 Feb maps to 28 Feb)."""
    return date + ibis.interval(months=months)
