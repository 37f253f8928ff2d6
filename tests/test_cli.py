"""The command line: every command documents itself; the generated reference is current."""

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cscmonitor.cli import app
from cscmonitor.indicators.reference import reference_markdown
from cscmonitor.indicators.registry import all_indicators

runner = CliRunner()


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the CLI, as the words that invoke it."""
    found = [prefix] if prefix else []
    if hasattr(command, "commands"):  # a group (typer vendors its own click)
        for name, sub in command.commands.items():
            found += _paths(sub, (*prefix, name))
    return found


ROOT = typer.main.get_command(app)
COMMANDS = _paths(ROOT)


def test_every_stage_is_a_command():
    top = {path[0] for path in COMMANDS}
    assert {"synth", "ingest", "compute", "assess", "report", "demo", "indicators"} <= top
    assert {"benchmark", "benchmarks", "records"} <= top


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = ROOT
    for word in path:
        command = command.commands[word]  # type: ignore[attr-defined]
    assert command.help, f"cscmonitor {' '.join(path)} has no help text"


def test_reference_page_is_current():
    page = Path(__file__).parents[1] / "docs" / "indicators.md"
    assert page.read_text() == reference_markdown(), (
        "docs/indicators.md is stale: run `cscmonitor indicators --reference > docs/indicators.md`"
    )


def test_every_indicator_has_a_known_answer_test():
    tests = Path(__file__).parent / "indicators"
    text = "\n".join(p.read_text() for p in tests.glob("test_*.py"))
    missing = [i.code for i in all_indicators() if f'"{i.code}"' not in text]
    assert not missing, f"no known-answer test names {missing}"


def test_compute_writes_csv(tmp_path, settings):
    from tests.conftest import DATA

    data_dir = str(settings.data_dir)
    ingested = runner.invoke(
        app, ["ingest", str(DATA / "workforce"), "--la", "999", "--data-dir", data_dir]
    )
    assert ingested.exit_code == 0, ingested.output
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "compute",
            "--data-dir",
            data_dir,
            "--period",
            "2014-10-01:2015-09-30",
            "--indicator",
            "SW_AGENCY",
            "--format",
            "csv",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == (
        "indicator,la_code,period_start,period_end,numerator,denominator,value,"
        "ci_lower,ci_upper,status"
    )
    assert lines[1].startswith("SW_AGENCY,999,2014-10-01,2015-09-30,1.4,6.4,21.875,")
    assert lines[1].endswith(",ok")


def test_compute_refuses_a_bad_period(settings):
    result = runner.invoke(
        app, ["compute", "--data-dir", str(settings.data_dir), "--period", "2015-13-01:2016-01-01"]
    )
    assert result.exit_code == 2
    assert "is not START:END" in result.output
