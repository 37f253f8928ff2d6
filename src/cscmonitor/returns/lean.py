"""An ingest process's memory: Arrow's allocator returns what it frees, pandas stays out.

`cscmonitor ingest` reads a return a block at a time (staged.py), so its peak is what the
process holds besides the data: the allocator's cached pages and the libraries imported.
Two things measured on a whole 903 return (bench/validators.py) are fixed here:

- Arrow's default allocator (mimalloc) keeps the pages of freed blocks for reuse, about
  90 MB more peak than jemalloc with its purge delay at zero, which hands them back to the
  system at once; the time it costs is within the run-to-run noise.
  That is Arrow's pool as pyarrow hands it out; the readers and writers that take none
  (Parquet's, the CSV reader's) allocate from Arrow's own default, chosen once from
  ARROW_DEFAULT_MEMORY_POOL when pyarrow loads: `arrow_jemalloc` sets it first, where the
  process has not loaded pyarrow yet (20 MB less peak again).
- pyarrow imports pandas the first time `pa.array` is given a Python list, to ask whether
  the list is a pandas object (about 35 MB and 0.2 s); nothing on the ingest path uses
  pandas. While the ingest runs, `import pandas` fails (a finder refuses it), so pyarrow's
  probe answers no; a real use of pandas later in the process imports it then (pyarrow
  tries again when pandas is needed, not only probed). Only when pandas is not imported
  already: a process that has loaded it keeps it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class _NoPandas(MetaPathFinder):
    """Refuses `import pandas` (a finder, not a None in sys.modules, which compiled
    importers such as pyarrow's would take for the module)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            raise ModuleNotFoundError("pandas is kept out of the ingest", name=fullname)
        return None


def arrow_jemalloc() -> None:
    """Arrow's own default allocator jemalloc, if pyarrow is not loaded yet (a setting
    already in the environment is kept). Linux only: PyPI's pyarrow for Linux is built
    with jemalloc, others may warn that it is not."""
    if "pyarrow" not in sys.modules and sys.platform == "linux":
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


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
    finder = _NoPandas() if "pandas" not in sys.modules else None
    if finder is not None:
        sys.meta_path.insert(0, finder)
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
        if finder is not None:
            sys.meta_path.remove(finder)
