"""The indicator basket, versioned per contract year, and commentary on its indicators.

Entries are checked by the contract file's own rules (`cscmonitor.terms.BasketEntry`): a
known indicator, a target only where it can be rated, a tolerance with every target. Version 1
comes with the contract; every later version only from an approved change request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cscmonitor.periods import Period
from cscmonitor.records import vocab
from cscmonitor.records.errors import NotFound, RecordsError
from cscmonitor.records.models import (
    BasketEntry,
    BasketVersion,
    ChangeRequest,
    Commentary,
    Contract,
)
from cscmonitor.terms import BasketEntry as TermsEntry
from cscmonitor.terms import ContractTerms, IndicatorLookup

APPROVED_STATES = ("approved", "implemented")


class Entry(TermsEntry):
    """A contract basket entry plus the statistical neighbours' figure the target was set from."""

    statistical_neighbour: float | None = None


class Basket(ContractTerms):
    """The contract file's shape, with basket entries that may carry the neighbours' figure."""

    basket: tuple[Entry, ...]


_ENTRIES: TypeAdapter[tuple[Entry, ...]] = TypeAdapter(tuple[Entry, ...])


def _where(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def error_lines(error: ValidationError, prefix: str = "") -> list[str]:
    """Each pydantic error as `field: message`, with contract.py's wording for missing fields."""
    lines = []
    for problem in error.errors(include_url=False):
        match problem["type"]:
            case "missing":
                message = "required"
            case "extra_forbidden":
                message = "not a field here; check the spelling"
            case "value_error":
                message = str(problem.get("ctx", {}).get("error", problem["msg"]))
            case "date_parsing" | "date_from_datetime_parsing" | "date_type":
                message = f"must be a date as YYYY-MM-DD, not {problem['input']!r}"
            case _:
                message = problem["msg"]
        lines.append(f"{prefix}{_where(problem['loc'])}: {message}")
    return lines


def entry_data(entry: TermsEntry) -> dict[str, Any]:
    """An entry as plain data, keeping `baseline` even when null (the contract requires it)."""
    return entry.model_dump(mode="json", exclude_none=True) | {"baseline": entry.baseline}


def check_entries(
    entries: Iterable[Mapping[str, Any] | TermsEntry], registry: IndicatorLookup | None = None
) -> tuple[Entry, ...]:
    """Basket entries checked by the contract's rules; a RecordsError lists every problem."""
    raw = [entry_data(e) if isinstance(e, TermsEntry) else dict(e) for e in entries]
    if not raw:
        raise RecordsError("basket: must list at least one indicator")
    try:
        checked = _ENTRIES.validate_python(raw, context={"registry": registry})
    except ValidationError as exc:
        raise RecordsError("\n".join(error_lines(exc, "basket"))) from None
    seen: set[str] = set()
    for position, entry in enumerate(checked):
        if entry.indicator in seen:
            raise RecordsError(f"basket[{position}]: {entry.indicator} is listed twice")
        seen.add(entry.indicator)
    return checked


def _entry_row(position: int, entry: Entry) -> BasketEntry:
    return BasketEntry(
        position=position,
        indicator=entry.indicator,
        baseline=entry.baseline,
        target=entry.target,
        tolerance=entry.tolerance,
        statistical_neighbour=entry.statistical_neighbour,
        reported=entry.reported.model_dump(mode="json") if entry.reported else None,
    )


def first_version(session: Session, contract: Contract, entries: Sequence[Entry]) -> BasketVersion:
    """Version 1: the basket the contract started with, from contract year 1."""
    if contract.basket_versions:
        raise RecordsError(f"{contract.name} already has a basket; change it by a change request")
    version = BasketVersion(
        version=1, from_year=1, entries=[_entry_row(i, e) for i, e in enumerate(entries)]
    )
    contract.basket_versions.append(version)
    session.flush()
    return version


def new_version(
    session: Session,
    contract: Contract,
    entries: Sequence[Entry],
    from_year: int,
    change_request: ChangeRequest | None,
) -> BasketVersion:
    """The next basket version, from `from_year`; only an approved change request may make one."""
    if change_request is None or change_request.kind != "basket_change":
        raise RecordsError("a new basket version needs an approved basket change request")
    if change_request.state not in APPROVED_STATES:
        raise RecordsError(
            f"change request {change_request.reference} is {change_request.state}, not approved: "
            "the basket cannot change yet"
        )
    latest = current_version(contract)
    if from_year < 1:
        raise RecordsError(f"contract years are numbered from 1, not {from_year}")
    if latest is not None and from_year < latest.from_year:
        raise RecordsError(
            f"basket version {latest.version} applies from contract year {latest.from_year}: "
            f"a new version cannot start earlier (year {from_year})"
        )
    version = BasketVersion(
        version=(latest.version if latest else 0) + 1,
        from_year=from_year,
        change_request_id=change_request.id,
        entries=[_entry_row(i, e) for i, e in enumerate(entries)],
    )
    contract.basket_versions.append(version)
    session.flush()
    return version


def current_version(contract: Contract) -> BasketVersion | None:
    """The newest basket version."""
    return max(contract.basket_versions, key=lambda v: v.version, default=None)


def version_for_year(contract: Contract, year: int) -> BasketVersion:
    """The basket in force in contract year `year`: the newest version starting by then."""
    in_force = [v for v in contract.basket_versions if v.from_year <= year]
    if not in_force:
        raise NotFound(f"{contract.name} has no basket for contract year {year}")
    return max(in_force, key=lambda v: v.version)


def as_entries(version: BasketVersion) -> tuple[Entry, ...]:
    """A stored version's entries as the contract's pydantic entries."""
    return tuple(
        Entry.model_validate(
            {
                "indicator": row.indicator,
                "baseline": row.baseline,
                "target": row.target,
                "tolerance": row.tolerance,
                "statistical_neighbour": row.statistical_neighbour,
                "reported": row.reported,
            }
        )
        for row in version.entries
    )


def add_commentary(
    session: Session,
    contract: Contract,
    indicator: str,
    period: Period,
    author_role: str,
    author: str,
    text: str,
) -> Commentary:
    """The Trust's or the Council's commentary on one basket indicator for one period."""
    vocab.check(author_role, vocab.ACTING_ROLES, "commentary author role")
    held = {entry.indicator for version in contract.basket_versions for entry in version.entries}
    if indicator not in held:
        raise RecordsError(
            f"{indicator} is in no basket of {contract.name}; "
            f"its indicators: {', '.join(sorted(held))}"
        )
    if period.start < contract.start_date:
        raise RecordsError(
            f"period {period.label} starts before the contract ({contract.start_date})"
        )
    note = Commentary(
        indicator=indicator,
        period_start=period.start,
        period_end=period.end,
        author_role=author_role,
        author=vocab.check_text(author, "commentary author"),
        text=vocab.check_text(text, "commentary text"),
    )
    contract.commentary.append(note)
    session.flush()
    return note


def commentary_for(
    session: Session, contract: Contract, indicator: str | None = None, on: dt.date | None = None
) -> list[Commentary]:
    """Commentary for the contract, optionally on one indicator or for periods containing `on`."""
    query = select(Commentary).where(Commentary.contract_id == contract.id)
    if indicator is not None:
        query = query.where(Commentary.indicator == indicator)
    if on is not None:
        query = query.where(Commentary.period_start <= on, Commentary.period_end >= on)
    return list(session.scalars(query.order_by(Commentary.period_start, Commentary.id)))


@dataclass(frozen=True)
class Comment:
    """One comment on an indicator, as pages and reports show it (its text on one line)."""

    indicator: str
    period: Period
    role: str
    author: str
    text: str


def comments(
    session: Session,
    contract: Contract,
    *,
    indicator: str | None = None,
    on: dt.date | None = None,
    within: Period | None = None,
) -> tuple[Comment, ...]:
    """The contract's comments, oldest period first: on one indicator, for periods containing
    `on`, or written for periods inside `within`."""
    held = commentary_for(session, contract, indicator, on)
    return tuple(
        Comment(
            note.indicator,
            Period(note.period_start, note.period_end),
            note.author_role,
            note.author,
            " ".join(note.text.split()),
        )
        for note in held
        if within is None or (within.start <= note.period_start and note.period_end <= within.end)
    )
