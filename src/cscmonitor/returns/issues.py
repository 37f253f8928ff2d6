"""Problems found in a return, as data: one row per problem, nothing silently dropped."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

import pyarrow as pa


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    location: str  # "row 12" for CSV (1-based, header is row 1) or an XML path
    field: str
    value: str
    rule: str
    severity: Severity
    message: str


class ReturnError(ValueError):
    """A file that cannot be read at all; the message names the file."""


@dataclass
class Problems:
    """The problems of one ingest, in the order found."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.items)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.items)

    def to_arrow(self) -> pa.Table:
        rows = [asdict(p) | {"severity": str(p.severity)} for p in self.items]
        schema = pa.schema([(name, pa.string()) for name in Problem.__dataclass_fields__])
        return pa.Table.from_pylist(rows, schema=schema)
