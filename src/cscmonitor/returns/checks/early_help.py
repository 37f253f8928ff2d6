"""Cross-field checks of early help episodes: the order of request, assessment and closure."""

from __future__ import annotations

from cscmonitor.returns.checks.rule import Rule
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind

E, W = Severity.ERROR, Severity.WARNING
KIND = ReturnKind.EARLY_HELP


def rule(code: str, severity: Severity, message: str, sql: str) -> Rule:
    return Rule(code, KIND, severity, message, ("eh_episodes",), sql)


# The format's rules (its module in returns/ declares them; the registry registers them).
RULES = (
    rule(
        "EH_ASSESSMENT_BEFORE_REQUEST",
        E,
        "the assessment started ({value}) before the request for help ({request_date})",
        "SELECT _location, 'ASSESSMENT_START_DATE' AS field, assessment_start_date AS value, "
        "request_date FROM eh_episodes WHERE assessment_start_date < request_date",
    ),
    rule(
        "EH_COMPLETED_BEFORE_START",
        E,
        "the assessment was completed ({value}) before it started ({assessment_start_date})",
        "SELECT _location, 'ASSESSMENT_COMPLETED_DATE' AS field, assessment_completed_date AS "
        "value, assessment_start_date FROM eh_episodes "
        "WHERE assessment_completed_date < assessment_start_date",
    ),
    rule(
        "EH_COMPLETED_WITHOUT_START",
        E,
        "the assessment was completed ({value}) but ASSESSMENT_START_DATE is blank",
        "SELECT _location, 'ASSESSMENT_START_DATE' AS field, assessment_completed_date AS value "
        "FROM eh_episodes WHERE assessment_completed_date IS NOT NULL "
        "AND assessment_start_date IS NULL",
    ),
    rule(
        "EH_CLOSURE_BEFORE_REQUEST",
        E,
        "the episode closed ({value}) before the request for help ({request_date})",
        "SELECT _location, 'CLOSURE_DATE' AS field, closure_date AS value, request_date "
        "FROM eh_episodes WHERE closure_date < request_date",
    ),
    rule(
        "EH_CLOSURE_WITHOUT_REASON",
        E,
        "the episode closed on {closure_date} but CLOSURE_REASON is blank",
        "SELECT _location, 'CLOSURE_REASON' AS field, '' AS value, closure_date FROM eh_episodes "
        "WHERE closure_date IS NOT NULL AND closure_reason IS NULL",
    ),
    rule(
        "EH_REASON_WITHOUT_CLOSURE",
        E,
        "CLOSURE_REASON {value} is given but CLOSURE_DATE is blank",
        "SELECT _location, 'CLOSURE_REASON' AS field, closure_reason AS value FROM eh_episodes "
        "WHERE closure_reason IS NOT NULL AND closure_date IS NULL",
    ),
    rule(
        "EH_DATE_AFTER_YEAR",
        E,
        "{field} {value} is after the end of the year ({period_end})",
        " UNION ALL ".join(
            f"SELECT _location, '{field}' AS field, {column} AS value, period_end "
            f"FROM eh_episodes, info WHERE {column} > period_end"
            for field, column in (
                ("REQUEST_DATE", "request_date"),
                ("ASSESSMENT_START_DATE", "assessment_start_date"),
                ("ASSESSMENT_COMPLETED_DATE", "assessment_completed_date"),
                ("CLOSURE_DATE", "closure_date"),
            )
        ),
    ),
    rule(
        "EH_REQUEST_BEFORE_BIRTH",
        W,
        "the request for help ({value}) is before the child's date of birth ({birth_date})",
        "SELECT _location, 'REQUEST_DATE' AS field, request_date AS value, birth_date "
        "FROM eh_episodes WHERE request_date < birth_date",
    ),
    rule(
        "EH_EPISODES_OVERLAP",
        W,
        "the episode requested {value} starts while the child's previous episode (from "
        "{prev_request}) is open",
        "SELECT _location, 'REQUEST_DATE' AS field, request_date AS value, prev_request FROM ("
        "SELECT *, lag(request_date) OVER w AS prev_request, lag(closure_date) OVER w AS "
        "prev_closure, row_number() OVER w AS n FROM eh_episodes "
        "WINDOW w AS (PARTITION BY child_id ORDER BY request_date, _location)) "
        "WHERE n > 1 AND (prev_closure IS NULL OR request_date < prev_closure)",
    ),
)
