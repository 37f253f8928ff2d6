"""What a change saves: `compute` by two versions of the code, in turn, on one warehouse.

    python bench/alternate.py --base HEAD~3                    # the 38 of INDICATORS.md, 3 pairs
    python bench/alternate.py --base 4843a09 --runs 5 --all    # every indicator, 5 pairs
    python bench/alternate.py --base HEAD~2 --snapshot 0015    # on another snapshot
    python bench/alternate.py --base HEAD~1 --runs 2 --all --backend pyspark   # Spark local

The base is any git revision, checked out in a temporary worktree (removed afterwards); the
other side is this tree's code as it stands, changes included. Each run is a fresh process
that imports one side's `cscmonitor` and times one `compute` of every LA over the 40 rolling
quarters of bench/basket.py (imports excluded), base first in each pair, so that a machine
whose speed drifts (6 December 2026: the same compute 18.6 to 23.9 s within the hour) moves
both sides of a pair alike. Prints a markdown table of seconds, CPU seconds and peak memory
per run, each side's digest of the figures (SHA-256 of the result rounded to 9 places: two
sides that agree compute the same figures), and the difference of each pair. Nothing here is
a test; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = Path("/tmp/cscmonitor-bench/data/warehouse")

# One side's run: bench/basket.py's timed compute, as JSON on the last line, with which
# `cscmonitor` it imported and its peak memory.
CHILD = """
import json, resource, sys
from pathlib import Path
import cscmonitor
from cscmonitor.warehouse import Warehouse

job = json.loads(sys.argv[1])
sys.path.insert(0, job["bench"])
import basket

warehouse = Warehouse(Path(job["warehouse"]))
snapshot = warehouse.snapshot(job["snapshot"]) if job["snapshot"] else warehouse.require_current()
out = basket._basket(snapshot, job | {"digest": True})
out |= {"module": cscmonitor.__file__, "snapshot": snapshot.id}
print(json.dumps(out | {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(src: Path, job: dict[str, Any]) -> dict[str, Any]:
    """One compute in a fresh process importing the `cscmonitor` under `src`: on Spark, in
    local mode as bench/basket.py runs it (driver memory 8 GB, 16 shuffle partitions)."""
    from basket import _spark_env

    env = _spark_env("8g", quick=False) if job["backend"] == "pyspark" else dict(os.environ)
    env["PYTHONPATH"] = str(src)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(job)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"a run under {src} failed:\n{done.stderr[-2000:]}")
    measured = dict(json.loads(done.stdout.splitlines()[-1]))
    # An installed cscmonitor found before PYTHONPATH would time the same code twice.
    if not Path(measured["module"]).is_relative_to(src):
        raise SystemExit(f"the run meant for {src} imported {measured['module']}")
    return measured


def alternate(base: str, runs: int, job: dict[str, Any]) -> list[tuple[dict, dict]]:
    """`runs` pairs (base, this tree), base's code checked out at revision `base`."""
    with tempfile.TemporaryDirectory(prefix="cscmonitor-base-") as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(REPO)]
        subprocess.run(
            [*git, "worktree", "add", "--detach", str(tree), base], capture_output=True, check=True
        )
        try:
            return [(run(tree / "src", job), run(REPO / "src", job)) for _ in range(runs)]
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=True)


def table(base: str, pairs: list[tuple[dict, dict]]) -> str:
    """The runs side by side, each pair's saving, and whether the figures agree."""
    lines = [
        f"| pair | {base}: s | CPU s | peak MB | this: s | CPU s | peak MB | saved s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, (old, new) in enumerate(pairs, 1):
        cells = [f"{side[k]:.2f}" for side in (old, new) for k in ("seconds", "cpu_seconds")]
        peaks = [f"{side['peak_mb']:,.0f}" for side in (old, new)]
        saved = old["seconds"] - new["seconds"]
        row = [str(n), cells[0], cells[1], peaks[0], cells[2], cells[3], peaks[1], f"{saved:.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    saved = statistics.median(old["seconds"] - new["seconds"] for old, new in pairs)
    digests = {side: {p[i]["digest"] for p in pairs} for i, side in enumerate((base, "this"))}
    same = digests[base] == digests["this"] and len(digests["this"]) == 1
    old, new = pairs[0]
    lines += [
        "",
        f"Snapshot {old['snapshot']}, {old['rows']:,} figures a run. Median saving "
        f"{saved:.2f} s a pair. Digests: {base} {', '.join(sorted(digests[base]))}; this "
        f"{', '.join(sorted(digests['this']))} ({'the same figures' if same else 'they differ'}).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs (default 3)")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--snapshot", default=None, help="a snapshot id (default: current)")
    parser.add_argument("--all", action="store_true", help="every indicator, not the 38")
    parser.add_argument(
        "--backend", choices=("duckdb", "pyspark"), default="duckdb", help="(default duckdb)"
    )
    parser.add_argument("--from-year", type=int, default=2015, help="the first census year")
    parser.add_argument("--to-year", type=int, default=2024, help="the last census year")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sys.path.insert(0, str(Path(__file__).parent))
    from basket import CONTRACT_38

    job = {
        "bench": str(Path(__file__).parent),
        "warehouse": str(args.warehouse),
        "snapshot": args.snapshot,
        "periods": [f"{args.from_year - 1}-04-01", f"{args.to_year}-03-31"],
        "codes": None if args.all else list(CONTRACT_38),
        "backend": args.backend,
    }
    print(table(args.base, alternate(args.base, args.runs, job)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
