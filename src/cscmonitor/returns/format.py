"""What a return format declares: how it is recognised and parsed, its tables and its rules.

Every format, the built-in ones included, is a `ReturnFormat` registered in
`returns.catalog`; ingest, the checks, the warehouse and the validation page take
their lists from there, so a new format is one module (and its tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.csvfile import CsvFile, CsvText, Limits
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.schema import TableSpec
from cscmonitor.returns.staged import Scratch

if TYPE_CHECKING:
    from cscmonitor.returns.checks.rule import Rule
    from cscmonitor.returns.postcodes import PostcodeLookup


class XmlParser(Protocol):
    def __call__(
        self,
        path: Path,
        *,
        ids: Pseudonymiser,
        la_code: str | None,
        year: int | None,
        limits: Limits,
        progress: Callable[[int], None] | None,
        postcodes: PostcodeLookup | None = None,
    ) -> Parsed: ...


class CsvParser(Protocol):
    def __call__(
        self,
        texts: Sequence[CsvText],
        *,
        la_code: str,
        ids: Pseudonymiser,
        year: int | None,
        postcodes: PostcodeLookup | None = None,
    ) -> list[Parsed]: ...


class CsvStreamParser(Protocol):
    """Parses CSV files a block at a time into tables staged in `scratch`, listing at most
    `cap` problems per rule and file (all of them without a cap)."""

    def __call__(
        self,
        files: Sequence[CsvFile],
        *,
        la_code: str,
        ids: Pseudonymiser,
        year: int | None,
        scratch: Scratch,
        cap: int | None,
        postcodes: PostcodeLookup | None = None,
    ) -> list[Parsed]: ...


@dataclass(frozen=True)
class ReturnFormat:
    """One return format. XML returns are recognised by their root element, CSV files by
        their columns; a format may have either or both. Every parser is handed the installation's
    postcode lookup (`postcodes`, or None when it has none); a format whose return holds no
    postcode pairs leaves it aside (only the SSDA903 works out distances with it)."""

    kind: ReturnKind
    label: str  # as people write it: "SSDA903", "CIN census"
    tables: tuple[TableSpec, ...]
    rules: tuple[Rule, ...] = ()
    # The tables without which a return is not whole: it may not replace one held.
    needs: tuple[str, ...] = ()
    xml_root: str | None = None
    parse_xml: XmlParser | None = None
    recognise_csv: Callable[[set[str]], object | None] | None = None
    parse_csv: CsvParser | None = None
    # Reads large CSV files in bounded memory; without it they are read whole (`parse_csv`).
    stream_csv: CsvStreamParser | None = None

    def __post_init__(self) -> None:
        wrong = [t.name for t in self.tables if t.kind != self.kind]
        wrong += [r.code for r in self.rules if r.kind != self.kind]
        if wrong:
            raise ValueError(f"{self.kind} format: not of its kind: {', '.join(wrong)}")
        if (self.xml_root is None) != (self.parse_xml is None):
            raise ValueError(f"{self.kind} format: an XML root needs an XML parser and back")
        if (self.recognise_csv is None) != (self.parse_csv is None):
            raise ValueError(f"{self.kind} format: recognising CSV needs a CSV parser and back")
        if self.stream_csv is not None and self.parse_csv is None:
            raise ValueError(f"{self.kind} format: a CSV stream parser needs a CSV parser")
