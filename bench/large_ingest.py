"""Benchmark: `cscmonitor ingest` of one very large SSDA903 episodes CSV full of problems.

    python bench/large_ingest.py                       # 10 million rows
    python bench/large_ingest.py --rows 2000000 --rows 10000000
    python bench/large_ingest.py --src OTHER/src        # another checkout's code, same file

The file is written by bench/large_csv.py (four episodes a child, a bad date every 97th
row, an unknown placement every 89th, no child every 1,000th, and no header file, so every
episode's child lacks a Header row: at least as many problems as rows). Each ingest is a
whole process from the shell (`python -m cscmonitor ingest FOLDER --la 900`, imports
included) in a fresh data directory, timed from start to exit, its peak resident memory
from `wait4` (`ru_maxrss` of that one child). It prints a markdown table; nothing here is
a test (tests/test_ingest_memory.py checks the bound at 0.5 and 2 million rows).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from large_csv import write_episodes  # noqa: E402


def ingest_env(data: Path, src: Path) -> dict[str, str]:
    """The environment of a whole `cscmonitor ingest` process into a fresh data directory."""
    shutil.rmtree(data, ignore_errors=True)
    return dict(
        os.environ,
        PYTHONPATH=str(src),
        CSCMONITOR_DATA_DIR=str(data),
        CSCMONITOR_PSEUDONYM_KEY="bench-key-not-secret",
    )


def ingest(folder: Path, data: Path, src: Path) -> dict[str, float | int | str]:
    """One whole `cscmonitor ingest` process: seconds, peak MB, and what its summary says."""
    env = ingest_env(data, src)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "cscmonitor", "ingest", str(folder), "--la", "900"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    assert child.stderr is not None
    error = child.stderr.read().decode(errors="replace").strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "failed": error[-1:]}
    (summary_file,) = (data / "reports").glob("ingest-*-summary.csv")
    with summary_file.open(newline="") as f:
        (summary,) = list(csv.DictReader(f))
    (report_file,) = (data / "reports").glob("ingest-????.csv")
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "loaded": int(summary["rows_loaded"]),
        "errors": int(summary["errors"]),
        "report_kb": report_file.stat().st_size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="default 10,000,000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cscmonitor-bench-large"))
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start\n")
    print("| rows | CSV MB | seconds | peak MB | rows loaded | errors counted | report CSV KB |")
    print("|---|---|---|---|---|---|---|")
    for rows in args.rows or [10_000_000]:
        folder = args.work / f"episodes-{rows}"
        path = folder / "episodes.csv"
        if not path.exists():
            write_episodes(path, rows)
        done = ingest(folder, args.work / f"data-{rows}", args.src)
        size = path.stat().st_size / 2**20
        if "failed" in done:
            print(
                f"| {rows:,} | {size:,.0f} | {done['seconds']:.0f} | {done['peak_mb']:,.0f} | "
                f"failed: {done['failed']} | | |"
            )
            continue
        print(
            f"| {rows:,} | {size:,.0f} | {done['seconds']:.0f} | {done['peak_mb']:,.0f} | "
            f"{done['loaded']:,} | {done['errors']:,} | {done['report_kb']:,.0f} |"
        )
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
