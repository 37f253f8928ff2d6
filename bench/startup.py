"""Start-up: how long `cscmonitor --help` and `cscmonitor COMMAND --help` take (issue 18).

Each is a fresh process from the shell, timed from outside around the whole run, against
`python -c pass` on the same interpreter in the same run. The median of several runs is
reported (the machine is shared); for the sub-commands, the slowest command's median.

    python bench/startup.py             # the rows of run.py's table, then every command's
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


def measure_each(quick: bool = False) -> dict[str, float]:
    """Median seconds of `python -c pass` (key ""), `cscmonitor --help` ("--help") and every
    `cscmonitor COMMAND --help` (key COMMAND), all in this run."""
    runs = QUICK_RUNS if quick else RUNS
    cscmonitor = program()
    seconds = {"": median_seconds([sys.executable, "-c", "pass"], runs)}
    seconds["--help"] = median_seconds([*cscmonitor, "--help"], runs)
    for name in commands():
        seconds[name] = median_seconds([*cscmonitor, name, "--help"], runs)
    return seconds


def summary(each: dict[str, float]) -> dict[str, tuple[str, float]]:
    """The baseline, `--help`, and the slowest `COMMAND --help` (with its name)."""
    named = {k: v for k, v in each.items() if k not in ("", "--help")}
    slowest = max(named, key=lambda name: named[name])
    return {
        "baseline": ("python -c pass", each[""]),
        "help": ("cscmonitor --help", each["--help"]),
        "command": (f"cscmonitor {slowest} --help", named[slowest]),
    }


def measure(quick: bool = False) -> dict[str, tuple[str, float]]:
    """Seconds of the baseline, `--help`, and the slowest `COMMAND --help` (with its name)."""
    return summary(measure_each(quick))


def each_rows(each: dict[str, float]) -> list[str]:
    """Every command's `--help`: seconds and ratio to `python -c pass` of the same run."""
    base = each[""]
    lines = ["| command | seconds | ratio to `python -c pass` | < 0.3 s |", "|---|---:|---:|---|"]
    for name, seconds in each.items():
        what = {"": "`python -c pass`", "--help": "`cscmonitor --help`"}.get(
            name, f"`cscmonitor {name} --help`"
        )
        met = "met" if seconds < TARGET_S else "missed"
        lines.append(f"| {what} | {seconds:.3f} | {seconds / base:.1f} | {met} |")
    return lines


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
    measured = measure_each()
    print("\n".join(rows(summary(measured), RUNS)))
    print()
    print("\n".join(each_rows(measured)))
