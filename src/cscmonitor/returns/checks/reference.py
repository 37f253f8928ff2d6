"""The validation reference page (docs/validation.md), generated from the rules and code lists.

python -m cscmonitor.returns.checks.reference > docs/validation.md
"""

from __future__ import annotations

from cscmonitor.returns.catalog import TABLES
from cscmonitor.returns.checks.rule import RULES
from cscmonitor.returns.codes import CHECKED_YEARS, LISTS

KINDS = {
    "ssda903": "SSDA903",
    "cin": "CIN census",
    "workforce": "Workforce",
    "early_help": "Early help",
    "virtual_school": "Virtual school",
}

INTRO = """\
# Validation

`cscmonitor ingest` checks every return it reads and lists every problem it finds as one
row of the validation report: the file, the row (CSV: `row 12`, the header being row 1) or
XML path (`Message/Children/Child[3]/CINdetails[2]`), the field, the value, the rule code,
the severity (`error` or `warning`) and a message. Nothing is dropped without a row saying
why:

- A cell that is not of its type (a date, a number, a boolean) or not in its code list is
  **loaded blank** and listed; the rest of the row loads.
- A row whose key (the child, the date that identifies the record) is blank or unreadable
  is **rejected** and listed. For every file and table, rows read = rows loaded + rows
  rejected.
- A file that cannot be read at all is listed (`FILE_UNREADABLE`) and the other files load.
  `cscmonitor ingest` exits non-zero only when nothing at all could be loaded.
- A cross-field rule (below) lists the rows it finds and loads them as they are: which of
  two dates is wrong is for the council to say.
- A rule that fails on odd data reports `could not check RULE: reason` for the file, as a
  warning, and the other rules still run.

The report is written to `DATA_DIR/reports/ingest-<snapshot>.csv` (every problem),
`ingest-<snapshot>-summary.csv` (rows read, loaded and rejected, errors and warnings per
file and table) and `ingest-<snapshot>.xlsx` (both, as sheets; a report longer than a
sheet continues on further sheets). An ingest that changed nothing writes
`ingest-<snapshot>-again-<time>`, one that loaded nothing `ingest-failed-<time>`.
Child and worker ids in the report are already pseudonymised, and UPN and name fields are
never read, so never quoted; other values are quoted as found, so the report is as
sensitive as the returns and stays in the data directory.

Rules are declared objects (code, return, severity, message, the tables read, and a DuckDB
query over the parsed tables) registered in `cscmonitor.returns.checks`; a new rule is one
`register(Rule(...))` call and one hand-worked case in `tests/returns/test_rules.py`.
This page is generated from the registry:
`python -m cscmonitor.returns.checks.reference > docs/validation.md`.

## Problems found while reading

| Code | Severity | What it means |
|---|---|---|
| `FILE_UNREADABLE` | error | The file could not be read: empty, binary, not well-formed, a DTD or entities (refused), over a size limit, not a return cscmonitor recognises, or its LA or year unknown. |
| `ROW_SHAPE` | error | A CSV row with more or fewer cells than the header; not loaded. |
| `COLUMN_MISSING` | error | A column the table needs is not in the file. |
| `COLUMNS_IGNORED` | warning | Columns that are not part of the table (their names are listed, never their values). |
| `KEY_MISSING` | error | The row's key is blank or unreadable; the row is rejected. |
| `VALUE_MISSING` | error | A value the return requires is blank; the row loads. |
| `DATE_FORMAT` | error | Not a date between 1900 and 2099. Read: `dd/mm/yyyy`, `yyyy-mm-dd`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy/mm/dd`, `01-Feb-2015`, `1 February 2015`, a date followed by a time (`01/02/2015 00:00:00`), and Excel serial numbers (10000 to 80000). Two-digit years are refused. |
| `NUMBER_FORMAT` | error | Not a number (or not a whole number where one is needed). |
| `BOOLEAN_FORMAT` | error | Not `true`/`false`, `1`/`0`, `Y`/`N` or `yes`/`no`. |
| `CODE_UNKNOWN` | error | Not a code of the field's code list in any year; loaded blank. |
| `CODE_YEAR` | warning | A code of the field's list, but not in the return's year; loaded as given. |
| `XML_UNKNOWN_ELEMENT` | warning | An element that is not part of the return; listed once per name with a count and its first place. |
| `XML_REPEATED` | warning | An element given twice where the return has one; the last is loaded. |
| `XML_STRAY_TEXT` | warning | Text outside any element (as in `<UPNunknown>UN3</UPNunknown>PersonBirthDate`); ignored. |

Structural XML problems of one kind are listed up to 100 times per file; the rest are
counted in one further row.
"""  # noqa: E501 - a markdown table row cannot be wrapped


def validation_markdown() -> str:
    """The whole page: the reading problems, the rules, and the code lists with their years."""
    lines = [INTRO, "## Cross-field rules", ""]
    counts = {kind: sum(r.kind == kind for r in RULES.values()) for kind in KINDS}
    lines.append(
        f"{len(RULES)} rules: "
        + ", ".join(
            f"{counts[k]} {name if k in ('ssda903', 'cin') else name.lower()}"
            for k, name in KINDS.items()
        )
        + "."
    )
    lines += ["", "| Code | Return | Severity | Tables | Message |", "|---|---|---|---|---|"]
    for kind in KINDS:
        for rule in sorted((r for r in RULES.values() if r.kind == kind), key=lambda r: r.code):
            tables = ", ".join(f"`{t}`" for t in rule.tables)
            message = rule.message.replace("|", "\\|")
            lines.append(
                f"| `{rule.code}` | {KINDS[kind]} | {rule.severity} | {tables} | {message} |"
            )
    lines += [
        "",
        "## Code lists",
        "",
        f"Codes are checked against the return's year from {CHECKED_YEARS.start} to "
        f"{CHECKED_YEARS.stop - 1}, the years the DfE guides cover; outside those years any "
        "code of the list is accepted. Codes are compared in upper case.",
        "",
        "| List | Used by | Codes |",
        "|---|---|---|",
    ]
    users: dict[str, list[str]] = {}
    for spec in TABLES.values():
        for column in spec.columns:
            if column.codes is not None:
                users.setdefault(column.codes, []).append(f"`{spec.name}.{column.name}`")
    for name, codes in sorted(LISTS.items()):
        always = [c for c in codes.known() if codes.years(c) == "all years"]
        bounded = [f"{c} ({codes.years(c)})" for c in codes.known() if c not in always]
        fields = ", ".join(users.get(name, []))
        lines.append(f"| `{name}` | {fields} | {', '.join([*always, *bounded])} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(validation_markdown(), end="")
