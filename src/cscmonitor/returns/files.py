"""The files an ingest reads. Light on purpose: the ingest command finds them before DuckDB
loads, to set DuckDB's allocator by what they are (`lean.duckdb_for_ingest`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cscmonitor.returns.issues import ReturnError

# The files of a return, by suffix, below a folder named.
SUFFIXES = (".xml", ".csv")


def files_under(paths: Sequence[Path]) -> list[Path]:
    """The files named, and every .xml and .csv file below the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        elif path.exists():
            found.append(path)
        else:
            raise ReturnError(f"{path}: no such file or folder")
    return found
