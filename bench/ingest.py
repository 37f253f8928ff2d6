"""Benchmark: ingest an SSDA903 return and a CIN census for a large council and for England.

    python bench/ingest.py                      # both sizes, and the peer validator
    python bench/ingest.py --size large --no-peer

The large council (about 3,000 children looked after and 30,000 children in need) is
simulated by `cscmonitor.synth` from `bench/scenarios/large-council.yaml`. England (about
100,000 looked after and 750,000 in need) is that council's returns repeated under other
child ids into one national-size 903 return and one national-size CIN census file, so
that a single file is as large as a national extract.

Each ingest runs in a child process with a fresh data directory and is timed from the
call to `ingest` to its return (imports excluded), with the peak memory of the process
and of its parsing workers. The baseline, measured in the same run on the same files, is
the least any reader must do: Arrow reading the 903 CSV files and lxml parsing the XML
with nothing built from it. The peer is data-to-insight's csc-validator-be-903, installed
from PyPI into its own virtualenv under /tmp, timed on the same 903 files. Figures are
printed as a markdown table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from lxml import etree

from cscmonitor.synth import generate

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenarios" / "large-council.yaml"
CIN_COPIES = 25  # 25 x ~30,000 children in need
CLA_COPIES = 28  # 28 x ~3,600 children looked after
TARGETS = {"large": 5.0, "england": 120.0}
MEMORY_TARGET_MB = 2048
PEER_VENV = Path("/tmp/csc-validator-be-903-venv")

MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from pydantic import SecretStr
    import cscmonitor.cli  # what `cscmonitor ingest` has loaded before it starts
    from cscmonitor.ingest import ingest
    from cscmonitor.settings import Settings

    def cpu(who):
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    settings = Settings(data_dir=Path(sys.argv[1]), pseudonym_key=SecretStr("bench-key"))
    paths = [Path(p) for p in sys.argv[2:]]
    started, cpu_started = time.perf_counter(), cpu(resource.RUSAGE_SELF)
    report = ingest(paths, settings, la_code="900")
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds,
        "cpu": cpu(resource.RUSAGE_SELF) - cpu_started + cpu(resource.RUSAGE_CHILDREN),
        # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
        "peak_mb": next(int(line.split()[1]) for line in open("/proc/self/status")
                        if line.startswith("VmHWM:")) / 1024,
        "rows": report.rows_loaded,
        "problems": len(report.problems),
    }))
    """
)

PEER = textwrap.dedent(
    """
    import sys, time
    from lac_validator import lac_validator
    from lac_validator.utils import process_uploaded_files
    import importlib

    files = process_uploaded_files({"This year": sys.argv[1:]})
    registry = getattr(importlib.import_module("lac_validator.rules.lac2022_23"), "registry")
    started = time.perf_counter()
    validator = lac_validator.LacValidator(
        metadata={"collectionYear": "2016", "localAuthority": "E08000017"},
        files=files,
        registry=registry,
        selected_rules=None,
    )
    validator.ds_results
    print(time.perf_counter() - started)
    """
)


@dataclass
class Returns:
    name: str
    cla_folder: Path  # header.csv and episodes.csv
    cin_file: Path

    @property
    def paths(self) -> list[Path]:
        return [self.cla_folder, self.cin_file]

    def describe(self) -> str:
        children = _count_rows(self.cla_folder / "header.csv")
        in_need = _count_children(self.cin_file)
        size = sum(p.stat().st_size for p in [*self.cla_folder.glob("*.csv"), self.cin_file])
        return f"{children:,} looked after, {in_need:,} in need, {size / 2**20:,.0f} MB"


def _count_rows(path: Path) -> int:
    return pacsv.read_csv(path).num_rows


def _count_children(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"<Child>") for chunk in iter(lambda: f.read(1 << 24), b""))


def large_council(work: Path) -> Returns:
    folder = work / "large"
    if not (folder / "cin_census").exists():
        generate(folder, scenario=str(SCENARIO), seed=0)
    (cin,) = sorted((folder / "cin_census").glob("*.xml"))
    (cla,) = sorted((folder / "ssda903").iterdir())
    return Returns("large", cla, cin)


def england(work: Path, large: Returns) -> Returns:
    folder = work / "england"
    cla = folder / "ssda903" / large.cla_folder.name
    cin = folder / "cin_census" / large.cin_file.name
    if not cin.exists():
        cla.mkdir(parents=True, exist_ok=True)
        for name in ("header.csv", "episodes.csv"):
            table = pacsv.read_csv(
                large.cla_folder / name,
                convert_options=pacsv.ConvertOptions(
                    column_types={"CHILD": pa.string()}, strings_can_be_null=False
                ),
            )
            copies = []
            for k in range(CLA_COPIES):
                child = pc.binary_join_element_wise(table["CHILD"], f"-{k}", "")
                copies.append(table.set_column(0, "CHILD", child))
            pacsv.write_csv(pa.concat_tables(copies), cla / name)
        _repeat_children(large.cin_file, cin)
    return Returns("england", cla, cin)


def _repeat_children(source: Path, target: Path) -> None:
    """A census with every child of `source` repeated under other ids, written as it goes."""
    text = source.read_text(encoding="utf-8")
    head, rest = text.split("<Children>", 1)
    body, tail = rest.rsplit("</Children>", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as f:
        f.write(head + "<Children>")
        for k in range(CIN_COPIES):
            f.write(
                re.sub(r"<LAchildID>([^<]*)</LAchildID>", rf"<LAchildID>\1-{k}</LAchildID>", body)
            )
        f.write("</Children>" + tail)


def baseline(returns: Returns) -> float:
    """The least any reader must do: Arrow reads the CSV files, lxml parses the XML."""
    started = time.perf_counter()
    for path in sorted(returns.cla_folder.glob("*.csv")):
        pacsv.read_csv(path)
    for _event, element in etree.iterparse(str(returns.cin_file), tag="{*}Child"):
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return time.perf_counter() - started


def _processes() -> dict[int, tuple[int, int, float]]:
    """Every process: (parent, resident kB, CPU seconds), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        rss = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        found[int(entry.name)] = (int(fields[1]), rss, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def _tree(root: int, processes: dict[int, tuple[int, int, float]]) -> set[int]:
    members, grew = {root}, True
    while grew:
        more = {pid for pid, (parent, _, _) in processes.items() if parent in members}
        grew = not more <= members
        members |= more
    return members


def measure(paths: list[Path], work: Path) -> dict[str, float]:
    """Time, CPU and peak memory of an ingest, counted over its process and its workers."""
    data = work / f"data-{os.getpid()}-{time.time_ns()}"
    child = subprocess.Popen(
        [sys.executable, "-c", MEASURE, str(data), *map(str, paths)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak_kb, cpu = 0, {}
    while child.poll() is None:
        processes = _processes()
        members = _tree(child.pid, processes)
        peak_kb = max(peak_kb, sum(processes[p][1] for p in members if p in processes))
        cpu |= {p: processes[p][2] for p in members if p in processes}
        time.sleep(0.2)
    assert child.stdout is not None and child.returncode == 0
    result = json.loads(child.stdout.read().strip().splitlines()[-1])
    result["tree_peak_mb"] = peak_kb / 1024
    result["tree_cpu"] = sum(cpu.values())
    return result


def peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "csc-validator-be-903", "numpy<1.25"],
            check=True,
        )
    return python


def peer(returns: Returns, timeout: float) -> str:
    """Seconds the DfE-rules validator takes on the same 903 files (or why there is no figure)."""
    try:
        python = peer_venv()
    except subprocess.CalledProcessError as exc:
        return f"not installed ({exc})"
    files = [str(returns.cla_folder / "header.csv"), str(returns.cla_folder / "episodes.csv")]
    try:
        done = subprocess.run(
            [str(python), "-c", PEER, *files],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f}"
    if done.returncode != 0:
        return "failed: " + done.stderr.strip().splitlines()[-1][:120]
    return f"{float(done.stdout.strip().splitlines()[-1]):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/cscmonitor-bench-ingest"))
    parser.add_argument("--size", choices=["large", "england", "both"], default="both")
    parser.add_argument("--no-peer", action="store_true", help="Skip csc-validator-be-903.")
    parser.add_argument("--peer-timeout", type=float, default=1800.0)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    large = large_council(args.work)
    sizes = [large] if args.size in ("large", "both") else []
    if args.size in ("england", "both"):
        sizes.append(england(args.work, large))
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start\n")
    print(
        "| returns | size | baseline s | cscmonitor s | CPU s | ratio | target s | peak MB "
        "(all processes) | rows loaded | problems | 903 only: cscmonitor s | "
        "903 only: csc-validator-be-903 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for returns in sizes:
        base = baseline(returns)
        result = measure(returns.paths, args.work)
        alone = measure([returns.cla_folder], args.work)
        peak = max(result["tree_peak_mb"], result["peak_mb"])
        target = TARGETS[returns.name]
        met = "met" if result["seconds"] < target and peak < MEMORY_TARGET_MB else "missed"
        peer_seconds = "skipped" if args.no_peer else peer(returns, args.peer_timeout)
        print(
            f"| {returns.name} | {returns.describe()} | {base:.1f} | {result['seconds']:.1f} | "
            f"{result['tree_cpu']:.1f} | {result['seconds'] / base:.1f}x | {target:.0f} ({met}) | "
            f"{peak:,.0f} | {result['rows']:,} | {result['problems']:,} | "
            f"{alone['seconds']:.1f} | {peer_seconds} |"
        )
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
