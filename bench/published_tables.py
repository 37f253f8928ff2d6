"""The published tables: reading every bundled EES table and deriving every comparator's values,
against the same work on the tables bundled before the National Framework ones (issue 15 item
4: c3, school moves, social workers, CLA health, adoption timings were added). Median of
several runs in one process (the machine is shared); the ratio is what to read.

    python bench/published_tables.py            # prints the rows
    python bench/published_tables.py --quick    # one run each
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cscmonitor.benchmarks.ees import read_ees
from cscmonitor.benchmarks.mapping import COMPARATORS
from cscmonitor.benchmarks.store import bundled_files
from cscmonitor.benchmarks.values import published_values

ADDED = (
    "c3_factors_identified_at_end_of_assessment",
    "la_cla_school_moves",
    "la_cla_swcount",
    "la_conviction_health_outcome_cla",
    "national_cla_adopted_average_time_between_adoption_process_stages",
)


def load(files: Sequence[Path]) -> pd.DataFrame:
    tidy = pd.concat([read_ees(p) for p in files], ignore_index=True)
    published_values(tidy, COMPARATORS)
    return tidy


def seconds(files: Sequence[Path], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load(files)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str]) -> None:
    runs = 1 if "--quick" in argv else 5
    every = bundled_files()
    before = [p for p in every if not p.name.startswith(ADDED)]
    base, now = seconds(before, runs), seconds(every, runs)
    rows = len(load(every))
    print("| tables | files | seconds | ratio |")
    print("|---|---|---|---|")
    print(f"| bundled before (baseline) | {len(before)} | {base:.2f} | 1.00 |")
    print(f"| bundled now ({rows:,} tidy rows) | {len(every)} | {now:.2f} | {now / base:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
