"""Renderers keyed by format: each turns a `Document` into the bytes of one file.

Built-in formats register through `register`, the same way another format would; a new
format is one module here and one line in `load_builtin`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cscmonitor.reports.document import Document

Render = Callable[[Document], bytes]


@dataclass(frozen=True)
class Renderer:
    format: str
    suffix: str
    media_type: str
    render: Render


RENDERERS: dict[str, Renderer] = {}
# The built-in formats in the order they are listed and written; others follow as registered
# (the registry's own order is whichever module some import loaded first).
BUILTIN = ("html", "docx", "pdf", "xlsx")


def register(format: str, suffix: str, media_type: str) -> Callable[[Render], Render]:
    """Register a renderer for a format (e.g. `pdf`, `.pdf`)."""

    def add(render: Render) -> Render:
        if format in RENDERERS:
            raise ValueError(f"a renderer for {format} is registered twice")
        RENDERERS[format] = Renderer(format, suffix, media_type, render)
        return render

    return add


def load_builtin() -> None:
    """Import the built-in renderers, whose decorators fill the registry."""
    from cscmonitor.reports.render import docx, html, pdf, xlsx  # noqa: F401


def formats() -> list[str]:
    load_builtin()
    return [*BUILTIN, *(f for f in RENDERERS if f not in BUILTIN)]


def renderer(format: str) -> Renderer:
    load_builtin()
    try:
        return RENDERERS[format]
    except KeyError:
        raise KeyError(f"no renderer for {format!r}; formats: {', '.join(RENDERERS)}") from None


def render(document: Document, format: str) -> bytes:
    return renderer(format).render(document)


def save(data: bytes, path: str | Path) -> Path:
    """Write a rendered file to `path`, creating its folder; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def write(document: Document, format: str, path: str | Path) -> Path:
    """Render the document in `format` to `path`, creating its folder; returns the path."""
    return save(render(document, format), path)
