"""Benchmark: the annual review in all four formats for one council, against one format a run.

    python bench/reports.py                      # the demo in /tmp/cscmonitor-demo (made once)
    python bench/reports.py --data DIR           # an existing demo folder

Four measurements on the same demo data, in the same run, each in a process of its own:

1. *baseline*: four whole `cscmonitor report annual --format F` processes, one per format
   (html, pdf, docx, xlsx), as the command had to be run before `--format all`: each
   reads the sources, computes the figures and lays the document out again; the sum of
   their wall times.
2. *all formats*: one whole `cscmonitor report annual --format all` process: the figures
   computed once (`cscmonitor.figures` through the report's context), the document laid
   out once, written as HTML, PDF, DOCX and XLSX.
3. *one after another*, timed inside a process around each step: importing the report code;
   reading the sources and computing the figures and the document (once); then writing each
   format from that document in turn, as `--format all` did before the PDF had a worker.
4. *the PDF in a worker*, as `--format all` does now (`render.pdf_worker`): the worker
   started before the figures, then the four formats written from the document, the PDF
   by the worker and the others beside it. The target (issue 18 item 4) is the four
   formats in under 5 s after the figures are computed once: this write's wall time.

Timings on a shared machine are noisy: read the ratio to the baseline of the same run.
Prints a markdown table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
DEFAULT_DATA = Path("/tmp/cscmonitor-demo")
FORMATS = ("html", "pdf", "docx", "xlsx")
TARGET_S = 5.0

STEPS = textwrap.dedent(
    """
    import json, sys, time
    from contextlib import nullcontext
    from pathlib import Path
    started = time.perf_counter()
    from cscmonitor.reports.disclosure import Mode
    from cscmonitor.reports.publish import Report, build_document, latest_year, open_sources
    from cscmonitor.reports.render import write
    from cscmonitor.reports.render.pdf_worker import PdfWorker
    from cscmonitor.settings import Settings
    imported = time.perf_counter()
    data, out, how, formats = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
    outputs = [(f, out / f"{how}.{f}") for f in formats]
    # As write_reports does: the worker starts before the figures are computed.
    with PdfWorker() if how == "worker" else nullcontext() as worker:
        settings = Settings(data_dir=data)
        year = latest_year(settings, None)
        with open_sources(settings, year, None) as sources:
            document = build_document(Report.ANNUAL, sources, year, Mode.INTERNAL)
        built = time.perf_counter()
        writes = {}
        if worker is not None:
            worker.write(document, outputs)
            writes["4 formats"] = time.perf_counter() - built
        else:
            for format, path in outputs:
                at = time.perf_counter()
                write(document, format, path)
                writes[format] = time.perf_counter() - at
    print(json.dumps({"imports": imported - started, "figures": built - imported,
                      "writes": writes}))
    """
)


def _env(data: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(SRC), CSCMONITOR_DATA_DIR=str(data / "data"))


def _whole(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"{' '.join(argv[2:])} failed ({done.returncode}): {tail}")
    return seconds


def demo(data: Path) -> Path:
    """The demo's data directory (made once: `cscmonitor demo --out DATA`)."""
    if not (data / "data" / "warehouse").exists():
        argv = [sys.executable, "-m", "cscmonitor", "demo", "--out", str(data)]
        subprocess.run(argv, env=_env(data), check=True, capture_output=True)
    return data


def _steps(data: Path, out: str, how: str, env: dict[str, str]) -> dict[str, object]:
    argv = [sys.executable, "-c", STEPS, str(data / "data"), out, how, *FORMATS]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    steps: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return steps


def measure(data: Path) -> dict[str, object]:
    """Baseline, all formats and the steps inside one process, in seconds."""
    data = demo(data)
    env = _env(data)
    report = [sys.executable, "-m", "cscmonitor", "report", "annual"]
    with tempfile.TemporaryDirectory() as out:
        baseline = {
            f: _whole([*report, "--format", f, "--output", f"{out}/base.{f}"], env) for f in FORMATS
        }
        together = _whole([*report, "--format", "all", "--output", f"{out}/all"], env)
        serial = _steps(data, out, "serial", env)
        worker = _steps(data, out, "worker", env)
    return {"baseline": baseline, "all": together, "serial": serial, "worker": worker}


def rows(result: dict[str, object]) -> list[str]:
    """The report rows of run.py's table."""
    baseline: dict[str, float] = result["baseline"]  # type: ignore[assignment]
    together: float = result["all"]  # type: ignore[assignment]
    serial: dict[str, Any] = result["serial"]  # type: ignore[assignment]
    worker: dict[str, Any] = result["worker"]  # type: ignore[assignment]
    base = sum(baseline.values())
    before = sum(serial["writes"].values())
    after = sum(worker["writes"].values())
    each = ", ".join(f"{f} {s:.1f}" for f, s in baseline.items())
    written = ", ".join(f"{f} {s:.1f}" for f, s in serial["writes"].items())
    met = "met" if after < TARGET_S else "missed"
    return [
        f"| report annual, one process per format (baseline) | demo, 4 formats ({each} s) | "
        f"{base:.1f} | 1.0 x baseline | - | - | - |",
        f"| report annual `--format all` | demo, 4 formats, figures once | {together:.1f} | "
        f"{together / base:.2f} x baseline | - | - | - |",
        f"| report annual, the 4 formats after the figures, one after another | demo ({written}"
        f" s; imports {serial['imports']:.1f} s and figures with the document "
        f"{serial['figures']:.1f} s before them) | {before:.1f} | {before / base:.2f} x "
        f"baseline | - | - | - |",
        f"| report annual, the 4 formats after the figures, the PDF in a worker process | "
        f"demo (figures with the document {worker['figures']:.1f} s before them) | "
        f"{after:.1f} | {after / base:.2f} x baseline, {after / before:.2f} x one after "
        f"another | - | - | < {TARGET_S:.0f} s: {met} |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a demo folder")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    result = measure(args.data)
    print(f"{os.cpu_count()} CPUs; load average {load:.2f} at the start\n")
    print("| measure | input | seconds | ratio to baseline | rows/s | peak MB | target |")
    print("|---|---|---:|---:|---:|---:|---|")
    print("\n".join(rows(result)))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
