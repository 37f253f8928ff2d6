"""The command line: every command documents itself; the generated reference is current."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cscmonitor.cli import COMMANDS, app, load
from cscmonitor.commands.demo import next_steps
from cscmonitor.indicators.reference import reference_markdown
from cscmonitor.indicators.registry import all_indicators

runner = CliRunner()


def _paths(command: Any, prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    """A command and its sub-commands, as the words that invoke them."""
    found = [(prefix, command)]
    for name, sub in getattr(command, "commands", {}).items():  # a group of sub-commands
        found += _paths(sub, (*prefix, name))
    return found


PATHS = [found for name in COMMANDS for found in _paths(load(name), (name,))]
# What `--help` shows when typer is left to name a value's type (the words a user sees
# instead should say what to type: DIR, CODE, YYYY-MM-DD).
TYPE_NAMES = ("<bool>", "<list[", "<int", "<str>", "<text>", "<path>", "<float>", "<%", "<date")


def test_every_stage_is_a_command():
    assert {"synth", "ingest", "compute", "assess", "report", "demo", "indicators"} <= set(COMMANDS)
    assert {"benchmark", "benchmarks", "records", "serve", "users"} <= set(COMMANDS)


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[" ".join(p) for p, _ in PATHS])
def test_every_command_has_help_without_type_names(path, command):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"cscmonitor {' '.join(path)} has no help text"
    shown = [name for name in TYPE_NAMES if name in result.output]
    assert not shown, f"cscmonitor {' '.join(path)} --help shows {shown}"


@pytest.mark.parametrize("name", COMMANDS)
def test_the_listed_summary_is_the_commands_own(name):
    # `cscmonitor --help` lists the registry's summary without importing the command.
    assert COMMANDS[name].summary == load(name).help.strip().splitlines()[0]


# What a command must not load just to show its help: the libraries of its work, Rich, which
# only its output needs, and pydantic, which Typer 0.29 loads to read any option (pinned out).
HEAVY = (
    "pydantic",
    "pandas",
    "numpy",
    "ibis",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "pyarrow",
    "duckdb",
    "weasyprint",
    "pydantic_settings",
    "yaml",
    "rich",
)


def _imported_by_help(words: list[str]) -> list[str]:
    script = (
        "import sys, json\n"
        "from cscmonitor.cli import app\n"
        "try:\n"
        f"    app({[*words, '--help']!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
    )
    src = str(Path(__file__).parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "words", [[], *([name] for name in COMMANDS)], ids=lambda words: " ".join(words) or "cscmonitor"
)
def test_help_imports_no_library_the_command_does_not_need(words):
    assert _imported_by_help(words) == []


def test_the_records_database_guards_are_installed_by_db_alone():
    # records/__init__ no longer imports the audit trail (so `records --help` stays light):
    # `db`, where every engine and transaction is made, must install it and the guard on
    # signed editions, or a write could escape the trail.
    script = (
        "import sys\n"
        "from sqlalchemy import event\n"
        "from sqlalchemy.orm import Session\n"
        "import cscmonitor.records.db\n"
        "audit = sys.modules['cscmonitor.records.audit']\n"
        "editions = sys.modules['cscmonitor.records.editions']\n"
        "print(event.contains(Session, 'after_flush', audit._write_entries),\n"
        "      event.contains(Session, 'before_flush', editions._refuse_changes_to_signed))\n"
    )
    src = str(Path(__file__).parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert run.stdout.split() == ["True", "True"]


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


def _ingested(settings) -> str:
    """The test workforce return of LA 999 ingested; the data directory, for --data-dir."""
    from tests.conftest import DATA

    data_dir = str(settings.data_dir)
    ingested = runner.invoke(
        app, ["ingest", str(DATA / "workforce"), "--la", "999", "--data-dir", data_dir]
    )
    assert ingested.exit_code == 0, ingested.output
    return data_dir


def test_compute_writes_csv(tmp_path, settings):
    data_dir = _ingested(settings)
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
            "sw_agency",  # codes are upper case in the registry; any case is accepted
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


def _one_line_error(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    "period",
    [
        "2014-10:2015-09",  # months, not dates
        "2015-13-01:2016-01-01",  # no month 13
        "2014-10-01",  # no end
        "2014-10-01..2015-09-30",  # not a colon
    ],
)
def test_compute_says_what_a_period_should_be(settings, period):
    line = _one_line_error(["compute", "--data-dir", str(settings.data_dir), "--period", period])
    assert line == (
        f"error: --period wants YYYY-MM-DD:YYYY-MM-DD (e.g. 2014-10-01:2015-09-30), not {period!r}"
    )


def test_compute_names_a_period_that_ends_before_it_starts(settings):
    line = _one_line_error(
        ["compute", "--data-dir", str(settings.data_dir), "--period", "2015-09-30:2014-10-01"]
    )
    assert line == (
        "error: --period 2015-09-30:2014-10-01: "
        "period ends (2014-10-01) before it starts (2015-09-30)"
    )


def test_a_bad_series_date_is_one_line(settings):
    line = _one_line_error(
        ["compute", "--period-series", "quarterly", "--from", "2014-13", "--to", "2015-03-31"]
    )
    assert (
        "Invalid value for '--from': wants a date YYYY-MM-DD (e.g. 2015-03-31), not '2014-13'"
        in line
    )


def test_an_unknown_command_is_one_line():
    assert _one_line_error(["comptue"]).startswith("error: No such command 'comptue'")


def test_explain_accepts_a_code_in_any_case(settings):
    data_dir = _ingested(settings)
    period = "2014-10-01:2015-09-30"
    explain = ["--la", "999", "--explain", "Sw_Agency", "--format", "csv"]
    result = runner.invoke(app, ["compute", "--data-dir", data_dir, "--period", period, *explain])
    assert result.exit_code == 0, result.output
    assert "SW_AGENCY —" in result.output


def test_serve_on_a_busy_port_is_one_line_and_starts_nothing(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data")]
        )
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: 127.0.0.1:{port} is in use (is cscmonitor already serving? stop it, or "
        "choose another --port)"
    )
    assert not (tmp_path / "data").exists()  # no database made, no app started


def test_demo_prints_runnable_commands_and_labelled_sign_ins(tmp_path):
    text = next_steps(
        tmp_path / "report.html",
        tmp_path / "my data",
        [("admin", "admin", "s3cret-one"), ("trust_analyst", "analyst", "two")],
        "/opt/venv/bin/cscmonitor",
    )
    data = tmp_path.resolve() / "my data"
    assert text.splitlines() == [
        f"Report: {tmp_path.resolve() / 'report.html'}",
        f"Web app: /opt/venv/bin/cscmonitor serve --data-dir '{data}'",
        "         then open http://127.0.0.1:8000/",
        "Demo sign-ins (development only):",
        "  role           username  password",
        "  admin          admin     s3cret-one",
        "  trust_analyst  analyst   two",
    ]


def test_a_setting_that_cannot_be_used_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("CSCMONITOR_WAREHOUSE_LAYOUT", "heap")
    line = _one_line_error(["snapshots", "--data-dir", str(tmp_path)])
    assert line == "error: CSCMONITOR_WAREHOUSE_LAYOUT='heap': Input should be 'files' or 'lake'"
