"""The layers of DESIGN.md hold: the import-linter contracts in pyproject.toml are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_import_contracts_are_kept():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_the_surfaces_may_not_query():
    # The contract DESIGN.md states: web and reports never import SQLAlchemy models, SQL or Ibis.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    forbidden = [c for c in config["contracts"] if c["type"] == "forbidden"]
    assert any(
        {"cscmonitor.web", "cscmonitor.reports"} <= set(c["source_modules"])
        and {"sqlalchemy", "ibis", "cscmonitor.records.models"} <= set(c["forbidden_modules"])
        for c in forbidden
    )
