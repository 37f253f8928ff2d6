"""Benchmark: the National Framework pack's context against the quarterly report's.

    python bench/framework_pack.py                  # the demo contract, year 1, quarter 4
    python bench/framework_pack.py --data /tmp/fw   # keep the demo warehouse between runs

Generates the demo's synthetic Doncaster returns into DATA (when absent) and ingests them with
the demo records, then times, in this process and after one unmeasured warm-up of each:

- the baseline: the quarterly report's context (the basket's five indicators, every month
  held for their control charts, one engine call);
- the National Framework pack's context (every registered indicator, the same periods, one
  engine call) and the benchmark-only measures;
- each of the four formats rendered from the pack's document.

Prints a markdown table with each figure's ratio to the baseline measured in the same run.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

DEFAULT_DATA = Path("/tmp/cscmonitor-bench-framework")


def _prepare(root: Path) -> None:
    from cscmonitor.ingest import ingest
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.db import database_url, make_engine, transaction, upgrade
    from cscmonitor.records.yamlio import load_demo
    from cscmonitor.synth import generate

    settings = _settings(root)
    generate(root / "returns", scenario="doncaster-2014", seed=0)
    ingest([root / "returns"], settings, la_code="371")
    engine = make_engine(database_url(settings))
    upgrade(engine)
    with transaction(engine, Actor("bench")) as session:
        load_demo(session)
    engine.dispose()


def _settings(root: Path):  # type: ignore[no-untyped-def]
    from cscmonitor.settings import Settings

    return Settings(data_dir=root / "data", pseudonym_key=SecretStr("bench-not-secret"))


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    root: Path = args.data
    if not (root / "data" / "warehouse").exists():
        _prepare(root)

    from cscmonitor.reports.context.framework import build_framework_context
    from cscmonitor.reports.context.quarterly import build_quarterly_context
    from cscmonitor.reports.context.sources import open_sources
    from cscmonitor.reports.disclosure import Mode
    from cscmonitor.reports.layout.framework import framework_document
    from cscmonitor.reports.render import render

    rows: list[tuple[str, float]] = []
    with open_sources(_settings(root), 1) as sources:

        def quarterly() -> object:
            return build_quarterly_context(sources, 1, 4, Mode.INTERNAL)

        def framework() -> object:
            return build_framework_context(sources, 1, 4, Mode.INTERNAL)

        quarterly(), framework()  # warm: imports, the published tables, the Ofsted workbook
        rows.append(("quarterly context (baseline)", _timed(quarterly)))
        rows.append(("National Framework context", _timed(framework)))
        document = framework_document(build_framework_context(sources, 1, 4, Mode.INTERNAL))
    for format in ("html", "pdf", "docx", "xlsx"):
        rows.append(
            (f"National Framework pack, {format}", _timed(lambda f=format: render(document, f)))
        )
    baseline = rows[0][1]
    print("| step | seconds | × baseline |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / baseline:.2f} |")


if __name__ == "__main__":
    main()
