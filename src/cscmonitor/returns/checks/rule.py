"""Checks as declared objects: a code, a severity, a message, the tables read, and a query.

A rule's query is DuckDB SQL over the return's parsed Arrow tables (registered under
their warehouse names, each with its hidden `_location` column) and `info` (one row:
`la_code`, `year`, `period_start`, `period_end` of the return). It returns one row per
problem with the columns `_location`, `field` and `value`, optionally `_table` (which
table the row is from, when not the rule's first table), and any column the message
template names in braces. Rules run vectorised, once per return; a rule that fails on
odd data becomes one "could not check" problem for the file and the run goes on.

A rule may also read tables prepared for it (`Rule.prepared`: a name and a query over the
return's tables), made once by each query that runs rules reading it (a materialised CTE),
so that work several rules share is done once for them (each child's episodes in order,
with their neighbours). DuckDB spills a rule's working memory to disk but holds a
materialised table whole, so only a return of at most `MATERIALISE_ROWS` rows has them
made once; in a larger one they are views, which each rule computes as it reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from cscmonitor.returns.columns import cursor
from cscmonitor.returns.issues import CountKey, Problems, Reading, Severity, problem_rows
from cscmonitor.returns.kind import ReturnKind
from cscmonitor.returns.parsed import Parsed
from cscmonitor.returns.schema import LOCATION
from cscmonitor.returns.staged import Staged

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Rule:
    code: str
    kind: ReturnKind  # the return kind the rule checks
    severity: Severity
    message: str  # a template: "{column}" is replaced by the query's column
    tables: tuple[str, ...]  # the tables it reads; problems are placed in the first
    sql: str
    # Tables its query reads besides the return's: (name, query), made once per query.
    prepared: tuple[tuple[str, str], ...] = ()

    def message_sql(self) -> str:
        """The message as a SQL expression over the query's columns (blank shown as 'blank')."""
        parts: list[str] = []
        position = 0
        for match in PLACEHOLDER.finditer(self.message):
            parts.append(_quote(self.message[position : match.start()]))
            parts.append(f"coalesce(CAST(r.\"{match.group(1)}\" AS VARCHAR), 'blank')")
            position = match.end()
        parts.append(_quote(self.message[position:]))
        return "concat(" + ", ".join(p for p in parts if p != "''") + ")"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


RULES: dict[str, Rule] = {}
# The rows of a return (all its tables) up to which the tables prepared for its rules are
# held once per query (about 100 bytes a row of each child's episodes in order: on a 903
# return of 26,750 children it saves 0.1 s; on 2 million episodes it held 150 MB more).
MATERIALISE_ROWS = 500_000


def register(*rules: Rule) -> None:
    """Add rules to the registry (a format's rules come through here too); codes are unique."""
    codes = [rule.code for rule in rules]
    for code in codes:
        if code in RULES or code in Reading._value2member_map_ or codes.count(code) > 1:
            raise ValueError(f"two rules with code {code}")
    _prepared([*RULES.values(), *rules])  # one query per prepared name
    RULES.update((rule.code, rule) for rule in rules)


def _prepared(rules: Iterable[Rule]) -> dict[str, str]:
    """The tables the rules read prepared, by name, in the order the rules first name them."""
    found: dict[str, str] = {}
    for rule in rules:
        for name, sql in rule.prepared:
            if found.setdefault(name, sql) != sql:
                raise ValueError(f"two queries for the prepared table {name} ({rule.code})")
    return found


def rules_for(kind: ReturnKind) -> list[Rule]:
    from cscmonitor.returns import catalog  # registers the built-in formats' rules

    assert catalog.FORMATS
    return [r for r in RULES.values() if r.kind == kind]


def run(
    parsed: Parsed,
    rules: Iterable[Rule] | None = None,
    *,
    cap: int | None = None,
    database: duckdb.DuckDBPyConnection | None = None,
) -> Problems:
    """Every rule of the return's kind (or the rules given) over its tables.

    With a `cap`, each rule lists at most that many problems per file and counts the rest.
    Staged tables are read from their files; `database` (one with a memory limit and a
    folder to spill to) runs the queries, by default the shared in-memory one.
    """
    from cscmonitor.returns.catalog import FORMATS  # the registry imports the rules

    problems = Problems(cap=cap)
    chosen = list(rules) if rules is not None else rules_for(parsed.info.kind)
    if not chosen:
        return problems
    con = database.cursor() if database is not None else cursor()
    try:
        info = parsed.info
        con.register(
            "info",
            pa.table(
                {
                    "la_code": [info.la_code],
                    "year": [info.year],
                    "period_start": pa.array([info.period_start], pa.date32()),
                    "period_end": pa.array([info.period_end], pa.date32()),
                }
            ),
        )
        for spec in FORMATS[info.kind].tables:
            table = parsed.tables.get(spec.name)
            if isinstance(table, Staged):
                con.execute(f'CREATE TEMP VIEW "{spec.name}" AS SELECT * FROM {table.sql()}')
            elif table is not None:
                con.register(spec.name, table)
            else:
                # An absent table is an empty one: rules over it find nothing to say.
                schema = spec.schema.append(pa.field(LOCATION, pa.string()))
                con.register(spec.name, schema.empty_table())
        files = sorted(set(parsed.sources.values()) | set(parsed.files))
        default_file = files[0] if len(files) == 1 else ", ".join(files)
        con.register(
            "sources",
            pa.table(
                {
                    "table_name": list(parsed.sources),
                    "file": list(parsed.sources.values()),
                },
                schema=pa.schema([("table_name", pa.string()), ("file", pa.string())]),
            ),
        )
        once = sum(table.num_rows for table in parsed.tables.values()) <= MATERIALISE_ROWS
        if not once:
            for name, sql in _prepared(chosen).items():
                con.execute(f'CREATE TEMP VIEW "{name}" AS {sql}')
        for found in _run_all(con, chosen, default_file, cap, once):
            problems.extend(found.listed)
            for key, n in found.unlisted.items():
                problems.count_unlisted(key, n)
    finally:
        con.close()
    return problems


def _query(rule: Rule) -> str:
    """The rule's problems as rows of the problem table (file still to be joined)."""
    table = "r._table" if "_table" in rule.sql else f"{_quote(rule.tables[0])}"
    return (
        f'SELECT {table} AS "table", CAST(r._location AS VARCHAR) AS location, '
        "CAST(r.field AS VARCHAR) AS field, coalesce(CAST(r.value AS VARCHAR), '') AS value, "
        f"{_quote(rule.code)} AS rule, {_quote(str(rule.severity))} AS severity, "
        f"{rule.message_sql()} AS message FROM ({rule.sql}) r"
    )


@dataclass(frozen=True)
class Found:
    """What rules found: the problems listed, and how many more each (file, table, rule,
    severity) has."""

    listed: pa.Table
    unlisted: dict[CountKey, int] = field(default_factory=dict)


def _with_files(
    con: Any, rules: list[Rule], default_file: str, cap: int | None, once: bool = True
) -> Found:
    """The rules' problems in one query, with their files; the tables prepared for them made
    `once` here, or else read from their views."""
    found = " UNION ALL ".join(f"({_query(r)})" for r in rules)
    prepared = _prepared(rules).items() if once else ()
    made = ", ".join(f'"{name}" AS MATERIALIZED ({sql})' for name, sql in prepared)
    problems = (
        ("WITH " + made + " " if made else "")
        + "SELECT coalesce(s.file, $file) AS file, p.* FROM ("
        + found
        + ") p "
        'LEFT JOIN sources s ON s.table_name = p."table"'
    )
    if cap is None:
        ordered = con.sql(problems + " ORDER BY ALL", params={"file": default_file})
        return Found(ordered.to_arrow_table())
    # The first `cap` problems of each rule, file and table in the report's order, and how
    # many there are: a top-N per group (min_by), with no sort of every problem found.
    first = "struct_pack(location, field, value, message)"
    groups = (
        'SELECT file, "table", rule, severity, count(*) AS total, '
        f"min_by({first}, {first}, $cap) AS listed FROM ({problems}) GROUP BY ALL"
    )
    rows = con.sql(
        'SELECT file, "table", l.location, l.field, l.value, rule, severity, l.message, total '
        f"FROM (SELECT *, unnest(listed) AS l FROM ({groups})) ORDER BY ALL",
        params={"file": default_file, "cap": cap},
    ).to_arrow_table()
    unlisted: dict[CountKey, int] = {}
    for row in rows.select(["file", "table", "rule", "severity", "total"]).to_pylist():
        key = (row["file"], row["table"], row["rule"], row["severity"])
        unlisted[key] = unlisted.get(key, row["total"]) - 1
    return Found(rows.drop_columns(["total"]), unlisted)


# Rules run together in one query. A query costs milliseconds, but DuckDB holds the
# working memory of every rule in a query at once: on a whole 903 return of 26,750
# children (bench/validators.py) all 32 rules in one query took 100 MB more than the rules
# before them, six to a query 50 MB, in the same time; three to a query, the whole ingest
# peaks 10-15 MB lower again than with six (5 December 2026), within 0.03 s.
RULES_PER_QUERY = 3


def _run_all(
    con: Any, rules: list[Rule], default_file: str, cap: int | None, once: bool = True
) -> list[Found]:
    """The rules, a few to a query, their problems in one order (as one query would give).

    Rules reading prepared tables go first when they are made `once`, so that those sharing
    one share the query that makes it; which rules share a query changes nothing in what
    they find, sorted as one. Otherwise (where each rule computes what it reads: six of
    them in one query held 170 MB more on 2 million episodes), or if a query fails, the
    rules run as `_in_order` runs them."""
    if not once:
        return _in_order(con, rules, default_file, cap, once)
    grouped = sorted(rules, key=lambda rule: not rule.prepared)
    found: list[Found] = []
    for at in range(0, len(grouped), RULES_PER_QUERY):
        try:
            found.append(
                _with_files(con, grouped[at : at + RULES_PER_QUERY], default_file, cap, once)
            )
        except Exception:
            return _in_order(con, rules, default_file, cap, once)
    return found if len(found) < 2 else [_merged(found)]


def _in_order(
    con: Any, rules: list[Rule], default_file: str, cap: int | None, once: bool
) -> list[Found]:
    """The rules a few to a query in their order, a group's rules one by one if any of them
    fails."""
    found: list[Found] = []
    failed = False
    for at in range(0, len(rules), RULES_PER_QUERY):
        group = rules[at : at + RULES_PER_QUERY]
        try:
            found.append(_with_files(con, group, default_file, cap, once))
        except Exception:  # find the rule that failed, and run the others on their own
            found += [_run_one(con, rule, default_file, cap, once) for rule in group]
            failed = True
    return found if failed or len(found) < 2 else [_merged(found)]


def _merged(found: list[Found]) -> Found:
    """Problems found by several queries, in the one order (as one query would give)."""
    listed = pa.concat_tables([f.listed for f in found])
    order = [(name, "ascending") for name in listed.column_names]
    unlisted: dict[CountKey, int] = {}
    for f in found:
        for key, n in f.unlisted.items():
            unlisted[key] = unlisted.get(key, 0) + n
    return Found(listed.sort_by(order), unlisted)


def _run_one(con: Any, rule: Rule, default_file: str, cap: int | None, once: bool) -> Found:
    try:
        return _with_files(con, [rule], default_file, cap, once)
    except Exception as exc:  # a broken rule is reported, never fatal
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        return Found(
            problem_rows(
                file=default_file,
                table=rule.tables[0],
                locations=pa.array(["file"]),
                field="",
                values="",
                rule=rule.code,
                severity=Severity.WARNING,
                message=f"could not check {rule.code}: {reason}",
            )
        )
