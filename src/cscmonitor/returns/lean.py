"""An ingest process's memory: Arrow's allocator returns what it frees, pandas and numpy
stay out.

`cscmonitor ingest` reads a return a block at a time (staged.py), so its peak is what the
process holds besides the data: the allocator's cached pages and the libraries imported.
Four things measured on whole returns (bench/validators.py) are set here:

- Arrow's default allocator (mimalloc) keeps the pages of freed blocks for reuse, about
  90 MB more peak than jemalloc with its purge delay at zero, which hands them back to the
  system at once; the time it costs is within the run-to-run noise.
  That is Arrow's pool as pyarrow hands it out; the readers and writers that take none
  (Parquet's, the CSV reader's) allocate from Arrow's own default, chosen once from
  ARROW_DEFAULT_MEMORY_POOL when pyarrow loads: `arrow_for_ingest` sets it first, where the
  process has not loaded pyarrow yet (20 MB less peak again).
- pyarrow imports pandas the first time `pa.array` is given a Python list, to ask whether
  the list is a pandas object (about 35 MB and 0.2 s); nothing on the ingest path uses
  pandas. While the ingest runs, `import pandas` fails (a finder refuses it), so pyarrow's
  probe answers no; a real use of pandas later in the process imports it then (pyarrow
  tries again when pandas is needed, not only probed). Only when pandas is not imported
  already: a process that has loaded it keeps it.
- pyarrow imports numpy when it loads, if it can, for conversions to and from numpy
  arrays, which the ingest never makes (its byte scans and row numbers are Arrow's):
  about 20 MB and 0.05 s. The `ingest` command loads pyarrow first with numpy refused
  (`arrow_for_ingest`); numpy can still be imported later, but that process's pyarrow
  does not convert to or from it.
- DuckDB allocates through its own jemalloc, which keeps freed pages for a second before it
  hands them back (its `dirty_decay_ms`), about as long as an ingest lasts. On a large
  council's CIN census (XML, 30,000 children) they piled up to 35 MB more peak than with the
  delay at zero, which costs it 0.2 s of 3.1; on a whole 903 of CSV files the delay at zero
  saves as much but costs 0.5 s of 1.5 (its many small queries take their pages again
  each time), and its peak is under 300 MB without it. So `duckdb_for_ingest` sets the
  delay to zero when an ingest holds an XML return (bench/README.md, validators.py).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

# The modules of pyarrow an ingest uses.
ARROW_MODULES = ("pyarrow", "pyarrow.compute", "pyarrow.csv", "pyarrow.parquet")


class _Refused(MetaPathFinder):
    """Refuses to import a package (a finder, not a None in sys.modules, which compiled
    importers such as pyarrow's would take for the module)."""

    def __init__(self, package: str, reason: str) -> None:
        self.package, self.reason = package, reason

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname == self.package or fullname.startswith(self.package + "."):
            raise ModuleNotFoundError(f"{self.package} {self.reason}", name=fullname)
        return None


def arrow_for_ingest() -> None:
    """pyarrow loaded as the ingest process wants it, if it is not loaded yet: Arrow's own
    default allocator jemalloc (a setting already in the environment is kept; Linux only:
    PyPI's pyarrow for Linux is built with jemalloc, others may warn that it is not), and
    no numpy (unless the process has loaded it already)."""
    if "pyarrow" in sys.modules:
        return
    if sys.platform == "linux":
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    finder = _Refused("numpy", "is not loaded with pyarrow for an ingest")
    sys.meta_path.insert(0, finder)
    try:
        for module in ARROW_MODULES:  # each of them imports numpy if it can
            importlib.import_module(module)
    finally:
        sys.meta_path.remove(finder)


# DuckDB's jemalloc reads its settings from this variable when it first allocates
# (jemalloc's MALLOC_CONF under DuckDB's prefix); DuckDB's own are kept, the delay replaced.
DUCKDB_ALLOCATOR = "DUCKDB_JE_MALLOC_CONF"


def duckdb_for_ingest(files: Sequence[Path]) -> None:
    """DuckDB's allocator handing freed pages back at once when the files to ingest
    (`files.files_under`) include an XML return; only if DuckDB is not loaded yet (a setting
    already in the environment is kept; Linux only, where DuckDB's wheels use jemalloc)."""
    xml = any(f.suffix.lower() == ".xml" for f in files)
    if xml and sys.platform == "linux" and "duckdb" not in sys.modules:
        os.environ.setdefault(DUCKDB_ALLOCATOR, "dirty_decay_ms:0")


@contextmanager
def lean_process() -> Iterator[None]:
    """For the length of the block: jemalloc purging at once for Arrow, no pandas import."""
    import pyarrow as pa

    previous = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc keeps its allocator
        pool = previous
    finder = None if "pandas" in sys.modules else _Refused("pandas", "is kept out of the ingest")
    if finder is not None:
        sys.meta_path.insert(0, finder)
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
        if finder is not None:
            sys.meta_path.remove(finder)
