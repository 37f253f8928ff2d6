"""Benchmark: the whole indicator basket for every LA in England over 40 rolling quarters.

    python bench/basket.py                       # England, census years 2015-2024
    python bench/basket.py --quick               # 2 LAs, 2 years: checks the bench still runs
    python bench/basket.py --data /big/disk --spark-python /opt/spark-venv/bin/python

The returns come from `cscmonitor synth --scale england` (generated into DATA/returns when
absent) and are ingested into a warehouse in DATA/data (kept for the next run). Ingest is
per LA: a return's LA comes from `--la`, so the LAs' folders are parsed and checked in
parallel worker processes with ingest's own functions, and merged a year at a time, every
LA's returns of the year at once (calling `ingest` once per LA would re-merge the growing
warehouse 153 times a year), written as a lake partitioned by LA (docs/scale.md). A lake
kept from before December 2026 (partitioned by LA and year) is compacted with
`Warehouse.relayout`, not ingested again.

Then, each in a fresh child process, timed around the work only (imports and Spark's start
excluded), with the child's peak memory (ru_maxrss from wait4; for Spark, plus the JVM's
peak resident set):

- the floor: DuckDB reading every column the basket reads (count, min and max of each)
  over the snapshot's Parquet files, after one unmeasured pass to warm the page cache;
- `compute` for every registered indicator, all LAs x all periods, on DuckDB;
- the same for one council;
- the floor and the basket again on a twin snapshot with one Parquet file per table
  (the embedded default layout; made once with `Warehouse.relayout`, the lake staying
  current), its ratio to its own floor;
- on that twin, the 38 indicators of INDICATORS.md's contract basket (`CONTRACT_38`, the
  basket issue 18 names) against the floor of the columns they read;
- the basket and the one council on PySpark local mode over the lake, run with the Spark
  virtualenv's python (`--spark-python`; skipped when there is none, and under --quick
  unless --spark), and the basket with Spark's tasks computing groups of LAs on DuckDB
  (`CSCMONITOR_SPARK_TASKS=duckdb`, indicators/in_tasks.py).

Prints a markdown table with each figure's ratio to the floor measured in the same run.
Nothing here is a test; tests/bench/test_basket_quick.py runs --quick so it keeps working.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
DEFAULT_DATA = Path("/tmp/cscmonitor-bench")
DEFAULT_SPARK_PYTHON = Path("/tmp/venvspark/bin/python")
QUICK_LAS = ("805", "806")  # Hartlepool and Middlesbrough: small, neighbours
ROWS = (
    "floor", "duckdb", "duckdb-one", "floor-files", "duckdb-files", "floor-38-files",
    "duckdb-38-files", "pyspark", "pyspark-one", "pyspark-tasks", "stats", "stats-files",
)  # fmt: skip
# The floor each row is a multiple of: the scan of the same layout, of the columns it reads.
FLOOR_OF = dict.fromkeys(("floor-files", "duckdb-files", "stats-files"), "floor-files") | {
    "floor-38-files": "floor-38-files",
    "duckdb-38-files": "floor-38-files",
}
# The contract's basket of INDICATORS.md, the 38 indicators issue 18 names (item 5); the
# registry holds the National Framework's measures besides.
CONTRACT_38 = (
    "REF_RATE", "REREF_12M", "REF_NFA", "ASSESS_45WD", "CIN_RATE", "ICPC_15WD", "CPP_REPEAT",
    "CPP_REPEAT_2Y", "CPP_RATE", "CPP_OPEN_2Y", "CPP_ENDED_2Y", "CPP_REVIEW_TIMELY",
    "CLA_RATE", "CLA_3PLUS", "CLA_LT_STABLE", "CLA_MISSING", "CLA_AWAY", "CLA_REVIEWS_TIMELY",
    "CL_EET", "CL_SUITABLE", "CL_IN_TOUCH", "ADOPT_A1", "ADOPT_A10", "ADOPT_A2", "SW_AGENCY",
    "SW_TURNOVER", "SW_VACANCY", "SW_CASELOAD", "EH_ASSESS_RATE", "EH_NEEDS_MET", "EH_STEP_UP",
    "EH_REREF", "VS_GOOD_SCHOOL", "VS_PEP_TIMELY", "VS_PEP_QUALITY", "VS_PERSIST_ABS",
    "VS_SUSPENDED", "VS_PERM_EXCL",
)  # fmt: skip
TITLES = {
    "floor": "floor: DuckDB scan of the columns read",
    "stats": "count, min, max of the columns (the old floor)",
    "stats-files": "count, min, max, one file per table (the old floor)",
    "duckdb": "basket, DuckDB",
    "duckdb-one": "basket, DuckDB, one council",
    "floor-files": "floor, one file per table",
    "duckdb-files": "basket, DuckDB, one file per table",
    "floor-38-files": "floor of the 38 (INDICATORS.md), one file per table",
    "duckdb-38-files": "the 38 (INDICATORS.md), DuckDB, one file per table",
    "pyspark": "basket, PySpark local",
    "pyspark-one": "basket, PySpark local, one council",
    "pyspark-tasks": "basket, PySpark local, its tasks computing groups of LAs on DuckDB",
}
COLUMNS = ("measure", "LAs", "periods", "seconds", "x floor", "peak memory (MB)")
# DuckDB's memory limit for each merge of every LA's returns of a year into the lake.
MERGE_MEMORY_MB = 10 * 1024
# Written beside the returns: how long `synth --scale england` took to make them.
SYNTH_RECORD = "synth.json"


@dataclass(frozen=True)
class Plan:
    data: Path
    from_year: int
    to_year: int
    las: tuple[str, ...] | None
    seed: int
    quick: bool

    @property
    def returns(self) -> Path:
        return self.data / "returns"

    @property
    def data_dir(self) -> Path:
        return self.data / "data"

    def wanted(self) -> dict[str, Any]:
        """What the returns folder must hold to be reused."""
        return {
            "seed": self.seed,
            "census_years": list(range(self.from_year, self.to_year + 1)),
            "las": sorted(self.las) if self.las else None,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="working folder")
    parser.add_argument("--quick", action="store_true", help="2 LAs, 2 years")
    parser.add_argument("--from-year", type=int, default=None)
    parser.add_argument("--to-year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--la", default="371", help="the one council (default 371)")
    parser.add_argument(
        "--las", type=int, default=None, help="only the first N LAs in code order (not --quick)"
    )
    parser.add_argument("--spark", action="store_true", help="run PySpark under --quick too")
    parser.add_argument("--no-spark", action="store_true", help="skip PySpark")
    parser.add_argument(
        "--spark-python",
        type=Path,
        default=Path(os.environ.get("CSCMONITOR_SPARK_PYTHON", DEFAULT_SPARK_PYTHON)),
        help="python of a virtualenv with PySpark (default: $CSCMONITOR_SPARK_PYTHON or "
        f"{DEFAULT_SPARK_PYTHON}; the current python if that is missing and has PySpark)",
    )
    parser.add_argument("--spark-memory", default=None, help="driver memory (default 8g; 1g)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(json.loads(args.child.read_text()))
        return 0

    launcher = Launcher()  # before the bench grows: see Launcher
    try:
        return _bench(args, launcher)
    finally:
        launcher.close()


def _bench(args: argparse.Namespace, launcher: Launcher) -> int:
    results, notes, one = measure(args, launcher)
    print(_table(results, results["duckdb"]["las"], results["duckdb"]["periods"], one))
    print()
    for line in notes:
        print(f"- {line}")
    return 0


def measure(
    args: argparse.Namespace, launcher: Launcher
) -> tuple[dict[str, dict[str, Any]], list[str], str]:
    """The returns, the warehouse and the measurements: (results by row, notes, one council).

    `args` as `main` parses them; bench/run.py calls this too.
    """
    quick = args.quick
    to_year = args.to_year
    from_year = args.from_year or (to_year - 1 if quick else to_year - 9)
    plan = Plan(
        data=args.data / "quick" if quick else args.data,
        from_year=from_year,
        to_year=to_year,
        las=QUICK_LAS if quick else first_las(args.las, to_year),
        seed=args.seed,
        quick=quick,
    )
    notes = [_returns(plan)]
    snapshot, note = _warehouse(plan, args.workers)
    notes.append(note)
    one = args.la if (plan.las is None or args.la in plan.las) else plan.las[0]
    periods = (dt.date(from_year - 1, 4, 1), dt.date(to_year, 3, 31))
    columns = _columns_read(snapshot, periods)
    spark = _spark_python(args.spark_python)
    run_spark = spark is not None and not args.no_spark and (args.spark or not quick)
    memory = args.spark_memory or ("1g" if quick else "8g")
    results: dict[str, dict[str, Any]] = {}
    base = {"root": str(snapshot[0]), "snapshot": snapshot[1], "periods": _iso(periods)}
    python = sys.executable
    floor = {"kind": "floor", "columns": columns}
    results["floor"] = _run(launcher, python, base | floor | {"query": "scan"})
    # The floor before December 2026, which DuckDB answers from the files' footers.
    results["stats"] = _run(launcher, python, base | floor | {"query": "stats"})
    results["duckdb"] = _run(launcher, python, base | {"kind": "basket", "backend": "duckdb"})
    results["duckdb-one"] = _run(
        launcher, python, base | {"kind": "basket", "backend": "duckdb", "las": [one]}
    )
    # The same rows in the embedded default layout: a file per table, no partitions.
    twin = base | {"snapshot": files_twin(snapshot[0], snapshot[1])}
    results["floor-files"] = _run(launcher, python, twin | floor | {"query": "scan"})
    results["duckdb-files"] = _run(launcher, python, twin | {"kind": "basket", "backend": "duckdb"})
    # Issue 18 names the contract's 38: their basket against the scan of the columns they read.
    floor_38 = {"kind": "floor", "columns": _columns_read(snapshot, periods, CONTRACT_38)}
    results["floor-38-files"] = _run(launcher, python, twin | floor_38 | {"query": "scan"})
    contract = {"kind": "basket", "backend": "duckdb", "codes": list(CONTRACT_38)}
    results["duckdb-38-files"] = _run(launcher, python, twin | contract)
    results["stats-files"] = _run(launcher, python, twin | floor | {"query": "stats"})
    if run_spark and spark is not None:
        env = _spark_env(memory, quick)
        for name, las in (("pyspark", None), ("pyspark-one", [one])):
            spec = base | {"kind": "basket", "backend": "pyspark", "las": las}
            results[name] = _run(launcher, str(spark), spec, env)
        # Spark scheduling, DuckDB computing (indicators/in_tasks.py).
        spec = base | {"kind": "basket", "backend": "pyspark"}
        tasks = env | {"CSCMONITOR_SPARK_TASKS": "duckdb"}
        results["pyspark-tasks"] = _run(launcher, str(spark), spec, tasks)
        notes.append(
            f"PySpark: {spark}, local[*] ({os.cpu_count()} cores), driver memory {memory}, "
            f"{env['CSCMONITOR_SPARK_PARTITIONS']} shuffle partitions; session start "
            f"{results['pyspark']['start_seconds']:.1f} s, not counted."
        )
    else:
        why = "no PySpark python" if spark is None else "--quick without --spark, or --no-spark"
        notes.append(f"PySpark skipped ({why}).")
    width = sum(len(c) for c in columns.values())
    notes.append(
        f"Floor: {width} columns of {len(columns)} tables: "
        + "; ".join(f"{t} ({', '.join(c)})" for t, c in sorted(columns.items()))
        + "."
    )
    return results, notes, one


def first_las(count: int | None, to_year: int) -> tuple[str, ...] | None:
    """The first `count` English LAs in code order (None: all of them)."""
    if count is None:
        return None
    import numpy as np

    from cscmonitor.synth.england.las import england

    return tuple(str(code) for code in england(np.array([to_year])).code[:count])


def files_twin(root: Path, lake_id: str) -> str:
    """A snapshot with the lake's rows in one file per table (made once; the lake stays current).
    A twin written before snapshots recorded which tables hold distinct rows (December 2026)
    is made again, as an ingest today would write it."""
    from cscmonitor.warehouse import Layout, Warehouse

    warehouse = Warehouse(root)
    for held in warehouse.snapshots():
        if (
            held.layout is Layout.FILES
            and held.manifest.get("relaid_from") == lake_id
            and "distinct" in held.manifest
        ):
            return held.id
    twin = warehouse.relayout(Layout.FILES)
    warehouse.rollback(lake_id)
    return twin.id


def _iso(period: tuple[dt.date, dt.date]) -> list[str]:
    return [d.isoformat() for d in period]


def _returns(plan: Plan) -> str:
    """Synthetic returns in plan.returns: reused when they are the ones asked for."""
    manifest = plan.returns / "england.json"
    synth_file = plan.returns / SYNTH_RECORD
    if manifest.exists():
        held = json.loads(manifest.read_text())
        las = sorted(la["la_code"] for la in held["las"])
        wanted = plan.wanted()
        same = (
            held["seed"] == wanted["seed"]
            and held["census_years"] == wanted["census_years"]
            and (wanted["las"] is None or las == wanted["las"])
        )
        if same:
            made = json.loads(synth_file.read_text()) if synth_file.exists() else {}
            when = f", generated in {made['seconds']:.0f} s" if made else ""
            return f"Returns: {plan.returns} (reused{when}; {len(las)} LAs)."
    shutil.rmtree(plan.returns, ignore_errors=True)
    shutil.rmtree(plan.data_dir, ignore_errors=True)
    # In a child process: the simulation's memory is given back before ingest needs it.
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from cscmonitor.synth.england import generate_england\n"
        "a = json.loads(sys.argv[1])\n"
        "s = generate_england(Path(a['out']), a['from'], a['to'], seed=a['seed'], las=a['las'])\n"
        "print(json.dumps({'seconds': s.seconds, 'las': s.las, 'files': s.files}))\n"
    )
    job = {
        "out": str(plan.returns),
        "from": plan.from_year,
        "to": plan.to_year,
        "seed": plan.seed,
        "las": list(plan.las) if plan.las else None,
    }
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(job)], capture_output=True, text=True, check=True
    )
    summary = json.loads(done.stdout.splitlines()[-1])
    summary |= {"size_bytes": _size(plan.returns), "at": dt.datetime.now(dt.UTC).isoformat()}
    synth_file.write_text(json.dumps(summary))
    return (
        f"Returns: generated in {summary['seconds']:.0f} s ({summary['las']} LAs, "
        f"{summary['files']} files, {_size(plan.returns) / 1e9:.1f} GB): `cscmonitor synth "
        f"--scale england --from-year {plan.from_year} --to-year {plan.to_year}`."
    )


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _warehouse(plan: Plan, workers: int) -> tuple[tuple[Path, str], str]:
    """The warehouse snapshot of the returns: reused, or ingested now (per LA, in parallel)."""
    from cscmonitor.settings import Settings
    from cscmonitor.warehouse import Layout, Warehouse

    settings = Settings(data_dir=plan.data_dir)
    marker = plan.data_dir / "bench.json"
    stamp = (plan.returns / "england.json").stat().st_mtime_ns
    warehouse = Warehouse(settings.warehouse_dir)
    current = warehouse.current()
    if (
        current is not None
        and marker.exists()
        and json.loads(marker.read_text()) == stamp
        and _factors_dated(current)
    ):
        how = f"reused (layout {current.layout})"
        if not current.is_laid_out(Layout.LAKE):
            # Another layout, or a lake by LA and year (before December 2026): the same
            # rows relaid as a lake by LA, rather than ingested again.
            started = time.perf_counter()
            was = "a lake by LA and year" if current.layout is Layout.LAKE else current.layout
            how = f"relaid from snapshot {current.id} ({was}) as a lake by LA"
            current = warehouse.relayout(Layout.LAKE)
            how += f" in {time.perf_counter() - started:.0f} s"
        return (settings.warehouse_dir, current.id), (f"Warehouse: snapshot {current.id} {how}.")
    shutil.rmtree(plan.data_dir, ignore_errors=True)
    started = time.perf_counter()
    result, problems, used = _ingest(plan, settings, workers)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps(stamp))
    rows = sum(result.snapshot.manifest.get("row_counts", {}).values())
    return (settings.warehouse_dir, result.snapshot.id), (
        f"Warehouse: ingested in {seconds:.0f} s ({used} parsing processes) "
        f"({rows:,} rows; {problems['errors']} errors, {problems['warnings']} warnings), "
        f"written as a lake partitioned by LA."
    )


def _factors_dated(snapshot: Any) -> bool:
    """Whether the snapshot's assessment factors carry their assessment's authorisation date,
    as an ingest since December 2026 writes them: a warehouse ingested before is ingested
    again, or the basket would time the factors' join to the assessments it no longer needs."""
    import pyarrow.parquet as pq

    from cscmonitor.warehouse import Layout

    name = "cin_assessment_factors"
    files = snapshot.lake_files(name) if snapshot.layout is Layout.LAKE else []
    path = files[0] if files else snapshot.table_path(name)
    return not path.is_file() or "assessment_authorised_date" in pq.read_schema(path).names


def _ingest(plan: Plan, settings: Any, workers: int) -> tuple[Any, dict[str, int], int]:
    """Ingest's steps, with the LAs' folders parsed and checked in worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from cscmonitor.privacy import key_check, load_key
    from cscmonitor.returns.staged import Scratch
    from cscmonitor.warehouse import Layout, Warehouse

    key = load_key(settings)  # made once here, so the workers all read the same key
    folders = sorted(p for p in plan.returns.iterdir() if p.is_dir())
    parsed: list[Any] = []
    errors = warnings = 0
    if workers <= 1 or len(folders) <= 2:
        # A worker takes seconds to start: not worth it for a couple of small LAs.
        done = [_parse_la(str(f), f.name, str(plan.data_dir)) for f in folders]
        workers = 1
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            jobs = [pool.submit(_parse_la, str(f), f.name, str(plan.data_dir)) for f in folders]
            done = [job.result() for job in jobs]
    for returns, counts in done:
        parsed += returns
        errors += counts[0]
        warnings += counts[1]
    privacy = {
        "birth_date_precision": settings.birth_date_precision,
        "postcode_precision": settings.postcode_precision,
        "key_check": key_check(key),
    }
    validation = {"errors": errors, "warnings": warnings, "files_unreadable": []}
    # Partitioned by LA, as pooled data is held for Spark (docs/scale.md). One merge per
    # year, every LA's returns of the year at once, oldest first, as councils send them:
    # one merge of all ten years applies each table's merge rule to every row against
    # every later return of its LA, and on England it spilled more than 60 GB to disk.
    # At ingest's default limit (1 GB) DuckDB runs out of memory on even 20 LAs (a sort
    # it cannot spill).
    scratch = Scratch(settings.ingest_scratch_dir, MERGE_MEMORY_MB)
    warehouse = Warehouse(settings.warehouse_dir, layout=Layout.LAKE)
    years = sorted({p.info.year for p in parsed})
    if not years:
        raise SystemExit(f"no returns found under {plan.returns}")
    for year in years:
        result = warehouse.ingest(
            [p for p in parsed if p.info.year == year],
            privacy=privacy,
            validation=validation,
            scratch=scratch,
        )
    return result, {"errors": errors, "warnings": warnings}, workers


def _parse_la(folder: str, la: str, data_dir: str) -> tuple[list[Any], tuple[int, int]]:
    """One LA's returns parsed, checked and reduced for the warehouse (in a worker)."""
    from cscmonitor.ingest import for_warehouse, parse_all
    from cscmonitor.privacy import Pseudonymiser, load_key
    from cscmonitor.returns import checks
    from cscmonitor.returns.csvfile import Limits
    from cscmonitor.returns.issues import Problems
    from cscmonitor.settings import Settings

    settings = Settings(data_dir=Path(data_dir))
    root = Path(folder)
    # A 903 return's year is inferred from its latest episode date, which a small LA's
    # return can leave in the year before (City of London's one open episode): synth
    # writes each 903 return in a folder named by its year, so that year is given.
    groups: list[tuple[list[Path], int | None]] = [
        ([p for p in sorted(root.iterdir()) if p.name != "ssda903"], None)
    ]
    groups += [([p], int(p.name)) for p in sorted(root.glob("ssda903/[0-9]*"))]
    ids = Pseudonymiser(load_key(settings))
    parsed, problems = [], Problems()
    for paths, year in groups:
        more, found = parse_all(
            paths, ids=ids, la_code=la, year=year, limits=Limits.from_settings(settings)
        )
        parsed += more
        problems.extend(found)
    for p in parsed:
        p.problems.extend(checks.run(p))
        problems.extend(p.problems)
    counts = (problems.errors, problems.warnings)
    return [for_warehouse(p, settings) for p in parsed], counts


def _columns_read(
    snapshot: tuple[Path, str], period: tuple[dt.date, dt.date], codes: tuple[str, ...] = ()
) -> dict[str, list]:
    """Per warehouse table, the columns the basket's queries read (after projection pushdown):
    of every indicator, or of those `codes`."""
    import ibis
    import ibis.expr.operations as ops
    from sqlglot import exp, parse_one
    from sqlglot.optimizer import optimize
    from sqlglot.optimizer.pushdown_projections import pushdown_projections
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope

    from cscmonitor.backends import Backend, SnapshotTables
    from cscmonitor.indicators.engine import ForLAs, periods_table
    from cscmonitor.indicators.measures import totals
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series
    from cscmonitor.warehouse import SCHEMAS, Warehouse

    current = Warehouse(snapshot[0]).snapshot(snapshot[1])
    tables = SnapshotTables(current, Backend.DUCKDB)
    periods = periods_table(series(Series.QUARTERLY, *period, rolling=True))
    suffix = f"_{current.id}"
    used: dict[str, set[str]] = {}
    for indicator in [i for i in all_indicators() if not codes or i.code in codes]:
        expr = totals(indicator, ForLAs(tables, None), periods)
        schema = {f"{n}{suffix}": {f.name: "TEXT" for f in s} for n, s in SCHEMAS.items()}
        for node in expr.op().find(ops.InMemoryTable):
            schema.setdefault(node.name, dict.fromkeys(node.schema.names, "TEXT"))
        sql = parse_one(str(ibis.to_sql(expr, dialect="duckdb")), read="duckdb")
        tree = optimize(sql, schema=schema, dialect="duckdb", rules=[qualify, pushdown_projections])
        for scope in traverse_scope(tree):
            for column in scope.columns:
                source = scope.sources.get(column.table)
                if isinstance(source, exp.Table) and source.name.endswith(suffix):
                    used.setdefault(source.name.removesuffix(suffix), set()).add(column.name)
    return {table: sorted(names) for table, names in sorted(used.items())}


def _spark_python(wanted: Path) -> Path | None:
    if wanted.exists():
        return wanted
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return None
    return Path(sys.executable)


def _spark_env(memory: str, quick: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = f"--driver-memory {memory} pyspark-shell"
    env.setdefault("CSCMONITOR_SPARK_PARTITIONS", "2" if quick else "16")
    if quick:
        env["CSCMONITOR_SPARK_SMALL"] = "1"
    return env


class Launcher:
    """A small process that starts the measurements and reports each one's rusage.

    ru_maxrss counts what a process held before it exec'd the measurement, so children
    are started from this launcher (a bare python started before anything is imported),
    not from the bench itself, which holds the data by then.
    """

    SOURCE = (
        "import json, os, subprocess, sys\n"
        "for line in sys.stdin:\n"
        "    job = json.loads(line)\n"
        "    with open(job['log'], 'wb') as log:\n"
        "        child = subprocess.Popen(job['argv'], env=job['env'], stdout=log, stderr=log)\n"
        "        _, status, usage = os.wait4(child.pid, 0)\n"
        "    child.returncode = os.waitstatus_to_exitcode(status)\n"
        "    print(json.dumps([child.returncode, usage.ru_maxrss]), flush=True)\n"
    )

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.SOURCE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str], env: dict[str, str], log: Path) -> tuple[int, int]:
        """Exit code and peak resident set (kB) of the command."""
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"argv": argv, "env": env, "log": str(log)}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        code, maxrss = json.loads(self.process.stdout.readline())
        return int(code), int(maxrss)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def _run(
    launcher: Launcher, python: str, spec: dict[str, Any], env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One measurement in a fresh child process; its result with the child's peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        spec_file = Path(folder) / "spec.json"
        result_file = Path(folder) / "result.json"
        log = Path(folder) / "log.txt"
        spec_file.write_text(json.dumps(spec | {"result": str(result_file)}))
        code, maxrss = launcher.run(
            [python, str(HERE), "--child", str(spec_file)], env or dict(os.environ), log
        )
        if code != 0 or not result_file.exists():
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"measurement {spec['kind']} failed ({code}):\n{tail}")
        result: dict[str, Any] = json.loads(result_file.read_text())
    # ru_maxrss is in kilobytes on Linux; Spark's JVM is a process of its own.
    result["peak_mb"] = maxrss / 1024 + result.get("jvm_peak_mb", 0.0)
    # As it goes, for a long run (the table comes at the end).
    print(json.dumps({"measured": spec["kind"], **result}), file=sys.stderr, flush=True)
    return result


def _table(results: dict[str, dict[str, Any]], n_las: int, n_periods: int, one: str) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ROWS:
        result = results.get(name)
        floor = results.get(FLOOR_OF.get(name, "floor"), results["floor"])["seconds"]
        if name.startswith(("floor", "stats")):
            scope = (f"{n_las}", "-")
        elif name.endswith("-one"):
            scope = (f"1 ({one})", f"{n_periods}")
        else:
            scope = (f"{n_las}", f"{n_periods}")
        if result is None:
            cells = ["skipped", "-", "-"]
        else:
            ratio = result["seconds"] / floor if floor > 0 else float("nan")
            cells = [f"{result['seconds']:.2f}", f"{ratio:.1f}", f"{result['peak_mb']:,.0f}"]
        lines.append("| " + " | ".join([TITLES[name], *scope, *cells]) + " |")
    return "\n".join(lines)


# --- in the child process ---------------------------------------------------------------


def _child(spec: dict[str, Any]) -> None:
    from cscmonitor.warehouse import Warehouse

    snapshot = Warehouse(Path(spec["root"])).snapshot(spec["snapshot"])
    floor = spec["kind"] == "floor"
    out = _floor(snapshot, spec["columns"], spec["query"]) if floor else _basket(snapshot, spec)
    Path(spec["result"]).write_text(json.dumps(out))


def floor_query(source: str, columns: list[str]) -> str:
    """Every value of `columns` read and decoded: a hash of each column summed.

    A sum of hashes cannot come from the Parquet footers' statistics, as count, min and
    max do (DuckDB answers those without reading a data page: see stats_query).
    """
    return "SELECT count(*), " + ", ".join(f'sum(hash("{c}"))' for c in columns) + f" FROM {source}"


def stats_query(source: str, columns: list[str]) -> str:
    """The floor before December 2026: count, min and max, answered from the footers."""
    return (
        "SELECT count(*), "
        + ", ".join(f'min("{c}"), max("{c}")' for c in columns)
        + f" FROM {source}"
    )


def _floor(snapshot: Any, columns: dict[str, list[str]], kind: str) -> dict[str, Any]:
    import duckdb

    from cscmonitor.warehouse import Layout, duckdb_lake_source

    def source(table: str) -> str:
        if snapshot.layout is Layout.LAKE:
            return duckdb_lake_source(snapshot, table)
        return f"read_parquet('{snapshot.table_path(table)}')"

    query = floor_query if kind == "scan" else stats_query
    con = duckdb.connect()
    queries = [
        query(source(table), names)
        for table, names in columns.items()
        if snapshot.manifest["row_counts"].get(table)
    ]
    for query in queries:  # warm the page cache; not measured
        con.sql(query).fetchall()
    started = time.perf_counter()
    rows = 0
    for query in queries:
        rows += con.sql(query).fetchall()[0][0]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows}


def _basket(snapshot: Any, spec: dict[str, Any]) -> dict[str, Any]:
    from cscmonitor.backends import Backend, SnapshotTables, spark_session
    from cscmonitor.indicators.engine import compute
    from cscmonitor.indicators.registry import all_indicators
    from cscmonitor.periods import Series, series

    backend = Backend(spec["backend"])
    started = time.perf_counter()
    if backend is Backend.PYSPARK:
        spark_session()
    start_seconds = time.perf_counter() - started
    start, end = (dt.date.fromisoformat(d) for d in spec["periods"])
    periods = series(Series.QUARTERLY, start, end, rolling=True)
    tables = SnapshotTables(snapshot, backend)
    started, cpu = time.perf_counter(), time.process_time()
    result = compute(tables, periods, codes=spec.get("codes"), las=spec.get("las"))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "start_seconds": start_seconds,
        "rows": len(result),
        "las": int(result["la_code"].nunique()),
        "periods": len(periods),
        "indicators": len(spec.get("codes") or all_indicators()),
    }
    if spec.get("digest"):
        # The figures, rounded to 9 places, in 16 hex digits: two runs that agree computed
        # the same figures (bench/alternate.py compares two versions of the code by it).
        figures = result.round(9).to_csv(index=False).encode()
        out["digest"] = hashlib.sha256(figures).hexdigest()[:16]
    if backend is Backend.PYSPARK:
        out["jvm_peak_mb"] = _jvm_peak_mb()
        spark_session().stop()
    return out


def _jvm_peak_mb() -> float:
    """The Spark JVM's peak resident set (VmHWM), read before it stops."""
    from cscmonitor.backends import spark_session

    try:
        pid = spark_session().sparkContext._gateway.proc.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (AttributeError, OSError, ValueError):
        pass
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
