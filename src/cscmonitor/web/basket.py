"""The basket a page shows: the contract, the contract year chosen and the date it speaks as at.

A service the routers share (routers never import from each other). The as-at date defaults
to today; a contract year must have ended by it, and one the figures do not hold is a 404.

What a basket reads from the records (the contract, its change requests, the overdue
inspection actions, the change points) is cached by the records' governance version
(`records.audit.GovernanceVersion`: any governance write changes it, a view of "explain" does
not), the snapshot, the imported benchmarks and what the page asked for, so a page reads the
one-row audit head and nothing else from the records while they are unchanged. An
indicator's commentary is cached by the basket's key in the same way (adding a comment is a
governance write).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from fastapi import HTTPException

from cscmonitor.indicators.registry import all_indicators
from cscmonitor.records import contracts, inspections
from cscmonitor.records.change_points import PhaseStart, phase_starts
from cscmonitor.terms import ContractTerms
from cscmonitor.web import governance
from cscmonitor.web.deps import Records
from cscmonitor.web.performance import CACHE_ENTRIES, NoData, Performance, SingleFlight
from cscmonitor.wording import format_date


@dataclass(frozen=True)
class BasketYear:
    """The contract, its basket in force in the chosen year, and the years with figures."""

    contract: governance.ContractSummary
    terms: ContractTerms
    year: int
    years: tuple[int, ...]  # the contract years with figures, ended by the as-at date
    awaiting: tuple[governance.ChangeView, ...]
    overdue_actions: int  # as at `as_at`
    as_at: dt.date
    phases: tuple[PhaseStart, ...] = ()  # where the control charts rebase (docs/spc.md)
    # What the basket was cached by (records, governance version, the snapshot and imported
    # benchmarks, the page's ask): what is rendered from it alone may be cached by it too.
    key: tuple[object, ...] = field(default=(), compare=False)

    @property
    def as_at_text(self) -> str:
        return format_date(self.as_at)


def as_at_date(text: str | None) -> dt.date:
    """The `as_at` query value as a date (today when absent); a 422 naming the form wanted."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"as_at must be a date as YYYY-MM-DD, not {text!r}") from None


_BASKETS = SingleFlight(CACHE_ENTRIES)


def basket_year(
    records: Records,
    performance: Performance,
    year: int | None,
    party: str | None,
    as_at: dt.date | None = None,
) -> BasketYear:
    """The basket for contract `year` (default: the latest with figures) as at a date."""
    when = as_at or dt.date.today()
    with records.unit() as session:
        version = records.app.governance(session)
    key = (
        str(records.app.engine.url),
        records.app.settings.contract,
        version,
        performance.source_key(),
        year,
        party,
        when,
    )
    return _BASKETS.get(
        key, lambda: replace(_read_basket(records, performance, year, party, when), key=key)
    )


def _read_basket(
    records: Records, performance: Performance, year: int | None, party: str | None, when: dt.date
) -> BasketYear:
    with records.unit() as session:
        contract = records.contract(session)
        terms = contracts.terms(contract)
        years = [y for y in performance.years(terms) if terms.contract_year(y).end <= when]
        if not years:
            raise NoData(
                "The warehouse holds no whole contract year for this contract's LA "
                f"ended by {format_date(when)}"
            )
        if year is not None and year not in years:
            held = ", ".join(map(str, years))
            raise HTTPException(
                404,
                f"No figures for contract year {year} as at {format_date(when)}: "
                f"the years held are {held}",
            )
        chosen = years[-1] if year is None else year
        awaiting = tuple(c for c in governance.change_list(contract, party) if c.options)
        overdue = len(inspections.overdue_actions(session, when, contract))
        return BasketYear(
            governance.contract_summary(contract),
            contracts.terms(contract, chosen),
            chosen,
            tuple(years),
            awaiting,
            overdue,
            when,
            tuple(phase_starts(session, terms.la_code)),
        )


_COMMENTARY = SingleFlight(CACHE_ENTRIES)


def commentary(
    records: Records, basket: BasketYear, code: str
) -> tuple[governance.CommentView, ...]:
    """Every comment on the indicator, read once per basket key (it holds the governance
    version, which adding a comment moves)."""

    def read() -> tuple[governance.CommentView, ...]:
        with records.unit() as session:
            return governance.commentary(session, records.contract(session), code)

    return _COMMENTARY.get((basket.key, code), read)


def known(code: str) -> str:
    """An indicator code the registry holds, or a 404."""
    if code not in {i.code for i in all_indicators()}:
        raise HTTPException(404, f"No indicator {code}")
    return code
