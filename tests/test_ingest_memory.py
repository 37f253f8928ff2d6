"""Ingest's memory is bounded: a large CSV full of problems is checked and loaded in a child
process under a memory limit, and its peak grows far slower than the file.

What is measured, on the real `ingest` in a child process, and why:

- The child runs under `RLIMIT_AS` of 4 GiB, the web upload worker's default limit, so
  going over it fails the ingest rather than only slowing it. Address space is not memory
  used: Arrow's and DuckDB's allocators and two dozen threads reserve about 3 GB of it
  before touching much (`VmPeak` 3.1 GB for 0.5 million rows at 0.7 GB resident), so a
  2 GiB address-space limit fails on reservations alone and cannot be the test of "under
  2 GB".
- So the 2 GB bound is held on resident memory: the peak (`VmHWM`, read by the child
  itself from /proc, so it is its own and not another test's) must stay under 2 GiB, and a
  file four times as large must raise it by less than 150 bytes a row more (225 MB for
  the 1.5 million rows more): with `ingest_memory_mb` at 256, DuckDB spills to the scratch
  folder instead of growing, and the file is read, typed and written a block at a time.
  Before this change the peak grew with the file (5.6 GB for 2 million rows, about 2.8 KB
  a row), so the bound was broken nearly twentyfold. (The growth was first held to 30% of
  the smaller file's peak; when the rules' episodes window was made once per query that
  peak fell from about 590-665 MB to 440-515 MB while the larger file's stayed at about
  610-640 MB, so the ratio measured the smaller file's rules rather than the growth.)

No time is asserted (bench/large_ingest.py measures 10 million rows).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "large_csv.py"
ADDRESS_SPACE = 4 << 30
RESIDENT_MB = 2048
CAP = 50  # problems listed per rule and file

CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from pydantic import SecretStr
    from cscmonitor.ingest import ingest
    from cscmonitor.settings import Settings

    settings = Settings(
        data_dir=Path(sys.argv[2]),
        pseudonym_key=SecretStr("memory-test-key"),
        ingest_memory_mb=256,
        max_problems_per_rule=int(sys.argv[3]),
    )
    report = ingest([Path(sys.argv[1])], settings, la_code="900")
    (summary,) = report.summary.to_pylist()
    peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    print(json.dumps({
        "peak_mb": int(peak.split()[1]) / 1024,
        "summary": summary,
        "listed": report.problems.table.num_rows,
        "report": str(report.report_files[0]),
    }))
    """
)


def _large_csv():
    spec = importlib.util.spec_from_file_location("large_csv", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def ingest_in_child(folder: Path, data: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(data), str(CAP)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        preexec_fn=_limited,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def expected(rows: int) -> dict[str, int]:
    """What the generator planted (bench/large_csv.py), counted over its row numbers i:
    a row is rejected when its DECOM is not a date (i % 97 == 0) or its CHILD is blank
    (i % 1000 == 7); every row loaded lacks a Header row, an error each."""
    large = _large_csv()
    i = np.arange(rows)
    rejected = (i % large.BAD_DATE_EVERY == 0) | (i % large.NO_CHILD_EVERY == large.NO_CHILD_AT)
    return {"rejected": int(rejected.sum()), "loaded": int((~rejected).sum())}


@pytest.mark.slow
def test_a_large_file_full_of_problems_is_ingested_in_bounded_memory(tmp_path):
    large = _large_csv()
    peaks = {}
    for rows in (500_000, 2_000_000):
        folder = tmp_path / f"rows-{rows}"
        large.write_episodes(folder / "episodes.csv", rows)
        outcome = ingest_in_child(folder, tmp_path / f"data-{rows}")
        summary, want = outcome["summary"], expected(rows)
        assert summary["rows_read"] == rows
        assert (summary["rows_loaded"], summary["rows_rejected"]) == (
            want["loaded"],
            want["rejected"],
        )
        # Every problem is counted (a missing Header row for each row loaded, a missing key
        # for each row rejected, and more), but only the first CAP of a rule are listed,
        # each rule's rest in one NOT_LISTED row.
        assert summary["errors"] >= want["loaded"] + want["rejected"]
        with open(outcome["report"], newline="") as f:
            listed = list(csv.DictReader(f))
        by_rule: dict[str, int] = {}
        for row in listed:
            by_rule[row["rule"]] = by_rule.get(row["rule"], 0) + 1
        assert by_rule["CLA_EPISODE_WITHOUT_HEADER"] == CAP
        assert by_rule["KEY_MISSING"] == CAP
        assert all(n <= CAP for rule, n in by_rule.items() if rule != "NOT_LISTED")
        assert len(listed) == outcome["listed"] < 20 * CAP
        unlisted = {
            r["message"].split()[3]: int(r["value"]) for r in listed if r["rule"] == "NOT_LISTED"
        }
        assert unlisted["CLA_EPISODE_WITHOUT_HEADER"] == want["loaded"] - CAP
        peaks[rows] = outcome["peak_mb"]
    assert max(peaks.values()) < RESIDENT_MB, peaks
    assert (peaks[2_000_000] - peaks[500_000]) * 2**20 < 150 * 1_500_000, peaks
