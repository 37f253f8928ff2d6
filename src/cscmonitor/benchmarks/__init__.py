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
- `cli`: the `benchmark` and `benchmarks` commands.

The method is written up in `docs/benchmarks.md`.
"""
