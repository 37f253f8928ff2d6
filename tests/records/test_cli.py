"""`cscmonitor records`: every command documents itself; errors exit 2 and change nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cscmonitor.records import yamlio
from cscmonitor.records.cli import records_app

runner = CliRunner()


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if hasattr(command, "commands"):  # a group of sub-commands
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(typer.main.get_command(records_app))


def test_the_commands_the_brief_names_exist():
    assert {
        ("init",),
        ("import",),
        ("export",),
        ("load-ofsted",),
        ("list", "contracts"),
        ("list", "inspections"),
        ("list", "actions"),
        ("list", "changes"),
        ("list", "budgets"),
        ("list", "audit"),
        ("change", "move"),
        ("action", "add"),
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path):
    result = runner.invoke(records_app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: Any = typer.main.get_command(records_app)
    for name in path:
        command = command.commands[name]
    assert command.help, f"records {' '.join(path)} has no help text"


@pytest.fixture
def cli(empty_engine, tmp_path, monkeypatch):
    """Run `records …` against the test database, the way a user would."""
    url = empty_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSCMONITOR_DATABASE_URL", url)

    def run(*args: str):
        return runner.invoke(records_app, [*args, "--data-dir", str(tmp_path)])

    return run


def test_a_command_before_init_says_what_to_do(cli):
    result = cli("list", "contracts")
    assert result.exit_code == 2
    assert "run `cscmonitor records init` first" in result.output


def test_set_up_change_and_list_from_the_command_line(cli, empty_engine, tmp_path):
    assert cli("init").exit_code == 0
    imported = cli("import", "doncaster-2014", "--by", "Demo Loader")
    assert imported.exit_code == 0, imported.output
    assert "13 inspections, 3 budgets, 4 change requests" in imported.output

    budgets = cli("list", "budgets", "--format", "csv")
    assert budgets.exit_code == 0, budgets.output
    # The 2014/15 outturn: £196,000 under budget before the risk share, £49,000 after.
    first = next(csv.DictReader(io.StringIO(budgets.output)))
    assert (first["budget"], first["variance"], first["trust_after"]) == (
        "2014/15",
        "-196000",
        "49000",
    )

    refused = cli(
        "change",
        "move",
        "NCR-2016-01",
        "approved",
        "--as",
        "council",
        "--by",
        "Damian Allen",
        "--reason",
        "Too soon",
    )
    assert refused.exit_code == 2
    assert "needs a Statutory Direction" in refused.output

    moved = cli(
        "change",
        "move",
        "NCR-2016-01",
        "direction_requested",
        "--as",
        "council",
        "--by",
        "Damian Allen",
        "--reason",
        "Asked the Secretary of State",
    )
    assert moved.exit_code == 0, moved.output
    assert "now direction_requested" in moved.output
    listed = cli("list", "changes", "--format", "csv")
    assert "NCR-2016-01,service_transfer" in listed.output
    assert "direction_requested" in listed.output

    out = tmp_path / "export.yaml"
    assert cli("export", str(out)).exit_code == 0
    assert "to: direction_requested" in out.read_text()
    assert yamlio.parse(out.read_text(), str(out)).contract.la_code == "371"


def test_action_plan_from_the_command_line(cli):
    cli("init")
    cli("import", "doncaster-2014")
    inspections = cli("list", "inspections", "--format", "csv")
    sif = next(line for line in inspections.output.splitlines() if ",SIF," in line)
    sif_id = sif.split(",")[0]
    added = cli(
        "action",
        "add",
        sif_id,
        "--action",
        "Audit case files",
        "--owner",
        "Trust",
        "--due",
        "2016-02-01",
        "--recommendation",
        "2",
    )
    assert added.exit_code == 0, added.output
    action_id = added.output.split()[1]
    overdue = cli("list", "actions", "--overdue", "--on", "2016-03-01", "--format", "csv")
    assert "Audit case files" in overdue.output
    assert "OVERDUE" in overdue.output
    done = cli(
        "action",
        "progress",
        action_id,
        "--note",
        "Done",
        "--status",
        "complete",
        "--on",
        "2016-02-20",
        "--by",
        "Owner",
    )
    assert done.exit_code == 0, done.output
    assert "complete" in done.output
    overdue = cli("list", "actions", "--overdue", "--on", "2016-03-01", "--format", "csv")
    assert "Audit case files" not in overdue.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("action", "add", "1", "--action", "A", "--owner", "O", "--due", "2016-02-30"),
            "--due must be a date",
        ),
        (
            (
                "action",
                "add",
                "1",
                "--action",
                "A",
                "--owner",
                "O",
                "--due",
                "2016-02-01",
                "--recommendation",
                "99",
            ),
            "no recommendation 99",
        ),
        (
            ("action", "add", "99999", "--action", "A", "--owner", "O", "--due", "2016-02-01"),
            "no inspection 99999",
        ),
        (
            (
                "finance",
                "forecast",
                "2015/16",
                "--quarter",
                "3",
                "--spend",
                "-1",
                "--as-at",
                "2015-12-31",
            ),
            "wrong sign",
        ),
        (("finance", "outturn", "2099/00", "--spend", "1"), "no budget '2099/00'"),
        (
            ("change", "move", "NCR-2016-03", "approved", "--as", "mayor", "--reason", "x"),
            "acting party 'mayor'",
        ),
        (
            (
                "commentary",
                "REREF_12M",
                "--period",
                "2015-10-01:2016-09-30",
                "--text",
                "t",
                "--as",
                "board",
            ),
            "author role 'board'",
        ),
        (("import", "doncaster-2014"), "already held"),
    ],
)
def test_errors_exit_2_with_a_message_and_change_nothing(cli, records_counts, args, message):
    before = records_counts()
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert records_counts() == before


@pytest.fixture
def records_counts(cli, empty_engine):
    from tests.records.conftest import Records

    cli("init")
    cli("import", "doncaster-2014")
    return Records(empty_engine).counts


def test_ofsted_outcomes_from_the_command_line(cli):
    cli("init")
    loaded = cli("load-ofsted")
    assert loaded.exit_code == 0, loaded.output
    assert "331 inspections" in " ".join(loaded.output.split())
    again = cli("load-ofsted")
    assert "already held" in again.output
    doncaster = cli("list", "inspections", "--la", "371", "--format", "csv")
    assert doncaster.output.count("Doncaster") == 3
