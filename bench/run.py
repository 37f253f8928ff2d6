"""The whole benchmark suite in one command (`make bench`): a markdown table of results.

    python bench/run.py                 # England, census years 2015-2024, with the peers
    python bench/run.py --quick         # tiny sizes, no peers, no Spark: checks it still runs

Measured, each in a child process of its own, timed around the work (imports and Spark's
start excluded), with the child's peak memory:

1. synth: `cscmonitor synth --scale england` (timed when the returns are made; kept in
   DATA/returns for later runs, with the time it took);
2. ingest (bench/ingest.py): a large council's 903 return and CIN census, and a single
   national-size return of each, against the least any reader does (Arrow reading the
   CSVs, lxml parsing the XML);
3. the basket (bench/basket.py): every registered indicator, every LA x 40 rolling
   quarters, on DuckDB and on Spark local mode over the lake, and for one council, against
   the floor of a plain DuckDB scan of the columns the basket reads; and INDICATORS.md's 38
   (the basket issue 18 names) against the scan of theirs;
4. the forecast (bench/forecast.py): a council's ten years of 903 history fitted and
   1,000 paths x 36 months simulated, against reading the two 903 tables it fits from;
5. side by side on the same 903 files (header and episodes of 2,675, 13,375 and 26,750
   children): our ingest (parsing, checks, pseudonymisation) against csc-validator-be-903
   validating them and liiatools 0.2.0 `s903 cleanfile` cleaning and degrading them, each
   peer installed from PyPI into its own virtualenv under /tmp;
6. start-up (bench/startup.py): `cscmonitor --help` and the slowest `cscmonitor COMMAND
   --help`, whole processes, against `python -c pass`;
7. against the DfE validators (bench/validators.py): a whole 903 return of 26,750 children
   (all eleven tables) and a large council's CIN census, `cscmonitor ingest` and
   csc-validator-be-903 / csc-validator-be-cin as whole processes on the same files;
8. reports (bench/reports.py): the annual review in all four formats from one
   computation of its figures, against one `cscmonitor report` process per format.

Writes DATA/results.md (or --out) and prints it. Nothing here is a test; tests/bench runs
--quick so that it keeps working. Timings on a shared machine are noisy: read the ratios
to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import basket
import ingest as ingest_bench
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import startup
import validators

import forecast as forecast_bench
import reports as reports_bench

DEFAULT_DATA = Path("/tmp/cscmonitor-bench")
PEERS = Path("/tmp/cscmonitor-peers")
SIZES = (2_675, 13_375, 26_750)
QUICK_SIZES = (50, 250)
PEER_YEAR = 2024  # the 903 year the side-by-side files are taken from
RULESET = "lac2023_24"  # csc-validator-be-903's rules for the 2023-24 collection
LIIATOOLS_LA = "BAR"  # liiatools knows only London codes; the files' LA does not matter
SYNTH_TARGET_S = 300
BASKET_TARGET_S, BASKET_TARGET_MB = 60, 4096
# Issue 18, item 5: the basket on one file per table against the scan of the columns it reads.
FLOOR_TIMES = 20
VALIDATOR_TARGET, VALIDATOR_MB, CLEANER_TARGET = 20, 300, 100

VALIDATOR = textwrap.dedent(
    """
    import importlib, json, sys, time
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files

    ruleset, year, out = sys.argv[1], sys.argv[2], sys.argv[3]
    registry = getattr(importlib.import_module(f"lac_validator.rules.{ruleset}"), "registry")
    started = time.perf_counter()
    files = process_uploaded_files({"This year": sys.argv[4:]})
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": year, "localAuthority": "E06000001"},
        files=files, registry=registry, selected_rules=None,
    )
    validator.ds_results
    seconds = time.perf_counter() - started
    json.dump({"seconds": seconds, "rules": len(list(registry)), "ran": len(validator.dones),
               "skipped": len(validator.skips)}, open(out, "w"))
    """
)

CLEANER = textwrap.dedent(
    """
    import json, sys, time
    from liiatools.datasets.s903 import s903_main_functions

    la, logs, output, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    started = time.perf_counter()
    for path in sys.argv[5:]:
        s903_main_functions.cleanfile(path, la, logs, output)
    json.dump({"seconds": time.perf_counter() - started}, open(out, "w"))
    """
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="working folder")
    parser.add_argument("--out", type=Path, default=None, help="results (DATA/results.md)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, no peers, no Spark")
    parser.add_argument("--no-peers", action="store_true", help="leave out the peers")
    parser.add_argument("--no-spark", action="store_true", help="leave out Spark")
    parser.add_argument("--peer-timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--to-year", type=int, default=2024, help="last census year")
    parser.add_argument("--la", default="371", help="the one council (default 371)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--samples",
        type=Path,
        default=validators.DEFAULT_SAMPLES,
        help="the csc-validator-be-903 test data (bench/validators.py)",
    )
    parser.add_argument(
        "--validators-venv",
        type=Path,
        default=Path(os.environ.get("CSCMONITOR_VALIDATORS_VENV", validators.DEFAULT_VENV)),
        help="virtualenv holding csc-validator-be-903 and csc-validator-be-cin",
    )
    args = parser.parse_args(argv)
    launcher = validators.CpuLauncher()  # before the bench grows: see basket.Launcher
    try:
        return _run(args, launcher)
    finally:
        launcher.close()


def _run(args: argparse.Namespace, launcher: basket.Launcher) -> int:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    data = args.data / "quick" if args.quick else args.data
    out = args.out or data / "results.md"
    peers = not (args.quick or args.no_peers)

    basket_args = argparse.Namespace(
        data=args.data,
        quick=args.quick,
        from_year=None,
        to_year=args.to_year,
        seed=0,
        la=args.la,
        las=None,
        spark=False,
        no_spark=args.no_spark or args.quick,
        spark_python=Path(os.environ.get("CSCMONITOR_SPARK_PYTHON", basket.DEFAULT_SPARK_PYTHON)),
        spark_memory=None,
        workers=args.workers,
    )
    _say("basket: returns, warehouse, floor, DuckDB and Spark")
    results, notes, one = basket.measure(basket_args, launcher)
    _say(json.dumps({"basket": results, "notes": notes}))
    returns = data / "returns"
    record = returns / basket.SYNTH_RECORD
    synth = json.loads(record.read_text()) if record.exists() else {}

    _say("ingest: a large council and national-size returns")
    work = data / "ingest"
    work.mkdir(parents=True, exist_ok=True)
    ingests = _ingests(args.quick, work, returns)

    _say("forecast: a council's ten years of 903 fitted, 1,000 paths x 36 months")
    forecast = forecast_bench.measure(data, args.quick)
    _say(json.dumps({"forecast": forecast}))

    _say("903 side by side")
    sizes = QUICK_SIZES if args.quick else SIZES
    side = [_side_by_side(n, returns, work, launcher, peers, args.peer_timeout) for n in sizes]

    _say("start-up: --help")
    runs = startup.QUICK_RUNS if args.quick else startup.RUNS
    starts = startup.rows(startup.measure(args.quick), runs)

    _say("against the DfE validators: whole processes on the same files")
    checked = validators.measure(
        launcher,
        data / "validators",
        args.samples,
        args.validators_venv,
        quick=args.quick,
        peers=peers,
        timeout=args.peer_timeout,
        repeat=1 if args.quick else 3,
    )

    if args.quick:
        reported = ["| report annual, 4 formats | skipped under --quick | - | - | - | - | - |"]
    else:
        _say("reports: the annual review in four formats")
        reported = reports_bench.rows(reports_bench.measure(data / "demo"))

    years = (args.to_year - 1, args.to_year) if args.quick else (args.to_year - 9, args.to_year)
    text = _document(
        args, results, notes, one, synth, ingests, side, years, load, peers,
        time.perf_counter() - started, forecast, starts + reported,
    )  # fmt: skip
    text += "\n" + "\n".join(validators.section(checked)) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def _say(text: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


# --- ingest ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingested:
    name: str
    describe: str
    baseline: float
    result: dict[str, float]


def _ingests(quick: bool, work: Path, returns: Path) -> list[Ingested]:
    if quick:
        # One of the quick LAs' last returns stands for the large council.
        la = sorted(p for p in returns.iterdir() if p.is_dir())[0]
        (cla,) = sorted((la / "ssda903").iterdir())[-1:]
        (cin,) = sorted((la / "cin_census").glob("*.xml"))[-1:]
        sizes = [ingest_bench.Returns("one LA (quick)", cla, cin)]
    else:
        large = ingest_bench.large_council(work)
        sizes = [large, ingest_bench.england(work, large)]
    done = []
    for returns_ in sizes:
        base = ingest_bench.baseline(returns_)
        result = ingest_bench.measure(returns_.paths, work)
        done.append(Ingested(returns_.name, returns_.describe(), base, result))
        _say(json.dumps({"ingest": returns_.name, "baseline": base, **result}))
    return done


# --- side by side ------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    children: int
    rows: int
    ours: dict[str, float]
    validator: dict[str, Any] | None
    cleaner: dict[str, Any] | None


def _side_by_side(
    children: int,
    returns: Path,
    work: Path,
    launcher: basket.Launcher,
    peers: bool,
    timeout: float,
) -> Side:
    folder = _returns_of(children, returns, work)
    rows = sum(pacsv.read_csv(folder / n).num_rows for n in ("header.csv", "episodes.csv"))
    ours = ingest_bench.measure([folder], work)
    validator = cleaner = None
    if peers:
        validator = _validate(folder, launcher, timeout)
        cleaner = _clean(folder, launcher, timeout)
    side = Side(children, rows, ours, validator, cleaner)
    _say(
        json.dumps(
            {
                "side by side": children,
                "rows": rows,
                "ours": ours,
                "validator": validator,
                "cleaner": cleaner,
            }
        )
    )
    return side


def _returns_of(children: int, returns: Path, work: Path) -> Path:
    """A 903 header and episodes of `children` children: the LAs' children, in code order."""
    folder = work / f"903-{children}" / str(PEER_YEAR)
    if (folder / "episodes.csv").exists():
        return folder
    strings = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in ("CHILD", "UPN", "MOTHER", "MC_DOB", "URN")},
        strings_can_be_null=False,
    )
    headers, episodes, held = [], [], 0
    for la in sorted(p for p in returns.iterdir() if p.is_dir()):
        year = la / "ssda903" / str(PEER_YEAR)
        if not year.exists():
            year = sorted((la / "ssda903").iterdir())[-1]
        header = pacsv.read_csv(year / "header.csv", convert_options=strings)
        header = header.slice(0, children - held)
        headers.append(header)
        table = pacsv.read_csv(year / "episodes.csv", convert_options=strings)
        episodes.append(table.filter(pc.is_in(table["CHILD"], header["CHILD"])))
        held += header.num_rows
        if held >= children:
            break
    if held < children:
        raise SystemExit(f"the returns hold {held} children looked after, not {children}")
    folder.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(quoting_style="none")
    pacsv.write_csv(pa.concat_tables(headers), folder / "header.csv", options)
    pacsv.write_csv(pa.concat_tables(episodes), folder / "episodes.csv", options)
    return folder


def _venv(name: str, steps: list[list[str]]) -> Path:
    """A virtualenv under /tmp with the peer installed from PyPI (made once)."""
    folder = PEERS / name
    python = folder / "bin" / "python"
    done = folder / ".installed"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        for step in steps:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *step], check=True)
        done.write_text(json.dumps(steps))
    return python


def _validator_venv() -> Path:
    # Its rules need numpy < 1.25; its command line imports pytest.
    return _venv("csc-validator-be-903", [["csc-validator-be-903", "numpy<1.25", "pytest"]])


def _cleaner_venv() -> Path:
    # liiatools 0.2.0 pins cchardet 2.1.7, which does not build on Python 3.11:
    # faust-cchardet is the maintained fork with the same `cchardet` module.
    requirements = [
        "PyYAML>=6,<7", "XlsxWriter>=3.0.3,<4", "click>=8.1.2,<9", "click-log>=0.4,<0.5",
        "dacite>=1.6,<2", "lxml>=4.9.1,<5", "more-itertools>=8.12,<9", "openpyxl>=3.0.9,<4",
        "pandas>=1.4.2,<2", "python-decouple>=3.8,<4", "regex>=2022.4.24,<2023",
        "sfdata-stream-parser==0.4.1", "tablib[cli,xlsx]>=3.2,<4", "xlrd>=2.0.1,<3",
        "xmlschema>=1.10,<2", "faust-cchardet", "numpy<2",
    ]  # fmt: skip
    return _venv("liiatools-0.2.0", [["--no-deps", "liiatools==0.2.0"], requirements])


def _peer_run(
    launcher: basket.Launcher, argv: list[str], result: Path, timeout: float
) -> dict[str, Any]:
    """A peer's run in a child process: its own figures, and its peak memory."""
    log = result.with_suffix(".log")
    command = ["timeout", str(int(timeout)), *argv]
    code, maxrss = launcher.run(command, dict(os.environ), log)
    if code == 124:
        return {"failed": f"> {timeout:.0f} s"}
    if code != 0 or not result.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["?"]
        return {"failed": f"failed ({code}): {tail[0][:100]}"}
    figures: dict[str, Any] = json.loads(result.read_text())
    return figures | {"peak_mb": maxrss / 1024}


def _validate(folder: Path, launcher: basket.Launcher, timeout: float) -> dict[str, Any]:
    try:
        python = _validator_venv()
    except subprocess.CalledProcessError as exc:
        return {"failed": f"not installed ({exc})"}
    with tempfile.TemporaryDirectory() as scratch:
        files = [str(folder / "header.csv"), str(folder / "episodes.csv")]
        result = Path(scratch) / "result.json"
        argv = [str(python), "-c", VALIDATOR, RULESET, str(PEER_YEAR), str(result), *files]
        return _peer_run(launcher, argv, result, timeout)


def _clean(folder: Path, launcher: basket.Launcher, timeout: float) -> dict[str, Any]:
    try:
        python = _cleaner_venv()
    except subprocess.CalledProcessError as exc:
        return {"failed": f"not installed ({exc})"}
    with tempfile.TemporaryDirectory() as scratch:
        # It rewrites its input, and reads the year from the file's name: give it copies.
        copies = []
        for name in ("header", "episodes"):
            copy = Path(scratch) / f"SSDA903_{PEER_YEAR}_{name}.csv"
            shutil.copyfile(folder / f"{name}.csv", copy)
            copies.append(str(copy))
        for sub in ("logs", "output"):
            (Path(scratch) / sub).mkdir()
        result = Path(scratch) / "result.json"
        argv = [
            str(python), "-c", CLEANER, LIIATOOLS_LA, str(Path(scratch) / "logs"),
            str(Path(scratch) / "output"), str(result), *copies,
        ]  # fmt: skip
        return _peer_run(launcher, argv, result, timeout)


# --- the document ------------------------------------------------------------------------


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory = 0.0
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GB memory; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def _s(value: float) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _mb(value: float) -> str:
    return f"{value:,.0f}"


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _document(
    args: argparse.Namespace,
    results: dict[str, dict[str, Any]],
    notes: list[str],
    one: str,
    synth: dict[str, Any],
    ingests: list[Ingested],
    side: list[Side],
    years: tuple[int, int],
    load: float,
    peers: bool,
    seconds: float,
    forecast: dict[str, float],
    starts: list[str],
) -> str:
    n_las, n_periods = results["duckdb"]["las"], results["duckdb"]["periods"]
    lines = [
        f"Machine: {_machine()}. Load average {load:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (the machine is shared).",
        f"Command: `python bench/run.py{' --quick' if args.quick else ''}` "
        f"({dt.date.today().isoformat()}, {seconds / 60:.0f} minutes in all).",
        "",
        "| measure | input | seconds | ratio to baseline | rows/s | peak MB | target |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    if synth:
        synth_ok = synth["seconds"] < SYNTH_TARGET_S
        lines.append(
            f"| synth, `--scale england` | {synth['las']} LAs, census years "
            f"{years[0]}-{years[1]}, {synth['files']:,} files, "
            f"{synth.get('size_bytes', 0) / 1e9:.1f} GB | {_s(synth['seconds'])} | - | - | - "
            f"| < {SYNTH_TARGET_S} s: {_met(synth_ok)} |"
        )
    else:
        lines.append(
            "| synth, `--scale england` | returns made elsewhere | not recorded | - | - | - | - |"
        )
    for done in ingests:
        result = done.result
        peak = max(result["tree_peak_mb"], result["peak_mb"])
        lines.append(
            f"| ingest (903 + CIN census), {done.name} | {done.describe} | "
            f"{_s(result['seconds'])} | {result['seconds'] / done.baseline:.1f} x read | "
            f"{result['rows'] / result['seconds']:,.0f} | {_mb(peak)} | - |"
        )
    titles = {
        "floor": "floor: DuckDB scan of the columns the basket reads",
        "duckdb": "basket, DuckDB",
        "duckdb-one": f"basket, DuckDB, one council ({one})",
        "floor-files": "floor, one file per table (not the lake)",
        "duckdb-files": "basket, DuckDB, one file per table (not the lake)",
        "floor-38-files": "floor of the 38 (INDICATORS.md), one file per table",
        "duckdb-38-files": "the 38 (INDICATORS.md), DuckDB, one file per table",
        "stats": "count, min, max of the columns read (the floor before December 2026)",
        "stats-files": "the same, one file per table",
        "pyspark": "basket, Spark local",
        "pyspark-one": f"basket, Spark local, one council ({one})",
        "pyspark-tasks": "basket, Spark local, its tasks computing groups of LAs on DuckDB",
    }
    for name in basket.ROWS:
        result = results.get(name)
        scope = f"{n_las} LAs" if not name.endswith("-one") else "1 LA"
        if name.startswith(("floor", "stats")):
            scope += ", one file per table" if name.endswith("-files") else ", the lake"
        else:
            scope += f" x {n_periods} rolling quarters"
        floor_of = basket.FLOOR_OF.get(name, "floor")
        floor = results.get(floor_of, results["floor"])["seconds"]
        if result is None:
            lines.append(f"| {titles[name]} | {scope} | skipped | - | - | - | - |")
            continue
        target = "-"
        if name in ("duckdb", "duckdb-files"):
            ok = result["seconds"] < BASKET_TARGET_S and result["peak_mb"] < BASKET_TARGET_MB
            target = f"< {BASKET_TARGET_S} s, < {BASKET_TARGET_MB:,} MB: {_met(ok)}"
        if name in ("duckdb-files", "duckdb-38-files"):  # issue 18, item 5
            ok = result["seconds"] <= FLOOR_TIMES * floor
            judged = f"≤ {FLOOR_TIMES} x floor: {_met(ok)}"
            target = judged if target == "-" else f"{target}; {judged}"
        rate = f"{result['rows'] / floor:,.0f}" if name.startswith("floor") else "-"
        lines.append(
            f"| {titles[name]} | {scope} | {_s(result['seconds'])} | "
            f"{result['seconds'] / floor:.1f} x floor | {rate} | {_mb(result['peak_mb'])} | "
            f"{target} |"
        )
    lines.append(forecast_bench.row(forecast))
    lines += starts
    lines += ["", *(f"- {note}" for note in notes), ""]
    lines += _side_table(side, peers)
    return "\n".join(lines) + "\n"


def _side_table(side: list[Side], peers: bool) -> list[str]:
    lines = [
        "Side by side on the same SSDA903 files (header and episodes), each peer in its own "
        "virtualenv, each timed around its work in its own process:",
        "",
        "| children | rows | cscmonitor ingest s | peak MB | rows/s | csc-validator-be-903 s "
        "| peak MB | x slower | liiatools cleanfile s | peak MB | x slower |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    last: tuple[float, float, float] | None = None
    for s in side:
        ours = s.ours["seconds"]
        peak = max(s.ours["tree_peak_mb"], s.ours["peak_mb"])
        cells = [f"{s.children:,}", f"{s.rows:,}", _s(ours), _mb(peak), f"{s.rows / ours:,.0f}"]
        ratios = []
        for peer in (s.validator, s.cleaner):
            if peer is None:
                cells += ["skipped", "-", "-"]
                ratios.append(float("nan"))
            elif "failed" in peer:
                cells += [peer["failed"], "-", "-"]
                ratios.append(float("nan"))
            else:
                ratio = peer["seconds"] / ours
                cells += [_s(peer["seconds"]), _mb(peer["peak_mb"]), f"{ratio:,.0f}"]
                ratios.append(ratio)
        lines.append("| " + " | ".join(cells) + " |")
        last = (peak, ratios[0], ratios[1])
    if last is not None and peers:
        peak, validator, cleaner = last
        lines += [
            "",
            f"Targets at {side[-1].children:,} children: ingest {VALIDATOR_TARGET}x faster than "
            f"csc-validator-be-903 ({validator:,.0f}x: {_met(validator >= VALIDATOR_TARGET)}) "
            f"and under {VALIDATOR_MB} MB ({peak:,.0f} MB: {_met(peak < VALIDATOR_MB)}); "
            f"{CLEANER_TARGET}x faster than liiatools ({cleaner:,.0f}x: "
            f"{_met(cleaner >= CLEANER_TARGET)}).",
        ]
    lines += ["", *_rules(side, peers)]
    return lines


def _rules(side: list[Side], peers: bool) -> list[str]:
    from cscmonitor.returns.checks import rules_for

    ours = [
        r.code for r in rules_for("ssda903") if set(r.tables) <= {"cla_children", "cla_episodes"}
    ]
    lines = [
        "Rules run:",
        "",
        f"- cscmonitor: parsing into typed columns with the per-field checks (formats, codes, "
        f"dates, required fields), the {len(ours)} cross-field 903 rules that read the "
        f"header and episodes ({', '.join(ours)}), pseudonymisation of child ids (keyed "
        f"HMAC), postcodes to their district, and writing the warehouse snapshot.",
    ]
    if peers:
        ran = next((s.validator for s in side if s.validator and "ran" in s.validator), None)
        counts = (
            f"{ran['ran']} of the {ran['rules']} rules of `{RULESET}` ({ran['skipped']} "
            "skipped as they need other 903 tables)"
            if ran
            else f"the rules of `{RULESET}`"
        )
        lines += [
            f"- csc-validator-be-903 (PyPI, numpy<1.25): reading the files and {counts}.",
            "- liiatools 0.2.0 `s903 cleanfile` (PyPI, --no-deps; faust-cchardet for cchardet; "
            "numpy<2), once per file: types and codes checked against its 2024 schema, "
            "dates of birth to the month, postcodes degraded, LA child ids, cleaned CSV and "
            "error log written.",
        ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
