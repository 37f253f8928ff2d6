"""The validation reference page (docs/validation.md), generated from the rules and code lists.

python -m cscmonitor.returns.checks.reference > docs/validation.md
"""

from __future__ import annotations

from cscmonitor.returns.catalog import FORMATS, TABLES
from cscmonitor.returns.checks.rule import RULES
from cscmonitor.returns.codes import CHECKED_YEARS, LISTS
from cscmonitor.returns.issues import Reading

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
- A file that cannot be read at all is listed (`FILE_UNREADABLE`) and the other files load,
  except that a return already held is replaced only by a whole return: one that lacks a
  table the held return has, or has an unreadable file beside it, is refused, nothing is
  stored and `cscmonitor ingest` exits 1 (`--partial` replaces only the tables given; see
  docs/warehouse.md). Otherwise `cscmonitor ingest` exits non-zero only when nothing at all
  could be loaded.
- A cross-field rule (below) lists the rows it finds and loads them as they are: which of
  two dates is wrong is for the council to say.
- A rule that fails on odd data reports `could not check RULE: reason` for the file, as a
  warning, and the other rules still run.
- As a validator does, the report lists at most 1,000 problems of each rule per file
  (`CSCMONITOR_MAX_PROBLEMS_PER_RULE`), the first in the report's order; one `NOT_LISTED`
  row says how many more there are. The summary's errors and warnings count every
  problem, listed or not, so a file with ten million bad rows still gives a report of a
  few thousand rows.

The report is written to `DATA_DIR/reports/ingest-<snapshot>.csv` (the problems listed),
`ingest-<snapshot>-summary.csv` (rows read, loaded and rejected, errors and warnings per
file and table) and `ingest-<snapshot>.xlsx` (both, as sheets; a report longer than a
sheet continues on further sheets). An ingest that changed nothing writes
`ingest-<snapshot>-again-<time>`, one that loaded nothing `ingest-failed-<time>`.
Child and worker ids in the report are already pseudonymised, and UPN and name fields are
never read, so never quoted; other values are quoted as found, so the report is as
sensitive as the returns and stays in the data directory.

Each return format is one module in `cscmonitor/returns/` declaring a `ReturnFormat`: its
kind (`ReturnKind`), how its files are recognised (XML root element, or CSV columns) and
parsed, the warehouse tables it writes, the tables a whole return needs, and its rules.
The formats are registered in `cscmonitor.returns.catalog` (a plug-in calls the same
`register`, with a kind from `ReturnKind.add`). Rules are declared objects (code, return,
severity, message, the tables read, and a DuckDB query over the parsed tables); a new rule
is one `Rule(...)` in its format's rules and one hand-worked case in
`tests/returns/test_rules.py`. Every problem code, reading and rule, is in one catalogue
(`catalog.problem_codes()`), and this page is generated from it:
`python -m cscmonitor.returns.checks.reference > docs/validation.md`.

## Problems found while reading and merging
"""

AFTER_READING = """
Structural XML problems of one kind are listed up to 100 times per file; the rest are
counted in one further row.
"""


def validation_markdown() -> str:
    """The whole page: the reading problems, the rules, and the code lists with their years."""
    lines = [INTRO, "| Code | Severity | What it means |", "|---|---|---|"]
    lines += [f"| `{code}` | {code.severity} | {code.meaning} |" for code in Reading]
    lines += [AFTER_READING, "## Cross-field rules", ""]
    counts = {kind: sum(r.kind == kind for r in RULES.values()) for kind in FORMATS}
    lines.append(
        f"{len(RULES)} rules: "
        + ", ".join(f"{counts[kind]} {form.label}" for kind, form in FORMATS.items())
        + "."
    )
    lines += ["", "| Code | Return | Severity | Tables | Message |", "|---|---|---|---|---|"]
    for kind, form in FORMATS.items():
        for rule in sorted((r for r in RULES.values() if r.kind == kind), key=lambda r: r.code):
            tables = ", ".join(f"`{t}`" for t in rule.tables)
            message = rule.message.replace("|", "\\|")
            lines.append(
                f"| `{rule.code}` | {form.label} | {rule.severity} | {tables} | {message} |"
            )
    lines += [
        "",
        "## Code lists",
        "",
        f"Codes are checked against the return's year from {CHECKED_YEARS.start} to "
        f"{CHECKED_YEARS.stop - 1}, the years the DfE guides cover; outside those years any "
        "code of the list is accepted. Codes are compared in upper case. The lists are data, "
        "`src/cscmonitor/data/returns/code_lists.csv` (one row per code with its first and "
        "last year and, where the sources give it, its meaning; sources in the README beside "
        "it): a new return version changes rows there, not code.",
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
