"""XLSX: the data appendix, one sheet per table, numbers as numbers, the marking on each sheet."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import register
from cscmonitor.reports.render.stamp import document_time, restamp

MAX_SHEET_NAME = 31


def sheet_names(keys: list[str]) -> list[str]:
    """Unique sheet names Excel accepts (31 characters, none of []:*?/\\)."""
    names: list[str] = []
    for key in keys:
        base = re.sub(r"[\[\]:*?/\\]", "-", key)[:MAX_SHEET_NAME] or "table"
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            suffix = f"-{n}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            n += 1
        names.append(name)
    return names


@register("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def render_xlsx(document: Document) -> bytes:
    book = Workbook()
    tables = document.tables()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, table in zip(sheet_names([t.key for t in tables]), tables, strict=True):
        sheet = book.create_sheet(name)
        sheet.append([document.title])
        sheet.append([document.marking])
        sheet.append([table.caption])
        sheet.append([])
        sheet.append(list(table.columns))
        for cell in sheet[1] + sheet[2] + sheet[5]:
            cell.font = bold
        for row in table.rows:
            sheet.append([c.number if c.number is not None else c.text for c in row])
            for target, source in zip(sheet[sheet.max_row], row, strict=False):
                if source.number is not None and source.number_format:
                    target.number_format = source.number_format
        for note in table.notes:
            sheet.append([note])
        sheet.freeze_panes = "B6" if table.row_headers else "A6"
        for i, column in enumerate(table.columns, start=1):
            widest = max([len(column), *(len(r[i - 1].text) for r in table.rows)], default=10)
            sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 10), 60)
    if not tables:
        sheet = book.create_sheet("report")
        sheet.append([document.title])
        sheet.append([document.marking])
        sheet.append(["This report holds no tables."])
    out = io.BytesIO()
    book.save(out)
    when = document_time(document)
    return out.getvalue() if when is None else restamp(out.getvalue(), when)
