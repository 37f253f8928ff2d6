"""Benchmark: a council's ten years of 903 history fitted, 1,000 paths x 36 months simulated.

    python bench/forecast.py                 # ten 903 returns (2007-2016), 1,000 x 36
    python bench/forecast.py --quick         # the demo's four returns, 100 x 12

The returns are Doncaster's scenario (`cscmonitor synth`) with ten years of 903 files
written, ingested once into DATA/forecast. The measurement runs in a child process, timed
from reading the warehouse to the last path (imports excluded), with the process's peak
memory. The baseline, measured in the same child on the same snapshot, is reading the two
903 tables the fit needs (episodes and header) into pandas. Target: under 10 s and 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml
from pydantic import SecretStr

from cscmonitor.ingest import ingest
from cscmonitor.settings import Settings
from cscmonitor.synth import generate

DEFAULT_DATA = Path("/tmp/cscmonitor-bench")
TARGET_S, TARGET_MB = 10.0, 1024
YEARS = list(range(2007, 2017))  # ten collection years ending 31 March

MEASURE = textwrap.dedent(
    """
    import datetime as dt, json, sys, time
    from pathlib import Path
    import cscmonitor.cli  # what `cscmonitor forecast run` has loaded before it starts
    from cscmonitor.forecast.fit import fit
    from cscmonitor.forecast.history import read_history
    from cscmonitor.forecast.simulate import simulate, summary
    from cscmonitor.warehouse import Warehouse

    warehouse, paths, months = Warehouse(Path(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
    started = time.perf_counter()
    rows = sum(len(warehouse.read(name).to_pandas()) for name in ("cla_episodes", "cla_children"))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    history = read_history(warehouse.tables(), "371")
    model = fit(history, history.end, window_months=120)
    fitted = time.perf_counter() - started
    projection = simulate(model, months, paths=paths)
    summary(projection)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds, "fit_seconds": fitted, "baseline": baseline, "rows": rows,
        "children": len(model.stock.age), "child_months": float(model.counts.sum()),
        "years": (history.end - history.start).days / 365.25,
        "peak_mb": next(int(line.split()[1]) for line in open("/proc/self/status")
                        if line.startswith("VmHWM:")) / 1024,
    }))
    """
)


def held_at_baseline(node: object) -> object:
    """The scenario with every per-year value (a mapping keyed by years) held at its first
    year's: the demo's council with no break, as a steady state to test the model against."""
    if isinstance(node, dict):
        if node and all(isinstance(k, int) and k >= 1900 for k in node):
            return node[min(node)]
        return {k: held_at_baseline(v) for k, v in node.items()}
    if isinstance(node, list):
        return [held_at_baseline(v) for v in node]
    return node


def warehouse(data: Path, quick: bool, seed: int = 0, steady: bool = False) -> Path:
    """The demo council's warehouse with ten years of 903 returns (four with --quick), from
    `cscmonitor synth` with `seed` (the demo's is 0; others are further draws of it); with
    `steady`, its scenario's per-year values held at the baseline year's."""
    folder = data / ("forecast-quick" if quick else "forecast")
    if seed:
        folder = folder.with_name(f"{folder.name}-seed{seed}")
    if steady:
        folder = folder.with_name(f"{folder.name}-steady")
    settings = Settings(data_dir=folder / "data", pseudonym_key=SecretStr("bench-key"))
    if settings.warehouse_dir.joinpath("CURRENT").exists():
        return settings.warehouse_dir
    scenario = "doncaster-2014"
    if not quick or steady:
        from importlib.resources import files

        text = files("cscmonitor").joinpath("synth", "scenarios", f"{scenario}.yaml").read_text()
        held = yaml.safe_load(text)
        if not quick:
            held["files"] = {"cin_census": [2016], "ssda903": YEARS, "workforce": [2015]}
        if steady:
            held = held_at_baseline(held)
        path = folder / "forecast-council.yaml"
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(held))
        scenario = str(path)
    generate(folder / "returns", scenario=scenario, seed=seed)
    ingest([folder / "returns" / "ssda903"], settings, la_code="371")
    return settings.warehouse_dir


def measure(data: Path, quick: bool) -> dict[str, float]:
    paths, months = (100, 12) if quick else (1000, 36)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(warehouse(data, quick)), str(paths), str(months)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "paths": paths, "months": months}


def row(result: dict[str, float]) -> str:
    """The line of bench/run.py's table."""
    ok = result["seconds"] < TARGET_S and result["peak_mb"] < TARGET_MB
    return (
        f"| forecast: fit and simulate | {result['years']:.0f} years of 903, "
        f"{result['child_months']:,.0f} child-months, {result['children']:,.0f} in care; "
        f"{result['paths']:,} paths x {result['months']} months | {result['seconds']:.2f} | "
        f"{result['seconds'] / result['baseline']:.1f} x read | - | {result['peak_mb']:,.0f} "
        f"| < {TARGET_S:.0f} s, < {TARGET_MB:,} MB: {'met' if ok else 'NOT met'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="working folder")
    parser.add_argument("--quick", action="store_true", help="four years, 100 x 12")
    args = parser.parse_args(argv)
    result = measure(args.data, args.quick)
    print(json.dumps(result), file=sys.stderr)
    print(row(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
