"""Benchmarks: DfE's published LA tables, statistical neighbours, quartile bands, pooled figures.

- `ees`: read an Explore Education Statistics CSV into tidy rows (suppression codes as flags).
- `store`: the tables bundled with the package plus releases a user imports.
- `mapping`: which published measure benchmarks which indicator.
- `geography`, `neighbours`: LA codes, names and regions; DfE's neighbour groupings.
- `bands`: quartile bands with polarity (A = best quarter).
- `values`: every comparator's published figures, for every place and financial year.
- `published`: comparators for an LA and financial year from the published tables.
- `pooled`: the same comparators computed from a warehouse holding many LAs.
- `table`: the benchmark table the `benchmark` command prints.

The method is written up in `docs/benchmarks.md`.
"""

from cscmonitor.benchmarks.bands import quartile_bands
from cscmonitor.benchmarks.ees import SUPPRESSION_CODES, EESFormatError, read_ees
from cscmonitor.benchmarks.geography import UnknownLA, directory, regions, resolve
from cscmonitor.benchmarks.mapping import COMPARATORS, Comparator, comparator_for
from cscmonitor.benchmarks.neighbours import grouping_for, groupings, neighbours_of
from cscmonitor.benchmarks.pooled import neighbour_funnel, pooled_benchmarks
from cscmonitor.benchmarks.published import comparators_for, parse_year
from cscmonitor.benchmarks.store import BenchmarkStore
from cscmonitor.benchmarks.table import BenchmarkView, benchmark_view
from cscmonitor.benchmarks.values import Published, published_values

__all__ = [
    "COMPARATORS",
    "SUPPRESSION_CODES",
    "BenchmarkStore",
    "BenchmarkView",
    "Comparator",
    "EESFormatError",
    "Published",
    "UnknownLA",
    "benchmark_view",
    "comparator_for",
    "comparators_for",
    "directory",
    "grouping_for",
    "groupings",
    "neighbour_funnel",
    "neighbours_of",
    "parse_year",
    "pooled_benchmarks",
    "published_values",
    "quartile_bands",
    "read_ees",
    "regions",
    "resolve",
]
