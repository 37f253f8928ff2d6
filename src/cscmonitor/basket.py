"""The contract's basket, computed: every period the contract needs, in one engine call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from cscmonitor.indicators.engine import compute
from cscmonitor.indicators.registry import Tables
from cscmonitor.periods import Period
from cscmonitor.terms import ContractTerms, load_contract, load_packaged_contract


def contract_from(name_or_path: str) -> ContractTerms:
    """A contract file, or the name of one shipped with the package (e.g. doncaster-2014)."""
    path = Path(name_or_path)
    return load_contract(path) if path.exists() else load_packaged_contract(name_or_path)


def data_span(tables: Tables, la_code: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day any held return of the LA covers (None: no return held)."""
    returns = tables.table("returns")
    held = returns.filter(returns.la_code == la_code)
    first, last = (
        held.aggregate(first=held.period_start.min(), last=held.period_end.max()).execute().iloc[0]
    )
    if last is None or pd.isna(last):
        return None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


def data_end(tables: Tables, la_code: str) -> dt.date | None:
    """The last day any held return of the LA covers."""
    span = data_span(tables, la_code)
    return None if span is None else span[1]


def contract_periods(contract: ContractTerms, until: dt.date | None) -> list[Period]:
    """The baseline year and every contract year that has ended by `until`."""
    periods = [contract.baseline_period()]
    if until is None:
        return periods
    year = 1
    while (period := contract.contract_year(year)).end <= until:
        periods.append(period)
        year += 1
    return periods


def basket_results(tables: Tables, contract: ContractTerms) -> pd.DataFrame:
    """The basket for the contract's LA: the baseline year and every ended contract year."""
    periods = contract_periods(contract, data_end(tables, contract.la_code))
    codes = [entry.indicator for entry in contract.basket]
    return compute(tables, periods, codes=codes, las=[contract.la_code])
