"""The registry of return formats, and every warehouse table they write.

The built-in formats register here through the same `register` a plug-in calls
(a format from outside the package takes its kind from `ReturnKind.add`).
"""

from __future__ import annotations

from cscmonitor.returns.checks import rule
from cscmonitor.returns.format import ReturnFormat
from cscmonitor.returns.issues import Reading, Severity
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.schema import TableSpec

FORMATS: dict[ReturnKind, ReturnFormat] = {}
# Every table, from every format: kept in step with FORMATS.
TABLES: dict[str, TableSpec] = {}


def register(form: ReturnFormat) -> None:
    """Add a format: its tables become warehouse tables and its rules run on its returns."""
    if form.kind in FORMATS:
        raise ValueError(f"two formats of kind {form.kind}")
    taken = [t.name for t in form.tables if t.name in TABLES]
    if taken:
        raise ValueError(f"{form.kind} format: tables already taken: {', '.join(taken)}")
    rule.register(*form.rules)
    FORMATS[form.kind] = form
    TABLES.update((t.name, t) for t in form.tables)


def unregister(kind: ReturnKind) -> None:
    """Remove a format, its tables and its rules (for a plug-in's tests)."""
    form = FORMATS.pop(kind)
    for table in form.tables:
        del TABLES[table.name]
    for r in form.rules:
        del rule.RULES[r.code]


def problem_codes() -> dict[str, Severity]:
    """The one catalogue of problem codes: reading problems, then every registered rule."""
    return {str(code): code.severity for code in Reading} | {
        code: r.severity for code, r in rule.RULES.items()
    }


def by_xml_root(root: str) -> ReturnFormat | None:
    return next((f for f in FORMATS.values() if f.xml_root == root), None)


def by_csv_columns(columns: set[str]) -> ReturnFormat | None:
    """The first format (in registration order) that recognises a CSV file's columns."""
    return next(
        (f for f in FORMATS.values() if f.recognise_csv and f.recognise_csv(columns) is not None),
        None,
    )


def _builtin() -> None:
    from cscmonitor.returns import cin_census, early_help, ssda903, virtual_school, workforce

    # The 903 first: its tables are recognised before the documented CSVs'.
    for module in (cin_census, ssda903, workforce, early_help, virtual_school):
        register(module.FORMAT)


_builtin()
