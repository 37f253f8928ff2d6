"""Cross-field checks of virtual school records: schools, PEPs, attendance, exclusions."""

from __future__ import annotations

from cscmonitor.returns.checks.rule import Rule
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind

E, W = Severity.ERROR, Severity.WARNING
KIND = ReturnKind.VIRTUAL_SCHOOL


def rule(code: str, severity: Severity, tables: str, message: str, sql: str) -> Rule:
    return Rule(code, KIND, severity, message, tuple(tables.split()), sql)


def _dates_after_year() -> str:
    columns = {
        "vs_schools": [("START_DATE", "start_date"), ("END_DATE", "end_date")],
        "vs_peps": [("PEP_DATE", "pep_date"), ("AUDIT_DATE", "audit_date")],
        "vs_attendance": [("START_DATE", "start_date"), ("END_DATE", "end_date")],
        "vs_exclusions": [("START_DATE", "start_date")],
    }
    return " UNION ALL ".join(
        f"SELECT '{table}' AS _table, _location, '{field}' AS field, {column} AS value, "
        f"period_end FROM {table}, info WHERE {column} > period_end"
        for table, pairs in columns.items()
        for field, column in pairs
    )


# The format's rules (its module in returns/ declares them; the registry registers them).
RULES = (
    rule(
        "VS_SCHOOL_END_BEFORE_START",
        E,
        "vs_schools",
        "END_DATE {value} is before START_DATE {start_date}",
        "SELECT _location, 'END_DATE' AS field, end_date AS value, start_date FROM vs_schools "
        "WHERE end_date < start_date",
    ),
    rule(
        "VS_OFSTED_GRADE_RANGE",
        E,
        "vs_schools",
        "OFSTED_GRADE {value} is not 1 (Outstanding) to 4 (Inadequate)",
        "SELECT _location, 'OFSTED_GRADE' AS field, ofsted_grade AS value FROM vs_schools "
        "WHERE ofsted_grade NOT BETWEEN 1 AND 4",
    ),
    rule(
        "VS_SCHOOLS_OVERLAP",
        W,
        "vs_schools",
        "the child is at this school from {value} while still at the previous one (from "
        "{prev_start}); dual registration?",
        "SELECT _location, 'START_DATE' AS field, start_date AS value, prev_start FROM ("
        "SELECT *, lag(start_date) OVER w AS prev_start, lag(end_date) OVER w AS prev_end, "
        "row_number() OVER w AS n FROM vs_schools "
        "WINDOW w AS (PARTITION BY child_id ORDER BY start_date, _location)) "
        "WHERE n > 1 AND (prev_end IS NULL OR start_date < prev_end)",
    ),
    rule(
        "VS_ATTENDED_EXCEEDS_POSSIBLE",
        E,
        "vs_attendance",
        "ATTENDED_SESSIONS {value} is more than POSSIBLE_SESSIONS {possible_sessions}",
        "SELECT _location, 'ATTENDED_SESSIONS' AS field, attended_sessions AS value, "
        "possible_sessions FROM vs_attendance WHERE attended_sessions > possible_sessions",
    ),
    rule(
        "VS_ATTENDANCE_END_BEFORE_START",
        E,
        "vs_attendance",
        "END_DATE {value} is before START_DATE {start_date}",
        "SELECT _location, 'END_DATE' AS field, end_date AS value, start_date "
        "FROM vs_attendance WHERE end_date < start_date",
    ),
    rule(
        "VS_SESSIONS_NEGATIVE",
        E,
        "vs_attendance vs_exclusions",
        "{field} {value} is not a positive number of sessions",
        "SELECT 'vs_attendance' AS _table, _location, 'POSSIBLE_SESSIONS' AS field, "
        "possible_sessions AS value FROM vs_attendance WHERE possible_sessions < 0 "
        "UNION ALL SELECT 'vs_attendance', _location, 'ATTENDED_SESSIONS', attended_sessions "
        "FROM vs_attendance WHERE attended_sessions < 0 "
        "UNION ALL SELECT 'vs_exclusions', _location, 'SESSIONS', sessions FROM vs_exclusions "
        "WHERE sessions <= 0",
    ),
    rule(
        "VS_AUDIT_BEFORE_PEP",
        E,
        "vs_peps",
        "the PEP was audited ({value}) before it was held ({pep_date})",
        "SELECT _location, 'AUDIT_DATE' AS field, audit_date AS value, pep_date FROM vs_peps "
        "WHERE audit_date < pep_date",
    ),
    rule(
        "VS_RATING_WITHOUT_AUDIT",
        W,
        "vs_peps",
        "{field} {value} is given without {other}",
        "SELECT _location, 'QUALITY_RATING' AS field, quality_rating AS value, "
        "'AUDIT_DATE' AS other FROM vs_peps WHERE quality_rating IS NOT NULL "
        "AND audit_date IS NULL UNION ALL SELECT _location, 'AUDIT_DATE', audit_date, "
        "'QUALITY_RATING' FROM vs_peps WHERE audit_date IS NOT NULL AND quality_rating IS NULL",
    ),
    rule(
        "VS_DATE_AFTER_YEAR",
        E,
        "vs_schools",
        "{field} {value} is after the end of the school year ({period_end})",
        _dates_after_year(),
    ),
)
