"""The validation report of an ingest: a summary per file and table, and every problem.

Written as CSV (`<name>.csv` holds the problems, `<name>-summary.csv` the summary) and
as one XLSX workbook with a summary sheet and the problems; a sheet holds at most
1,048,575 problems, so a larger report continues on further sheets and loses nothing.
The workbook is written directly (Office Open XML, inline strings), whole columns at a
time: a row-by-row writer takes minutes for a national report. Every value is text or a
number, never a formula, whatever a return held.
For every file and table, rows read = rows loaded + rows rejected.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cscmonitor.returns.columns import cursor
from cscmonitor.returns.issues import PROBLEM_COLUMNS, Problems
from cscmonitor.returns.parsed import Parsed

SUMMARY_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("table", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("errors", pa.int64()),
        ("warnings", pa.int64()),
    ]
)
XLSX_ROWS = 1_048_575  # Excel's rows per sheet, less the header


def summary(parsed: Sequence[Parsed], problems: Problems | pa.Table) -> pa.Table:
    """Rows read, loaded and rejected, errors and warnings (every one, listed or not), per
    file and table."""
    if isinstance(problems, pa.Table):
        problems = Problems([problems])
    counts = pa.Table.from_pylist(
        [
            {
                "file": c.file,
                "table": c.table,
                "rows_read": c.read,
                "rows_loaded": c.loaded,
                "rows_rejected": c.rejected,
            }
            for p in parsed
            for c in p.counts()
        ],
        schema=pa.schema([f for f in SUMMARY_SCHEMA if f.name not in ("errors", "warnings")]),
    )
    found = pa.Table.from_pylist(
        [
            {"file": file, "table": table, "severity": severity, "n": n}
            for (file, table, _rule, severity), n in problems.counts().items()
        ],
        schema=pa.schema(
            [
                ("file", pa.string()),
                ("table", pa.string()),
                ("severity", pa.string()),
                ("n", pa.int64()),
            ]
        ),
    )
    con = cursor()  # the shared database: a new one costs 25 MB
    try:
        con.register("counts", counts)
        con.register("problems", found)
        return (
            con.sql(
                'WITH found AS (SELECT file, "table", '
                "coalesce(sum(n) FILTER (WHERE severity = 'error'), 0) AS errors, "
                "coalesce(sum(n) FILTER (WHERE severity = 'warning'), 0) AS warnings "
                "FROM problems GROUP BY ALL) "
                'SELECT coalesce(c.file, f.file) AS file, coalesce(c."table", f."table") '
                'AS "table", coalesce(c.rows_read, 0) AS rows_read, '
                "coalesce(c.rows_loaded, 0) AS rows_loaded, "
                "coalesce(c.rows_rejected, 0) AS rows_rejected, coalesce(f.errors, 0) AS errors, "
                "coalesce(f.warnings, 0) AS warnings FROM counts c FULL JOIN found f "
                'ON c.file = f.file AND c."table" = f."table" ORDER BY 1, 2'
            )
            .to_arrow_table()
            .cast(SUMMARY_SCHEMA)
        )
    finally:
        con.close()


def write(directory: Path, name: str, summary: pa.Table, problems: pa.Table) -> tuple[Path, Path]:
    """The report as CSV and XLSX files in `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = directory / f"{name}.csv"
    pacsv.write_csv(problems.select(PROBLEM_COLUMNS), csv_path)
    pacsv.write_csv(summary, directory / f"{name}-summary.csv")
    xlsx_path = directory / f"{name}.xlsx"
    _write_xlsx(xlsx_path, summary, problems.select(PROBLEM_COLUMNS))
    return csv_path, xlsx_path


def _write_xlsx(path: Path, summary: pa.Table, problems: pa.Table) -> None:
    """A workbook of inline-string sheets, built column-wise (a row at a time is far slower)."""
    sheets = [("summary", _sheet_xml(summary))]
    parts = max(1, -(-problems.num_rows // XLSX_ROWS))
    for i in range(parts):
        part = problems.slice(i * XLSX_ROWS, XLSX_ROWS)
        sheets.append(("problems" if i == 0 else f"problems {i + 1}", _sheet_xml(part)))
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _workbook([title for title, _ in sheets]))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
        for n, (_title, xml) in enumerate(sheets, start=1):
            book.writestr(f"xl/worksheets/sheet{n}.xml", xml)
    tmp.replace(path)


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cells(column: pa.ChunkedArray | pa.Array, letter: str, rows: pa.Array) -> pa.Array:
    """One cell element per row: numbers as numbers; text inline, escaped, never a formula."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    refs = pc.binary_join_element_wise(f'<c r="{letter}', rows, "")
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        value = pc.fill_null(column.cast(pa.string()), "")
        return pc.binary_join_element_wise(refs, '"><v>', value, "</v></c>", "")
    text = pc.fill_null(column.cast(pa.string()), "")
    # XML 1.0 cannot hold most control characters; a workbook cannot either.
    text = pc.replace_substring_regex(text, r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return pc.binary_join_element_wise(
        refs, '" t="inlineStr"><is><t xml:space="preserve">', text, "</t></is></c>", ""
    )


def _sheet_xml(table: pa.Table) -> str:
    n = table.num_rows
    numbers = pa.array(range(2, n + 2), pa.int64()).cast(pa.string())
    header = "".join(
        f'<c r="{_column_letter(i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(table.column_names, start=1)
    )
    rows = [f'<row r="1">{header}</row>']
    if n:
        cells = [
            _cells(table[name], _column_letter(i), numbers)
            for i, name in enumerate(table.column_names, start=1)
        ]
        opened = pc.binary_join_element_wise('<row r="', numbers, '">', "")
        rows.append(_concatenated(pc.binary_join_element_wise(opened, *cells, "</row>", "")))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def _concatenated(strings: pa.Array) -> str:
    """Every string of an array, one after another: the array's own data buffer."""
    strings = strings.cast(pa.large_string())
    offsets = memoryview(strings.buffers()[1]).cast("q")  # the int64 offsets, not copied
    first, last = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return strings.buffers()[2].to_pybytes()[first:last].decode("utf-8")


_MAIN = "http://schemas.openxmlformats.org"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_MAIN}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_MAIN}/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{_MAIN}/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{title}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}/spreadsheetml/2006/main" '
        f'xmlns:r="{_MAIN}/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_MAIN}/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = (
        f'<Relationship Id="rId{sheets + 1}" Type="{_MAIN}/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_MAIN}/package/2006/relationships">{links}{styles}'
        "</Relationships>"
    )
