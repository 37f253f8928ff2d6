"""Start-up: how long `cscmonitor --help` and `cscmonitor COMMAND --help` take (issue 18).

Each is a fresh process from the shell, timed from outside around the whole run, against
`python -c pass` on the same interpreter in the same run. The median of several runs is
reported (the machine is shared); for the sub-commands, the slowest command's median.

    python bench/startup.py             # prints the rows
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
RUNS, QUICK_RUNS = 7, 3


def program() -> list[str]:
    """The installed `cscmonitor` script beside this python, else `python -m cscmonitor`."""
    script = Path(sys.executable).parent / "cscmonitor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cscmonitor"]


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def commands() -> list[str]:
    from cscmonitor.cli import COMMANDS

    return list(COMMANDS)


def measure(quick: bool = False) -> dict[str, tuple[str, float]]:
    """Seconds of the baseline, `--help`, and the slowest `COMMAND --help` (with its name)."""
    runs = QUICK_RUNS if quick else RUNS
    cscmonitor = program()
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    top = median_seconds([*cscmonitor, "--help"], runs)
    each = {name: median_seconds([*cscmonitor, name, "--help"], runs) for name in commands()}
    slowest = max(each, key=lambda name: each[name])
    return {
        "baseline": ("python -c pass", baseline),
        "help": ("cscmonitor --help", top),
        "command": (f"cscmonitor {slowest} --help", each[slowest]),
    }


def rows(result: dict[str, tuple[str, float]], runs: int) -> list[str]:
    """The start-up rows of bench/run.py's table."""
    base = result["baseline"][1]
    lines = [
        f"| floor: start a python | `python -c pass`, median of {runs} | {base:.3f} | "
        "1.0 x floor | - | - | - |"
    ]
    for key, title in (("help", "start-up, `--help`"), ("command", "start-up, slowest command")):
        what, seconds = result[key]
        met = "met" if seconds < TARGET_S else "missed"
        lines.append(
            f"| {title} | `{what}`, median of {runs} | {seconds:.3f} | "
            f"{seconds / base:.1f} x floor | - | - | < {TARGET_S} s: {met} |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(rows(measure(), RUNS)))
