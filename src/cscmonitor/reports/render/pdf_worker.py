"""The PDF laid out and written in a second process while this one writes the other formats.

WeasyPrint's layout and drawing take most of the time a report needs to be written in every
format, and they run in one Python thread. When the PDF is written with other formats, a
worker process lays it out and writes it; this process meanwhile writes the HTML and the
workbook, and the Word document, which waits only for the pages its page references name,
found in the worker's layout. The worker is started before the figures are computed, so it
has loaded WeasyPrint by the time the document is ready. The files are the same either way:
the same code lays out an equal document.

The worker is a plain child process (not `multiprocessing`, which would import the caller's
main script again), given this process's import path so it runs the same code. It reads
pickled documents on its standard input and answers each with two pickled replies on its
standard output, the anchors' pages and then the PDF, each `("ok", value)` or
`("error", exception)`; it ends at the end of its input.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import save, write
from cscmonitor.reports.render.paged import anchor_pages, laid_out_elsewhere
from cscmonitor.reports.render.pdf import render_pdf

PDF = "pdf"
# The worker's first lines: this process's import path, then `serve`.
_START = (
    "import sys; sys.path[:] = sys.argv[1:]; "
    "from cscmonitor.reports.render.pdf_worker import serve; serve()"
)


def wanted(formats: Sequence[str]) -> bool:
    """A worker pays when the PDF is written with at least one other format."""
    return PDF in formats and any(f != PDF for f in formats)


class WorkerError(RuntimeError):
    """The worker process ended without answering."""


class PdfWorker:
    """One worker process that lays documents out and writes them as PDF; a context manager,
    so the process ends with the block."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _START, *sys.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self._process.kill()  # its answer is not wanted: do not wait for it
        self._process.communicate()  # closes its input, which ends it

    def _answer(self) -> Any:
        try:
            outcome, value = pickle.load(self._pipe(self._process.stdout))
        except EOFError:
            raise WorkerError(f"the PDF worker ended (exit {self._process.wait()})") from None
        if outcome == "error":
            raise value
        return value

    def _pipe(self, stream: IO[bytes] | None) -> IO[bytes]:
        assert stream is not None, "the worker is started with pipes"
        return stream

    def write(self, document: Document, outputs: Sequence[tuple[str, Path]]) -> list[Path]:
        """Write the document to each (format, path), the PDF by the worker and the others here
        meanwhile; returns the paths in the order given."""
        try:
            pickle.dump(document, self._pipe(self._process.stdin))
            self._pipe(self._process.stdin).flush()
        except BrokenPipeError:
            raise WorkerError(f"the PDF worker ended (exit {self._process.wait()})") from None
        pages: Callable[[], dict[str, int]] = cache(self._answer)
        with laid_out_elsewhere(document, pages):
            here = {n: write(document, f, p) for n, (f, p) in enumerate(outputs) if f != PDF}
        pages()  # the pages come first, whether asked for or not
        pdf: bytes = self._answer()
        return [
            save(pdf, path) if format == PDF else here[n]
            for n, (format, path) in enumerate(outputs)
        ]


def _reply(out: IO[bytes], step: Callable[[Document], object], document: Document) -> None:
    try:
        reply: tuple[str, object] = ("ok", step(document))
    except Exception as error:
        error.add_note(f"in the PDF worker:\n{traceback.format_exc()}")
        try:  # some exceptions pickle but cannot be rebuilt from their arguments
            pickle.loads(pickle.dumps(error))
        except Exception:
            error = RuntimeError(f"in the PDF worker:\n{traceback.format_exc()}")
        reply = ("error", error)
    pickle.dump(reply, out)
    out.flush()


def serve() -> None:
    """The worker: answer each document on standard input until it ends."""
    # Ctrl-C reaches the whole process group: the caller ends the worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The replies get standard output to themselves; anything printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import weasyprint  # noqa: F401  (loaded before the first document arrives)

    # A layout's boxes all live until its PDF is written: the cyclic collector would only
    # scan them over and over (a tenth of the time). Their cycles are freed after each PDF.
    gc.disable()
    while True:
        try:
            document = pickle.load(sys.stdin.buffer)
        except EOFError:
            return
        for step in (anchor_pages, render_pdf):
            _reply(out, step, document)
        gc.collect()
