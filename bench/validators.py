"""Benchmark: `cscmonitor ingest` against the DfE validators, whole processes on the same files.

    python bench/validators.py                       # both returns, both sides
    python bench/validators.py --venv /path/to/venv  # where the validators are installed
    python bench/validators.py --quick               # one copy of each (no target judged)
    python bench/validators.py --src OLD/src --src src  # ours before and after, same run

Two returns, each measured on both sides in the same run, each side a whole process
started from the shell (interpreter start and imports included), timed from start to
exit, its peak resident memory from `wait4` (`ru_maxrss` of that one process: neither side
starts workers):

1. **SSDA903**, all eleven tables, of 26,750 children: the test data published with
   data-to-insight/csc-validator-be-903 (`tests/fake_data`, MIT licence; a copy of its
   header, episodes, reviews, missing, oc3, ad1 and placed for adoption files is in
   `--samples`, default `/work/shared/samples/ssda903`), ten times over under other child
   ids (2,675 children each). Its uasc, oc2, previous permanence and social worker episodes
   files could not be fetched whole here, so those four tables are written in the same
   columns for the same children by `_generated` (seeded, in this file).
   - ours: `python -m cscmonitor ingest FOLDER --la 900` into a fresh data directory:
     every table parsed into typed columns with its per-field checks, the cross-field 903
     rules (`cscmonitor.returns.checks`; in a thread of their own while the tables merge
     into the snapshot), child ids pseudonymised (keyed HMAC), postcodes to their
     district, the validation report written (CSV and XLSX) and a warehouse snapshot
     written (Parquet);
   - theirs: csc-validator-be-903 0.1.17 reading the same files and running every rule
     of `lac2023_24` (`LacValidator`), nothing written.
2. **CIN census** of a large council (about 30,000 children in need, from
   `bench/scenarios/large-council.yaml` by `cscmonitor synth`; the validator's own CIN
   test data is a handful of children):
   - ours: the same `cscmonitor ingest` of the XML file;
   - theirs: csc-validator-be-cin 0.1.13 parsing the XML (`convert_data`,
     `process_data`) and running every rule of `cin2023_24` (`CinValidator`), nothing
     written.

The validators are installed from PyPI into a virtualenv of their own (`--venv`, or
`$CSCMONITOR_VALIDATORS_VENV`, default `/work/wt/perfingest-venv`):

    python -m venv VENV && VENV/bin/pip install csc-validator-be-903==0.1.17 \\
        csc-validator-be-cin==0.1.13

When that virtualenv does not hold them, their side is skipped and the table says so.
Ours runs from compiled bytecode, as an installed package does (pip compiles it at install,
as it did the validators'): each source tree is compiled once before it is measured, since
a PYTHONDONTWRITEBYTECODE in the environment would otherwise have every run compile each
module again (0.1 CPU s). `--src` measures ours once per source tree given, the runs
interleaved, each tree a row of its own (e.g. main's and a branch's in the same run).
Targets (issue 18): ours at least 20 times faster than the validator on the same files, in
under 300 MB. It prints a markdown table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from basket import Launcher  # bench/basket.py

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
DEFAULT_WORK = Path("/tmp/cscmonitor-bench-validators")
DEFAULT_SAMPLES = Path("/work/shared/samples/ssda903")
DEFAULT_VENV = Path("/work/wt/perfingest-venv")
COPIES = 10
SPEED_TARGET, MEMORY_TARGET_MB = 20.0, 300.0
LA = "900"
RULES_903, YEAR_903 = "lac2023_24", "2019"  # the year ours infers from the samples' dates
RULES_CIN = "cin2023_24"
OC2_COLUMNS = [
    "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
    "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
]  # fmt: skip
PUBLISHED = ("header", "episodes", "reviews", "missing", "oc3", "ad1", "placed_for_adoption")

LAC = textwrap.dedent(
    """
    import importlib, sys
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    ruleset, year = sys.argv[1], sys.argv[2]
    registry = getattr(importlib.import_module(f"lac_validator.rules.{ruleset}"), "registry")
    files = process_uploaded_files({"This year": sys.argv[3:]})
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": year, "localAuthority": "E06000001"},
        files=files, registry=registry, selected_rules=None,
    )
    print(f"rules {len(list(registry))} ran {len(validator.dones)} "
          f"skipped {len(validator.skips)} failed {len(validator.fails)}")
    """
)

CIN = textwrap.dedent(
    """
    import importlib, sys
    import xml.etree.ElementTree as ET
    from cin_validator import cin_validator

    ruleset, path = sys.argv[1], sys.argv[2]
    registry = getattr(importlib.import_module(f"cin_validator.rules.{ruleset}"), "registry")
    data = cin_validator.process_data(cin_validator.convert_data(ET.parse(path).getroot()))
    validator = cin_validator.CinValidator(data, registry, selected_rules=None)
    print(f"rules {len(list(registry))} issues {len(validator.full_issue_df)}")
    """
)


# --- the returns -------------------------------------------------------------------------


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _copy_id(child: str, k: int) -> str:
    """Copy k's id for a child: the id itself, then k and the id in six digits (all distinct)."""
    return child if k == 0 else f"{k}{int(child):06d}"


def return_903(work: Path, samples: Path, copies: int = COPIES) -> Path:
    """All eleven 903 tables for `copies` x the samples' children (made once)."""
    folder = work / f"903-x{copies}"
    done = folder / ".done"
    if done.exists():
        return folder
    missing = [n for n in PUBLISHED if not (samples / f"{n}.csv").exists()]
    if missing:
        raise SystemExit(f"{samples}: no {', '.join(missing)} (--samples names the folder)")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tables = {name: _read(samples / f"{name}.csv") for name in PUBLISHED}
    tables |= _generated(tables["header"], tables["episodes"])
    for name, (columns, rows) in tables.items():
        at = columns.index("CHILD")
        copied = [
            [*row[:at], _copy_id(row[at], k), *row[at + 1 :]] for k in range(copies) for row in rows
        ]
        _write(folder / f"{name}.csv", columns, copied)
    done.write_text("")
    return folder


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _generated(
    header: tuple[list[str], list[list[str]]], episodes: tuple[list[str], list[list[str]]]
) -> dict[str, tuple[list[str], list[list[str]]]]:
    """uasc, oc2, previous permanence and social worker episodes for the header's children.

    In the validator's columns, with values drawn from their codes (seeded): every 22nd
    child unaccompanied (leaving that status the week before 18), nine in ten with an OC2
    row, seven in eight with previous permanence Z1, every child one social worker from
    their first episode's start.
    """
    draw = random.Random(903)
    columns, rows = header
    child, sex, dob = (columns.index(c) for c in ("CHILD", "SEX", "DOB"))
    e_columns, e_rows = episodes
    e_child, e_start = e_columns.index("CHILD"), e_columns.index("DECOM")
    first: dict[str, dt.date] = {}
    for row in e_rows:
        started = _date(row[e_start])
        first[row[e_child]] = min(first.get(row[e_child], started), started)
    uasc, oc2, perm, workers = [], [], [], []
    for n, row in enumerate(rows):
        born = _date(row[dob])
        if n % 22 == 0:
            eighteen = born.replace(year=born.year + 18, day=min(born.day, 28))
            left = eighteen - dt.timedelta(days=5)
            uasc.append([row[child], row[sex], row[dob], f"{left:%d/%m/%Y}"])
        if n % 10:
            score = draw.random() < 0.6
            oc2.append(
                [
                    row[child],
                    row[dob],
                    str(draw.randint(0, 40)) if score else "",
                    "" if score else f"SDQ{draw.randint(1, 5)}",
                    *(str(draw.randint(0, 1)) for _ in range(8)),
                ]
            )
        if n % 8:
            perm.append([row[child], row[dob], "Z1", "", ""])
        if row[child] in first:
            workers.append(
                [row[child], row[dob], f"SW{n % 400:04d}", f"{first[row[child]]:%d/%m/%Y}", "", ""]
            )
    return {
        "uasc": (["CHILD", "SEX", "DOB", "DUC"], uasc),
        "oc2": (OC2_COLUMNS, oc2),
        "previous_permanence": (["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"], perm),
        "sw_episodes": (["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"], workers),
    }


def census(work: Path) -> Path:
    """A large council's CIN census (bench/scenarios/large-council.yaml; made once)."""
    sys.path.insert(0, str(SRC))
    from ingest import large_council  # bench/ingest.py

    return large_council(work).cin_file


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    said: str  # the last line it printed
    failed: str | None = None
    cpu: float = 0.0  # user and system seconds


class CpuLauncher(Launcher):
    """basket.Launcher, also reporting the child's CPU seconds (user and system): on a
    shared machine the CPU a process used moves less with the load than its wall time."""

    SOURCE = Launcher.SOURCE.replace(
        "usage.ru_maxrss]", "usage.ru_maxrss, usage.ru_utime + usage.ru_stime]"
    )

    def run_cpu(self, argv: list[str], env: dict[str, str], log: Path) -> tuple[int, int, float]:
        """Exit code, peak resident set (kB) and CPU seconds of the command."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"argv": argv, "env": env, "log": str(log)}) + "\n")
        self.process.stdin.flush()
        code, maxrss, cpu = json.loads(self.process.stdout.readline())
        return int(code), int(maxrss), float(cpu)

    def run(self, argv: list[str], env: dict[str, str], log: Path) -> tuple[int, int]:
        code, maxrss, _ = self.run_cpu(argv, env, log)
        return code, maxrss


def whole(
    launcher: CpuLauncher, argv: list[str], env: dict[str, str], log: Path, timeout: float | None
) -> Run:
    """One whole process: wall seconds from start to exit, and its peak resident memory.

    Started by the launcher (a bare python started before this bench grew), since a child
    forked from a large process reports that process's memory as its own peak."""
    if timeout is not None:
        argv = ["timeout", str(int(timeout)), *argv]
    started = time.perf_counter()
    code, maxrss, cpu = launcher.run_cpu(argv, env, log)
    seconds = time.perf_counter() - started
    if timeout is not None and code == 124:
        return Run(seconds, 0.0, "", f"> {timeout:,.0f} s")
    lines = log.read_text(errors="replace").strip().splitlines() or ["?"]
    failed = None if code == 0 else f"exit {code}: {lines[-1][:160]}"
    return Run(seconds, maxrss / 1024, lines[-1][:200], failed, cpu)


def compiled(src: Path) -> Path:
    """The source tree with its bytecode written beside it (`__pycache__`, ignored by git),
    as pip writes an installed package's."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(src)], check=True, stdout=subprocess.DEVNULL
    )
    return src


def ours(
    launcher: CpuLauncher,
    paths: list[Path],
    work: Path,
    name: str,
    repeat: int,
    srcs: tuple[Path, ...] = (SRC,),
) -> dict[Path, Run]:
    """Our ingest `repeat` times per source tree (the trees taking turns), each into a fresh
    data directory: per tree the median of its runs (`_median`)."""
    from large_ingest import ingest_env  # bench/large_ingest.py

    argv = [sys.executable, "-m", "cscmonitor", "ingest", *map(str, paths), "--la", LA]
    runs: dict[Path, list[Run]] = {compiled(src): [] for src in srcs}
    for _ in range(repeat):
        for src, done in runs.items():
            if done and done[-1].failed:
                continue
            env = ingest_env(work / f"data-{name}", src)
            done.append(whole(launcher, argv, env, work / f"ours-{name}.log", None))
    return {src: _median(done) for src, done in runs.items()}


def _median(runs: list[Run]) -> Run:
    """The median wall time and the median CPU time of the runs (each its own median: on a
    shared machine one run's CPU moves with the load), and the highest peak."""
    if runs[-1].failed:
        return runs[-1]
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    cpu = sorted(r.cpu for r in runs)[len(runs) // 2]
    return dataclasses.replace(middle, cpu=cpu, peak_mb=max(r.peak_mb for r in runs))


def validator_python(venv: Path, module: str) -> Path | None:
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    found = subprocess.run(
        [str(python), "-c", f"import {module}"], capture_output=True, check=False
    )
    return python if found.returncode == 0 else None


def theirs_903(
    launcher: CpuLauncher, python: Path, folder: Path, work: Path, timeout: float
) -> Run:
    files = sorted(str(p) for p in folder.glob("*.csv"))
    argv = [str(python), "-c", LAC, RULES_903, YEAR_903, *files]
    env = {"PATH": os.environ.get("PATH", "")}
    return whole(launcher, argv, env, work / "theirs-903.log", timeout)


def theirs_cin(launcher: CpuLauncher, python: Path, path: Path, work: Path, timeout: float) -> Run:
    argv = [str(python), "-c", CIN, RULES_CIN, str(path)]
    env = {"PATH": os.environ.get("PATH", "")}
    return whole(launcher, argv, env, work / "theirs-cin.log", timeout)


# --- the table ---------------------------------------------------------------------------


def _rows_903(folder: Path) -> tuple[int, int]:
    children = sum(1 for _ in (folder / "header.csv").open()) - 1
    rows = sum(sum(1 for _ in p.open()) - 1 for p in folder.glob("*.csv"))
    return children, rows


def _children_cin(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"<Child>") for chunk in iter(lambda: f.read(1 << 24), b""))


def _cell(run: Run | None, missing: str) -> list[str]:
    if run is None:
        return [missing, "-", "-"]
    if run.failed:
        return [run.failed, "-", "-"]
    return [f"{run.seconds:,.1f}", f"{run.cpu:,.1f}", f"{run.peak_mb:,.0f}"]


def row(what: str, size: str, mine: Run, peer: Run | None, missing: str) -> str:
    cells = [what, size, *_cell(mine, "-"), *_cell(peer, missing)]
    if peer is None or peer.failed or mine.failed:
        cells += ["-", "-"]
    else:
        ratio, cpu = peer.seconds / mine.seconds, peer.cpu / mine.cpu
        met = ratio >= SPEED_TARGET and mine.peak_mb < MEMORY_TARGET_MB
        cells += [f"{ratio:,.1f} ({cpu:,.1f})", f"≥ {SPEED_TARGET:.0f}x, < "
                  f"{MEMORY_TARGET_MB:.0f} MB: {'met' if met else 'missed'}"]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


HEAD = [
    "| return | size | cscmonitor ingest s | CPU s | peak MB | validator s | CPU s | peak MB "
    "| x faster (CPU) | target |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
]


def section(lines: list[str]) -> list[str]:
    """The table under a title, for run.py's document."""
    return [
        "Against the DfE validators, whole processes from the shell on the same files "
        "(bench/validators.py says what each side does):",
        "",
        *HEAD,
        *lines,
    ]


def measure(
    launcher: CpuLauncher,
    work: Path,
    samples: Path,
    venv: Path,
    *,
    quick: bool = False,
    peers: bool = True,
    timeout: float = 3600.0,
    returns: tuple[str, ...] = ("903", "cin"),
    repeat: int = 3,
    srcs: tuple[Path, ...] = (SRC,),
) -> list[str]:
    """Both returns (or those named), both sides; the table's rows and the notes under them.
    With more than one source tree, ours is a row per tree (named in the row)."""
    work.mkdir(parents=True, exist_ok=True)
    copies = 1 if quick else COPIES
    if not all((samples / f"{n}.csv").exists() for n in PUBLISHED):
        return [f"| SSDA903 and CIN census | skipped: no validator test data in {samples} "
                "(--samples) | - | - | - | - | - | - | - | - |"]  # fmt: skip
    folder = return_903(work, samples, copies)
    cin = census(work)
    lac_python = validator_python(venv, "lac_validator") if peers else None
    cin_python = validator_python(venv, "cin_validator") if peers else None
    missing = f"skipped: no validator in {venv}" if peers else "skipped (no peers)"
    children, rows = _rows_903(folder)
    lines, peer_903, peer_cin = [], None, None

    def named(what: str, src: Path) -> str:
        return what if len(srcs) == 1 else f"{what}, ours from {src}"

    if "903" in returns:
        mine_903 = ours(launcher, [folder], work, "903", repeat, srcs)
        peer_903 = theirs_903(launcher, lac_python, folder, work, timeout) if lac_python else None
        size = f"{children:,} children, {rows:,} rows"
        for src, mine in mine_903.items():
            what = named("SSDA903, all 11 tables (CSV)", src)
            lines.append(row(what, size, mine, peer_903, missing))
    if "cin" in returns:
        mine_cin = ours(launcher, [cin], work, "cin", repeat, srcs)
        peer_cin = theirs_cin(launcher, cin_python, cin, work, timeout) if cin_python else None
        size = f"{_children_cin(cin):,} children, {cin.stat().st_size / 2**20:,.0f} MB"
        for src, mine in mine_cin.items():
            what = named("CIN census (XML), large council", src)
            lines.append(row(what, size, mine, peer_cin, missing))
    from cscmonitor.returns.checks import rules_for

    ours_903, ours_cin = len(rules_for("ssda903")), len(rules_for("cin"))
    notes = [
        f"cscmonitor ingest: every field typed and checked (formats, codes, dates, required), "
        f"the cross-field rules of the return's kind ({ours_903} for the 903, {ours_cin} for "
        "the CIN census; run while the tables merge), child ids pseudonymised (keyed HMAC), "
        "postcodes to their "
        "district, the validation report (CSV and XLSX) and a warehouse snapshot written.",
        f"csc-validator-be-903 0.1.17, rules `{RULES_903}` (collection year {YEAR_903}), "
        "nothing written"
        + (f"; it said: {peer_903.said}" if peer_903 and not peer_903.failed else "."),
        f"csc-validator-be-cin 0.1.13, rules `{RULES_CIN}`, nothing written"
        + (f"; it said: {peer_cin.said}" if peer_cin and not peer_cin.failed else "."),
        f"The 903 files: {children:,} children, the validator's published test data x{copies} "
        "(seven tables; uasc, oc2, previous permanence and social worker episodes written "
        "in its columns by this bench, see its docstring).",
    ]
    return lines + [""] + [f"- {n}" for n in notes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    parser.add_argument(
        "--venv",
        type=Path,
        default=Path(os.environ.get("CSCMONITOR_VALIDATORS_VENV", DEFAULT_VENV)),
        help="virtualenv holding csc-validator-be-903 and csc-validator-be-cin",
    )
    parser.add_argument("--quick", action="store_true", help="one copy of the 903 samples")
    parser.add_argument("--no-peers", action="store_true", help="only our side")
    parser.add_argument(
        "--only", choices=["903", "cin"], action="append", help="one return (default both)"
    )
    parser.add_argument("--peer-timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (the median kept)")
    parser.add_argument(
        "--src",
        action="append",
        type=Path,
        help="our source tree (repeat to compare; default: this checkout's)",
    )
    args = parser.parse_args(argv)
    launcher = CpuLauncher()  # before the bench grows: see whole()
    load = os.getloadavg()[0]
    try:
        lines = measure(
            launcher,
            args.work,
            args.samples,
            args.venv,
            quick=args.quick,
            peers=not args.no_peers,
            timeout=args.peer_timeout,
            returns=tuple(args.only or ("903", "cin")),
            repeat=args.repeat,
            srcs=tuple(p.resolve() for p in args.src or [SRC]),
        )
    finally:
        launcher.close()
    print(f"{os.cpu_count()} CPUs; load average {load:.2f} at the start\n")
    print("\n".join([*HEAD, *lines]))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
