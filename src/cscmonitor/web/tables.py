"""The GOV.UK table component's markup, written in Python.

govuk-frontend-jinja's `govukTable` renders each cell through two macros (its attributes and
a captured block), which made the tables most of a page's time: an indicator page's three
tables took 30 of its 50 ms, explain's 100 rows 50 of 80. This gives the same markup (the
same elements, classes and escaping; tests/web/test_tables.py compares the two) for what the
pages use: a caption and its classes, the table's classes, a head and rows whose cells have
`text` or `html`, `format`, `classes`, `colspan` and `rowspan`, and `firstCellIsHeader`.
`attributes` are refused rather than ignored: a page that needs them uses the macro.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

_MISSING = object()


def _content(cell: Mapping[str, Any]) -> str:
    html = cell.get("html")
    if html:
        return str(html)
    text = cell.get("text", _MISSING)
    return "" if text is _MISSING else str(escape(text))


def _extra(cell: Mapping[str, Any]) -> str:
    if cell.get("attributes"):
        raise ValueError("govukTable here takes no attributes: use govuk_frontend_jinja's macro")
    out = ""
    for name in ("colspan", "rowspan"):
        if cell.get(name):
            out += f' {name}="{escape(cell[name])}"'
    return out


def _classes(base: str, cell: Mapping[str, Any], formatted: bool = True) -> str:
    out = base
    if formatted and cell.get("format"):
        out += f" {base}--{escape(cell['format'])}"
    if cell.get("classes"):
        out += f" {escape(cell['classes'])}"
    return out


def govuk_table(params: Mapping[str, Any]) -> Markup:
    """A GOV.UK table as markup, from the parameters `govukTable` takes (see the module)."""
    if params.get("attributes"):
        raise ValueError("govukTable here takes no attributes: use govuk_frontend_jinja's macro")
    parts = [f'<table class="{_classes("govuk-table", params, formatted=False)}">']
    if params.get("caption"):
        caption_classes = params.get("captionClasses")
        extra = f" {escape(caption_classes)}" if caption_classes else ""
        parts.append(
            f'<caption class="govuk-table__caption{extra}">{escape(params["caption"])}</caption>'
        )
    head: Sequence[Mapping[str, Any]] = params.get("head") or ()
    if head:
        parts.append('<thead class="govuk-table__head"><tr class="govuk-table__row">')
        for item in head:
            parts.append(
                f'<th scope="col" class="{_classes("govuk-table__header", item)}"{_extra(item)}>'
                f"{_content(item)}</th>"
            )
        parts.append("</tr></thead>")
    parts.append('<tbody class="govuk-table__body">')
    row_header = bool(params.get("firstCellIsHeader"))
    for row in params.get("rows") or ():
        if not row:
            continue
        parts.append('<tr class="govuk-table__row">')
        for n, cell in enumerate(row):
            if n == 0 and row_header:
                classes = _classes("govuk-table__header", cell, formatted=False)
                parts.append(
                    f'<th scope="row" class="{classes}"{_extra(cell)}>{_content(cell)}</th>'
                )
            else:
                classes = _classes("govuk-table__cell", cell)
                parts.append(f'<td class="{classes}"{_extra(cell)}>{_content(cell)}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return Markup("\n".join(parts))
