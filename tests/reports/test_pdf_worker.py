"""The PDF laid out and written by a worker process while this one writes the other formats
(`render.pdf_worker`): the same files as written here one after another, the Word document's
page references taken from the worker's layout, and the worker's errors raised here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
import pytest

from cscmonitor.reports.document import Document, Table
from cscmonitor.reports.render import paged, render
from cscmonitor.reports.render.pdf_worker import PdfWorker, WorkerError, wanted

FORMATS = ("html", "pdf", "docx", "xlsx")


@pytest.fixture(scope="module")
def dated(demo_documents: dict[str, Document]) -> Document:
    """The annual review with a date: every format's bytes are then the same at each render."""
    document = demo_documents["annual"]
    return dataclasses.replace(document, meta=(*document.meta, ("date", "2016-01-29")))


def test_a_worker_is_wanted_for_the_pdf_with_another_format() -> None:
    assert wanted(["html", "pdf"]) and wanted(["pdf", "docx", "xlsx"])
    assert not wanted(["pdf"]) and not wanted(["html", "docx"])


def test_the_worker_writes_the_files_written_here(dated: Document, tmp_path: Path) -> None:
    outputs = [(f, tmp_path / "out" / f"review.{f}") for f in FORMATS]
    with PdfWorker() as worker:
        written = worker.write(dated, outputs)
    assert written == [path for _, path in outputs]
    for format, path in outputs:
        assert path.read_bytes() == render(dated, format), format


def test_the_docx_takes_its_pages_from_the_workers_layout(
    dated: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(document: Document) -> None:
        raise AssertionError("laid out here as well as in the worker")

    expected = render(dated, "docx")  # laid out here, before the refusal
    monkeypatch.setattr(paged, "laid_out", refused)
    outputs = [("docx", tmp_path / "review.docx"), ("pdf", tmp_path / "review.pdf")]
    with PdfWorker() as worker:
        worker.write(dated, outputs)
    assert (tmp_path / "review.docx").read_bytes() == expected
    assert (tmp_path / "review.pdf").read_bytes().startswith(b"%PDF-")


def test_an_error_in_the_worker_is_raised_here(dated: Document, tmp_path: Path) -> None:
    """A table whose cells are not cells fails in the worker's template, and the same error,
    with the worker's traceback as a note, is raised by the write."""
    broken = Table(key="broken", caption="Broken", columns=("A",), rows=(("not a cell",),))  # type: ignore[arg-type]
    document = dataclasses.replace(dated, blocks=(*dated.blocks, broken))
    with PdfWorker() as worker, pytest.raises(jinja2.UndefinedError) as raised:
        worker.write(document, [("pdf", tmp_path / "review.pdf")])
    assert any("in the PDF worker" in note for note in raised.value.__notes__)
    assert not (tmp_path / "review.pdf").exists()


def test_a_worker_that_ended_is_reported(dated: Document, tmp_path: Path) -> None:
    with PdfWorker() as worker:
        worker._process.kill()
        worker._process.wait()
        with pytest.raises(WorkerError, match="the PDF worker ended"):
            worker.write(dated, [("html", tmp_path / "a.html"), ("pdf", tmp_path / "a.pdf")])
