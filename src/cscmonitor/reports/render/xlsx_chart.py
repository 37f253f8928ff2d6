"""XLSX charts: a native line chart of the columns a table's figure draws.

The chart reads its figures from the workbook's "Chart data" sheet, where a figure the report
does not show (suppressed as `c`, or no figure held) is a blank cell: a spreadsheet draws text
in a line chart as zero, a blank as a gap, and the tables themselves keep their words.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cscmonitor.reports.document import Table

CHART_DATA = "Chart data"
WIDTH_CM, HEIGHT_CM = 18.0, 8.0
ROWS_TALL = 17  # rows of default height the chart covers, with a margin


@dataclass(frozen=True)
class Drawn:
    """Where one chart's figures lie on the chart-data sheet."""

    header_row: int
    first_row: int
    last_row: int
    columns: int  # the charted columns, after the label column
    number_format: str | None


def write_data(sheet: Worksheet, table: Table) -> Drawn:
    """Append the table's label column and charted columns to the chart-data sheet."""
    indexes = [table.columns.index(name) for name in table.charted]
    sheet.append([])
    sheet.append([table.caption])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([table.columns[0], *table.charted])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    formats = [
        row[i].number_format for row in table.rows for i in indexes if row[i].number is not None
    ]
    for row in table.rows:
        sheet.append([row[0].text, *(row[i].number for i in indexes)])
        for cell, i in zip(sheet[sheet.max_row][1:], indexes, strict=True):
            if row[i].number_format:
                cell.number_format = row[i].number_format
    return Drawn(header, header + 1, sheet.max_row, len(indexes), formats[0] if formats else None)


def line_chart(data: Worksheet, drawn: Drawn, title: str) -> LineChart:
    """The first charted column as a solid line, the others (intervals, limits) dashed."""
    chart = LineChart()
    chart.title = title
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    chart.display_blanks = "gap"
    chart.legend.position = "b"
    values = Reference(
        data,
        min_col=2,
        max_col=1 + drawn.columns,
        min_row=drawn.header_row,
        max_row=drawn.last_row,
    )
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(
        Reference(data, min_col=1, min_row=drawn.first_row, max_row=drawn.last_row)
    )
    for n, series in enumerate(chart.series):
        series.smooth = False
        series.marker.symbol = "circle" if n == 0 else "none"
        line = LineProperties(w=28575 if n == 0 else 12700, prstDash="solid" if n == 0 else "dash")
        series.graphicalProperties = GraphicalProperties(ln=line)
    if drawn.number_format:
        chart.y_axis.number_format = drawn.number_format
    # Without these the axes are left out when Excel draws an openpyxl chart.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"
    return chart
