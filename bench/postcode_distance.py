"""Benchmark: working out 903 placement distances at ingest through the postcode lookup.

    python bench/postcode_distance.py           # 2.7M postcodes (about ONSPD), 200k episodes
    python bench/postcode_distance.py --quick   # 50k postcodes, 10k episodes

A synthetic lookup (made-up postcodes with random grid references, written to a temporary
folder as CSV) and synthetic episodes' HOME_POST and PL_POST (one in twenty not in the
lookup, one in twenty blank). Timed, in this process:

- the baseline: what ingest already does to the same postcodes, cutting both columns to
  their district (`privacy.postcode_district`);
- reading the lookup (`PostcodeLookup.read`, once per ingest);
- the distances (`PostcodeLookup.miles`: one DuckDB join of the pairs with the lookup).

Prints a markdown table with each figure's ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from cscmonitor.privacy import postcode_district
from cscmonitor.returns.postcodes import PostcodeLookup

LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def postcodes(n: int) -> np.ndarray:
    """`n` distinct made-up postcodes such as "AB12 3DE" (the number's digits in turn)."""
    i = np.arange(n)
    area = np.char.add(LETTERS[(i % 400) // 20], LETTERS[i % 20])
    district = ((i // 400) % 100).astype(str)
    inward = ((i // 40_000) % 10).astype(str)
    unit = np.char.add(LETTERS[(i // 400_000) // 20 % 20], LETTERS[(i // 400_000) % 20])
    return np.char.add(np.char.add(np.char.add(area, district), " "), np.char.add(inward, unit))


def timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postcodes", type=int, default=2_700_000)
    parser.add_argument("--episodes", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.postcodes, args.episodes = 50_000, 10_000
    rng = np.random.default_rng(1)
    codes = postcodes(args.postcodes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lookup.csv"
        pacsv.write_csv(
            pa.table(
                {
                    "postcode": codes,
                    "easting": rng.integers(100_000, 650_000, args.postcodes),
                    "northing": rng.integers(10_000, 1_200_000, args.postcodes),
                }
            ),
            path,
        )
        picks = rng.integers(0, args.postcodes, (2, args.episodes))
        home, placed = codes[picks[0]].astype(object), codes[picks[1]].astype(object)
        home[rng.random(args.episodes) < 0.05] = "ZZ99 9ZZ"  # not in the lookup
        placed[rng.random(args.episodes) < 0.05] = None  # blank
        home_a, placed_a = pa.array(home, pa.string()), pa.array(placed, pa.string())
        _, baseline = timed(lambda: (postcode_district(home_a), postcode_district(placed_a)))
        lookup, reading = timed(lambda: PostcodeLookup.read(path))
        miles, joining = timed(lambda: lookup.miles(home_a, placed_a))
    known = len(miles) - miles.null_count
    print(
        f"{args.postcodes:,} postcodes in the lookup, {args.episodes:,} episodes, "
        f"{known:,} distances known\n"
    )
    print("| step | seconds | x baseline |")
    print("|---|---|---|")
    for name, seconds in (
        ("baseline: both postcode columns cut to their district", baseline),
        ("reading the lookup (once per ingest)", reading),
        ("distances: one join of the pairs with the lookup", joining),
    ):
        print(f"| {name} | {seconds:.3f} | {seconds / baseline:.1f} |")


if __name__ == "__main__":
    main()
