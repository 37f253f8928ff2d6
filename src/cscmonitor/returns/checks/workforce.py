"""Cross-field checks of the workforce files: workers' dates, FTE, cases; vacancies."""

from __future__ import annotations

from cscmonitor.returns.checks.rule import Rule
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind

E, W = Severity.ERROR, Severity.WARNING
KIND = ReturnKind.WORKFORCE


def rule(code: str, severity: Severity, tables: str, message: str, sql: str) -> Rule:
    return Rule(code, KIND, severity, message, tuple(tables.split()), sql)


# The format's rules (its module in returns/ declares them; the registry registers them).
RULES = (
    rule(
        "SW_LEFT_BEFORE_START",
        E,
        "sw_workers",
        "LEFT_DATE {value} is before START_DATE {start_date}",
        "SELECT _location, 'LEFT_DATE' AS field, left_date AS value, start_date FROM sw_workers "
        "WHERE left_date < start_date",
    ),
    rule(
        "SW_LEFT_WITHOUT_REASON",
        E,
        "sw_workers",
        "the worker left on {left_date} but REASON_LEFT is blank",
        "SELECT _location, 'REASON_LEFT' AS field, '' AS value, left_date FROM sw_workers "
        "WHERE left_date IS NOT NULL AND reason_left IS NULL",
    ),
    rule(
        "SW_REASON_WITHOUT_LEFT",
        E,
        "sw_workers",
        "REASON_LEFT {value} is given but LEFT_DATE is blank",
        "SELECT _location, 'REASON_LEFT' AS field, reason_left AS value FROM sw_workers "
        "WHERE reason_left IS NOT NULL AND left_date IS NULL",
    ),
    rule(
        "SW_FTE_RANGE",
        E,
        "sw_workers",
        "FTE {value} is not between 0.01 and 1",
        "SELECT _location, 'FTE' AS field, fte AS value FROM sw_workers WHERE fte <= 0 OR fte > 1",
    ),
    rule(
        "SW_ROLE_RANGE",
        E,
        "sw_workers",
        "ROLE {value} is not a workforce census role (1 to 6)",
        "SELECT _location, 'ROLE' AS field, role AS value FROM sw_workers "
        "WHERE role NOT BETWEEN 1 AND 6",
    ),
    rule(
        "SW_CASES_FOR_LEAVER",
        W,
        "sw_workers",
        "CASES {value} is given for a worker who left on {left_date} (cases are counted for "
        "workers in post)",
        "SELECT _location, 'CASES' AS field, cases AS value, left_date FROM sw_workers "
        "WHERE cases IS NOT NULL AND left_date IS NOT NULL",
    ),
    rule(
        "SW_CASES_NEGATIVE",
        E,
        "sw_workers",
        "CASES {value} is negative",
        "SELECT _location, 'CASES' AS field, cases AS value FROM sw_workers WHERE cases < 0",
    ),
    rule(
        "SW_DATE_AFTER_CENSUS",
        E,
        "sw_workers",
        "{field} {value} is after the census date ({period_end})",
        "SELECT _location, 'START_DATE' AS field, start_date AS value, period_end "
        "FROM sw_workers, info WHERE start_date > period_end "
        "UNION ALL SELECT _location, 'LEFT_DATE', left_date, period_end FROM sw_workers, info "
        "WHERE left_date > period_end",
    ),
    rule(
        "SW_OVERLAPPING_ROWS",
        W,
        "sw_workers",
        "the worker's row from {value} overlaps their previous one (from {prev_start})",
        "SELECT _location, 'START_DATE' AS field, start_date AS value, prev_start FROM ("
        "SELECT *, lag(start_date) OVER w AS prev_start, lag(left_date) OVER w AS prev_left, "
        "row_number() OVER w AS n FROM sw_workers "
        "WINDOW w AS (PARTITION BY worker_id ORDER BY start_date, _location)) "
        "WHERE n > 1 AND (prev_left IS NULL OR start_date < prev_left)",
    ),
    rule(
        "SW_VACANCY_NEGATIVE",
        E,
        "sw_vacancies",
        "{field} {value} is negative",
        "SELECT _location, 'VACANT_FTE' AS field, vacant_fte AS value FROM sw_vacancies "
        "WHERE vacant_fte < 0 UNION ALL SELECT _location, 'AGENCY_COVER_FTE', agency_cover_fte "
        "FROM sw_vacancies WHERE agency_cover_fte < 0",
    ),
    rule(
        "SW_DUPLICATE_VACANCY_DATE",
        E,
        "sw_vacancies",
        "two vacancy rows for {value} (the other at {first})",
        "SELECT _location, 'DATE' AS field, date AS value, first FROM ("
        "SELECT _location, date, row_number() OVER w AS n, first_value(_location) OVER w AS first "
        "FROM sw_vacancies WINDOW w AS (PARTITION BY date ORDER BY _location)) WHERE n > 1",
    ),
)
