"""HTML: one self-contained page (styles inline, charts as data URIs), accessible by design."""

from __future__ import annotations

import base64
from functools import cache

import jinja2

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import register

TEMPLATE = "document.html.j2"


def _kind(block: object) -> str:
    return type(block).__name__.lower()


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cscmonitor.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["kind"] = _kind
    environment.filters["base64"] = _base64
    return environment


def html_text(document: Document, *, paged: bool = False) -> str:
    """The document as HTML; `paged` adds the print layout (running marking, page references)."""
    return _environment().get_template(TEMPLATE).render(d=document, paged=paged)


@register("html", ".html", "text/html")
def render_html(document: Document) -> bytes:
    return html_text(document).encode("utf-8")
