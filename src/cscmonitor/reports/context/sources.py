"""Where a report's facts come from: the warehouse snapshot, the contract, its records and
DfE's published tables, opened once per report."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cscmonitor.backends import SnapshotTables
from cscmonitor.basket import contract_from
from cscmonitor.benchmarks.geography import UnknownLA, resolve
from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.benchmarks.values import Published
from cscmonitor.indicators.registry import Tables
from cscmonitor.records import contracts
from cscmonitor.records.change_points import PhaseStart, phase_starts
from cscmonitor.records.contracts import Contract
from cscmonitor.records.db import Session, held_records
from cscmonitor.settings import Settings
from cscmonitor.terms import ContractTerms as Terms
from cscmonitor.warehouse import Snapshot, Warehouse

DEFAULT_CONTRACT = "doncaster-2014"


@dataclass(frozen=True)
class Sources:
    """Everything a report reads, open for the time it takes to build its context."""

    tables: Tables
    snapshot: Snapshot
    terms: Terms  # the contract with the basket in force in the year reported on
    records: Contract | None  # the contract's governance records, when held
    session: Session | None
    published: Published | None
    place: str  # the LA's name

    @property
    def snapshot_date(self) -> dt.date:
        return dt.datetime.fromisoformat(self.snapshot.manifest["created_at"]).date()

    def phases(self) -> tuple[PhaseStart, ...]:
        """The records' change points for the LA, where control charts rebase (none held:
        the figure model still rebases at the contract's start)."""
        if self.session is None:
            return ()
        return tuple(phase_starts(self.session, self.terms.la_code))


@functools.lru_cache(maxsize=4)
def _published(directory: str, manifest: str) -> Published:
    # Keyed on the manifest's text too, so a newer import is seen in the same process.
    return Published(BenchmarkStore(Path(directory)).published())


def published_tables(settings: Settings) -> Published:
    """DfE's tables in force: bundled, plus releases imported under DATA_DIR/benchmarks."""
    directory = settings.data_dir / "benchmarks"
    manifest = directory / "manifest.json"
    return _published(str(directory), manifest.read_text() if manifest.exists() else "")


def place_name(terms: Terms, published: Published | None) -> str:
    if published is not None:
        try:
            return resolve(terms.la_code, published.places).name
        except UnknownLA:
            pass
    council = terms.council
    return council.name if council else f"LA {terms.la_code}"


def _choose(session: Session | None, name: str | None) -> tuple[Contract | None, Terms | None]:
    """The records' contract and/or the contract file that `name` means."""
    held = contracts.list_contracts(session) if session is not None else []
    if name is None:
        if len(held) == 1:
            return held[0], None
        return None, contract_from(DEFAULT_CONTRACT)
    for contract in held:
        if contract.name == name:
            return contract, None
    terms = contract_from(name)
    same = next((c for c in held if c.name == terms.name), None)
    return same, terms


@contextmanager
def open_sources(
    settings: Settings,
    year: int,
    contract: str | None = None,
    *,
    with_benchmarks: bool = True,
) -> Iterator[Sources]:
    """Open the warehouse, records and published tables for contract `year`.

    `contract` is a contract file, a packaged contract's name, or the name of a contract the
    records hold; by default the records' only contract, else the packaged doncaster-2014.
    """
    snapshot = Warehouse(settings.warehouse_dir).require_current()
    with held_records(settings) as session:
        records, terms = _choose(session, contract)
        if terms is None:
            # The records' own contract: the basket in force in the year reported on.
            assert records is not None
            terms = contracts.terms(records, year)
        published = published_tables(settings) if with_benchmarks else None
        yield Sources(
            tables=SnapshotTables(snapshot),
            snapshot=snapshot,
            terms=terms,
            records=records,
            session=session,
            published=published,
            place=place_name(terms, published),
        )
