"""bench/alternate.py runs a compute by two versions of the code in turn (the seconds are not
checked; the table's rows, the digests and the worktree's removal are)."""

from __future__ import annotations

import json
import subprocess

import pytest
from tests.bench.conftest import BENCH, load_bench
from tests.conftest import DATA

from cscmonitor.ingest import ingest

REPO = BENCH.parent


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def in_git() -> None:
    try:
        _git("rev-parse", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("bench/alternate.py checks a revision out: this tree is not a git clone")


def test_two_versions_in_turn_and_the_worktree_removed(in_git, settings, capsys):
    ingest([DATA / "placements", DATA / "ingest" / "cin"], settings, la_code="999")
    worktrees = _git("worktree", "list")
    bench = load_bench("alternate")
    argv = ["--base", "HEAD", "--runs", "2", "--warehouse", str(settings.warehouse_dir)]
    assert bench.main([*argv, "--from-year", "2015", "--to-year", "2016"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| pair | HEAD: s |")
    pairs = [line for line in lines[2:] if line.startswith("| ")]
    assert [line.split("|")[1].strip() for line in pairs] == ["1", "2"]
    # Each side computed the 38 over the 8 rolling quarters, its figures digested; HEAD's
    # code and this tree's agree unless the tree's indicators were changed since.
    summary = lines[-1]
    assert "Median saving" in summary and "figures a run" in summary
    changed = _git("status", "--porcelain", "--", "src")
    if not changed:
        assert "(the same figures)" in summary
    assert _git("worktree", "list") == worktrees


def test_on_spark_each_run_is_local_mode_as_bench_basket_runs_it(monkeypatch, tmp_path):
    # The child is not started (a Spark session per run is minutes on England): what it is
    # given is checked, as bench/basket.py's Spark rows give it (driver memory 8 GB, 16
    # shuffle partitions), and the backend reaches the compute.
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.delenv("CSCMONITOR_SPARK_PARTITIONS", raising=False)
    bench = load_bench("alternate")
    seen = {}

    def started(argv, env, **_):
        seen.update(job=json.loads(argv[-1]), env=env)
        out = {"module": str(tmp_path / "cscmonitor" / "__init__.py"), "seconds": 1.0}
        return subprocess.CompletedProcess(argv, 0, stdout=json.dumps(out), stderr="")

    monkeypatch.setattr(bench.subprocess, "run", started)
    for backend in ("pyspark", "duckdb"):
        assert bench.run(tmp_path, {"backend": backend})["seconds"] == 1.0
        assert seen["job"]["backend"] == backend
        assert seen["env"]["PYTHONPATH"] == str(tmp_path)
        spark = {
            k: seen["env"].get(k) for k in ("PYSPARK_SUBMIT_ARGS", "CSCMONITOR_SPARK_PARTITIONS")
        }
        if backend == "pyspark":
            assert spark == {
                "PYSPARK_SUBMIT_ARGS": "--driver-memory 8g pyspark-shell",
                "CSCMONITOR_SPARK_PARTITIONS": "16",
            }
        else:
            assert spark["CSCMONITOR_SPARK_PARTITIONS"] is None
