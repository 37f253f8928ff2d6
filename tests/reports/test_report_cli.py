"""The `report` commands: each report and format from the command line, and clear refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cscmonitor.reports.cli import report_app
from cscmonitor.reports.disclosure import Mode, marking
from cscmonitor.settings import Settings

runner = CliRunner()


def test_quarterly_xlsx(demo_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "q.xlsx"
    result = runner.invoke(
        report_app,
        [
            "quarterly",
            "--contract-year",
            "1",
            "--quarter",
            "4",
            "--format",
            "xlsx",
            "--output",
            str(out),
            "--data-dir",
            str(demo_settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0]["A2"].value == marking(Mode.INTERNAL)


def test_corporate_parenting_html_for_publication(demo_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "cp.html"
    result = runner.invoke(
        report_app,
        [
            "corporate-parenting",
            "--contract-year",
            "1",
            "--publish",
            "--output",
            str(out),
            "--data-dir",
            str(demo_settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count(marking(Mode.PUBLICATION)) >= 2


def test_summary_still_written(demo_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "summary.html"
    result = runner.invoke(
        report_app, ["summary", "--output", str(out), "--data-dir", str(demo_settings.data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "REREF_12M" in out.read_text(encoding="utf-8")


def test_unknown_format_is_refused(demo_settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(
        report_app,
        [
            "annual",
            "--format",
            "odt",
            "--output",
            str(tmp_path / "a.odt"),
            "--data-dir",
            str(demo_settings.data_dir),
        ],
    )
    assert result.exit_code == 2
    assert "no renderer for 'odt'" in result.output and "pdf" in result.output
    assert not (tmp_path / "a.odt").exists()


def test_quarterly_needs_a_quarter(demo_settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(report_app, ["quarterly", "--output", str(tmp_path / "q.html")])
    assert result.exit_code == 2


def test_several_formats_from_one_computation(
    demo_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two formats in one command: the document (and its figures) is built once."""
    from cscmonitor.reports import publish

    built = []
    build = publish.build_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(args[0])
        return build(*args, **kwargs)

    monkeypatch.setattr(publish, "build_document", counted)
    result = runner.invoke(
        report_app,
        [
            "annual",
            "--format",
            "html,xlsx",
            "--output",
            str(tmp_path / "review"),
            "--data-dir",
            str(demo_settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert built == ["annual"]
    assert (tmp_path / "review.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert load_workbook(tmp_path / "review.xlsx").worksheets[0]["A2"].value == marking(
        Mode.INTERNAL
    )


def test_all_formats_each_beside_the_output(tmp_path: Path) -> None:
    from cscmonitor.reports.publish import outputs_for

    assert outputs_for("pdf", tmp_path / "a.pdf") == [("pdf", tmp_path / "a.pdf")]
    assert outputs_for("all", tmp_path / "review") == [
        ("html", tmp_path / "review.html"),
        ("docx", tmp_path / "review.docx"),
        ("pdf", tmp_path / "review.pdf"),
        ("xlsx", tmp_path / "review.xlsx"),
    ]
    with pytest.raises(KeyError, match="no renderer for 'odt'"):
        outputs_for("html,odt", tmp_path / "review")
