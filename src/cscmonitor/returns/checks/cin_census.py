"""Cross-field checks of the CIN census: referrals, assessments, section 47s, plans, reviews."""

from __future__ import annotations

from cscmonitor.returns.checks.rule import Rule
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind

E, W = Severity.ERROR, Severity.WARNING
KIND = ReturnKind.CIN_CENSUS


def rule(code: str, severity: Severity, tables: str, message: str, sql: str) -> Rule:
    return Rule(code, KIND, severity, message, tuple(tables.split()), sql)


def _dates_after_census() -> str:
    """Every date of the return with the element it came from."""
    columns = {
        "cin_children": [("PersonBirthDate", "birth_date"), ("PersonDeathDate", "death_date")],
        "cin_referrals": [
            ("CINreferralDate", "referral_date"),
            ("CINclosureDate", "closure_date"),
            ("DateOfInitialCPC", "icpc_date"),
        ],
        "cin_assessments": [
            ("AssessmentActualStartDate", "start_date"),
            ("AssessmentAuthorisationDate", "authorised_date"),
        ],
        "cin_plan_dates": [("CINPlanStartDate", "start_date"), ("CINPlanEndDate", "end_date")],
        "cin_section47": [("S47ActualStartDate", "start_date"), ("DateOfInitialCPC", "icpc_date")],
        "cin_plans": [("CPPstartDate", "start_date"), ("CPPendDate", "end_date")],
        "cin_plan_reviews": [("CPPreviewDate", "review_date")],
        "cin_pre_proceedings": [
            ("PPStartDate", "pp_start_date"),
            ("LBPSentDate", "lbp_sent_date"),
            ("InitialPPMeetingDate", "initial_pp_meeting_date"),
            ("StepDecisionDate", "step_decision_date"),
            ("CourtAppDate", "court_application_date"),
            ("LetterInitCPDate", "letter_init_cp_date"),
        ],
    }
    return " UNION ALL ".join(
        f"SELECT '{table}' AS _table, _location, '{field}' AS field, {column} AS value, "
        f"period_end FROM {table}, info WHERE {column} > period_end"
        for table, pairs in columns.items()
        for field, column in pairs
    )


# The referral each row sits under.
UNDER = "JOIN cin_referrals r USING (child_id, referral_date)"

# The format's rules (its module in returns/ declares them; the registry registers them).
RULES = (
    rule(
        "CIN_CLOSURE_BEFORE_REFERRAL",
        E,
        "cin_referrals",
        "CINclosureDate {value} is before CINreferralDate {referral_date}",
        "SELECT _location, 'CINclosureDate' AS field, closure_date AS value, referral_date "
        "FROM cin_referrals WHERE closure_date < referral_date",
    ),
    rule(
        "CIN_CLOSURE_WITHOUT_REASON",
        E,
        "cin_referrals",
        "the case closed on {closure_date} but ReasonForClosure is blank",
        "SELECT _location, 'ReasonForClosure' AS field, '' AS value, closure_date "
        "FROM cin_referrals WHERE closure_date IS NOT NULL AND closure_reason IS NULL",
    ),
    rule(
        "CIN_REASON_WITHOUT_CLOSURE",
        E,
        "cin_referrals",
        "ReasonForClosure {value} is given but CINclosureDate is blank",
        "SELECT _location, 'ReasonForClosure' AS field, closure_reason AS value "
        "FROM cin_referrals WHERE closure_reason IS NOT NULL AND closure_date IS NULL",
    ),
    rule(
        "CIN_DATE_AFTER_CENSUS",
        E,
        "cin_referrals",
        "{field} {value} is after the census reference date ({period_end})",
        _dates_after_census(),
    ),
    rule(
        "CIN_NO_BIRTH_DATE",
        E,
        "cin_children",
        "neither PersonBirthDate nor ExpectedPersonBirthDate is given",
        "SELECT _location, 'PersonBirthDate' AS field, '' AS value FROM cin_children "
        "WHERE birth_date IS NULL AND expected_birth_date IS NULL",
    ),
    rule(
        "CIN_DEATH_BEFORE_BIRTH",
        E,
        "cin_children",
        "PersonDeathDate {value} is before PersonBirthDate {birth_date}",
        "SELECT _location, 'PersonDeathDate' AS field, death_date AS value, birth_date "
        "FROM cin_children WHERE death_date < birth_date",
    ),
    rule(
        "CIN_REFERRAL_BEFORE_BIRTH",
        W,
        "cin_referrals",
        "the referral on {value} is before the child's birth ({birth_date}); an unborn child "
        "has an ExpectedPersonBirthDate instead",
        "SELECT r._location, 'CINreferralDate' AS field, r.referral_date AS value, c.birth_date "
        "FROM cin_referrals r JOIN cin_children c USING (child_id) "
        "WHERE r.referral_date < c.birth_date",
    ),
    rule(
        "CIN_DUPLICATE_CHILD",
        E,
        "cin_children",
        "the child (LAchildID) appears more than once (first at {first})",
        "SELECT _location, 'LAchildID' AS field, '' AS value, first FROM ("
        "SELECT _location, row_number() OVER w AS n, first_value(_location) OVER w AS first "
        "FROM cin_children WINDOW w AS (PARTITION BY child_id ORDER BY _location)) WHERE n > 1",
    ),
    rule(
        "CIN_DUPLICATE_REFERRAL",
        E,
        "cin_referrals",
        "the child has two CINdetails with CINreferralDate {value} (the other at {first})",
        "SELECT _location, 'CINreferralDate' AS field, referral_date AS value, first FROM ("
        "SELECT _location, referral_date, row_number() OVER w AS n, "
        "first_value(_location) OVER w AS first FROM cin_referrals "
        "WINDOW w AS (PARTITION BY child_id, referral_date ORDER BY _location)) WHERE n > 1",
    ),
    rule(
        "CIN_REFERRALS_OVERLAP",
        E,
        "cin_referrals",
        "the referral on {value} starts while the child's previous CINdetails (referred "
        "{prev_referral}) is still open (closed {prev_closure})",
        "SELECT _location, 'CINreferralDate' AS field, referral_date AS value, prev_referral, "
        "prev_closure FROM (SELECT *, lag(referral_date) OVER w AS prev_referral, "
        "lag(closure_date) OVER w AS prev_closure, row_number() OVER w AS n FROM cin_referrals "
        "WINDOW w AS (PARTITION BY child_id ORDER BY referral_date, _location)) "
        "WHERE n > 1 AND referral_date > prev_referral "
        "AND (prev_closure IS NULL OR referral_date < prev_closure)",
    ),
    rule(
        "CIN_ASSESSMENT_AUTHORISED_BEFORE_START",
        E,
        "cin_assessments",
        "the assessment was authorised ({value}) before it started ({start_date})",
        "SELECT _location, 'AssessmentAuthorisationDate' AS field, authorised_date AS value, "
        "start_date FROM cin_assessments WHERE authorised_date < start_date",
    ),
    rule(
        "CIN_ASSESSMENT_BEFORE_REFERRAL",
        E,
        "cin_assessments",
        "the assessment started ({value}) before the referral ({referral_date})",
        "SELECT _location, 'AssessmentActualStartDate' AS field, start_date AS value, "
        "referral_date FROM cin_assessments WHERE start_date < referral_date",
    ),
    rule(
        "CIN_ASSESSMENT_AFTER_CLOSURE",
        E,
        "cin_assessments",
        "the assessment started ({value}) after the case closed ({closure_date})",
        "SELECT a._location, 'AssessmentActualStartDate' AS field, a.start_date AS value, "
        f"r.closure_date FROM cin_assessments a {UNDER} WHERE a.start_date > r.closure_date",
    ),
    rule(
        "CIN_FACTORS_WITHOUT_AUTHORISATION",
        W,
        "cin_assessment_factors",
        "factor {value} is recorded for an assessment that has not been authorised",
        # Each factor carries its own assessment's authorisation date.
        "SELECT _location, 'AssessmentFactors' AS field, factor AS value "
        "FROM cin_assessment_factors WHERE assessment_authorised_date IS NULL",
    ),
    rule(
        "CIN_AUTHORISED_WITHOUT_FACTORS",
        W,
        "cin_assessments",
        "the assessment was authorised ({value}) but no factors are recorded (21 if none)",
        "SELECT a._location, 'FactorsIdentifiedAtAssessment' AS field, authorised_date AS value "
        "FROM cin_assessments a WHERE authorised_date IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM cin_assessment_factors f WHERE f.child_id = a.child_id "
        "AND f.referral_date = a.referral_date "
        "AND f.assessment_start_date IS NOT DISTINCT FROM a.start_date)",
    ),
    rule(
        "CIN_FACTOR_21_WITH_OTHERS",
        E,
        "cin_assessment_factors",
        "factor 21 (no factors identified) is recorded with other factors",
        "SELECT _location, 'AssessmentFactors' AS field, factor AS value FROM ("
        "SELECT *, count(*) OVER (PARTITION BY child_id, referral_date, assessment_start_date) "
        "AS factors FROM cin_assessment_factors) WHERE factor = '21' AND factors > 1",
    ),
    rule(
        "CIN_S47_BEFORE_REFERRAL",
        E,
        "cin_section47",
        "the section 47 enquiry started ({value}) before the referral ({referral_date})",
        "SELECT _location, 'S47ActualStartDate' AS field, start_date AS value, referral_date "
        "FROM cin_section47 WHERE start_date < referral_date",
    ),
    rule(
        "CIN_ICPC_BEFORE_S47",
        E,
        "cin_section47",
        "the initial conference ({value}) is before the section 47 enquiry started ({start_date})",
        "SELECT _location, 'DateOfInitialCPC' AS field, icpc_date AS value, start_date "
        "FROM cin_section47 WHERE icpc_date < start_date",
    ),
    rule(
        "CIN_ICPC_NOT_REQUIRED_BUT_HELD",
        E,
        "cin_section47",
        "ICPCnotRequired is true but an initial conference date ({value}) is given",
        "SELECT _location, 'DateOfInitialCPC' AS field, icpc_date AS value FROM cin_section47 "
        "WHERE icpc_not_required AND icpc_date IS NOT NULL",
    ),
    rule(
        "CIN_CPP_END_BEFORE_START",
        E,
        "cin_plans",
        "CPPendDate {value} is before CPPstartDate {start_date}",
        "SELECT _location, 'CPPendDate' AS field, end_date AS value, start_date FROM cin_plans "
        "WHERE end_date < start_date",
    ),
    rule(
        "CIN_CPP_BEFORE_REFERRAL",
        E,
        "cin_plans",
        "the plan starts ({value}) before the referral ({referral_date})",
        "SELECT _location, 'CPPstartDate' AS field, start_date AS value, referral_date "
        "FROM cin_plans WHERE start_date < referral_date",
    ),
    rule(
        "CIN_CPP_STARTS_AFTER_CLOSURE",
        E,
        "cin_plans",
        "the plan starts ({value}) after the case closed ({closure_date})",
        "SELECT p._location, 'CPPstartDate' AS field, p.start_date AS value, r.closure_date "
        f"FROM cin_plans p {UNDER} WHERE p.start_date > r.closure_date",
    ),
    rule(
        "CIN_CPP_OPEN_AFTER_CLOSURE",
        E,
        "cin_plans",
        "the case closed on {closure_date} but the plan had not ended by then (CPPendDate {value})",
        "SELECT p._location, 'CPPendDate' AS field, p.end_date AS value, r.closure_date "
        f"FROM cin_plans p {UNDER} WHERE r.closure_date IS NOT NULL "
        "AND p.start_date <= r.closure_date "
        "AND (p.end_date IS NULL OR p.end_date > r.closure_date)",
    ),
    rule(
        "CIN_CPP_OVERLAP",
        E,
        "cin_plans",
        "the plan starts {value}, while the child's previous plan (from {prev_start}) is open",
        "SELECT _location, 'CPPstartDate' AS field, start_date AS value, prev_start FROM ("
        "SELECT *, lag(start_date) OVER w AS prev_start, lag(end_date) OVER w AS prev_end, "
        "row_number() OVER w AS n FROM cin_plans "
        "WINDOW w AS (PARTITION BY child_id ORDER BY start_date, _location)) "
        "WHERE n > 1 AND (prev_end IS NULL OR start_date < prev_end)",
    ),
    rule(
        "CIN_REVIEW_OUTSIDE_PLAN",
        E,
        "cin_plan_reviews",
        "the review on {value} is outside its plan ({plan_start_date} to {plan_end})",
        "SELECT v._location, 'CPPreviewDate' AS field, v.review_date AS value, "
        "v.plan_start_date, p.end_date AS plan_end FROM cin_plan_reviews v JOIN cin_plans p "
        "ON p.child_id = v.child_id AND p.referral_date = v.referral_date "
        "AND p.start_date = v.plan_start_date "
        "WHERE v.review_date < v.plan_start_date OR v.review_date > p.end_date",
    ),
    rule(
        "CIN_PLAN_DATES_END_BEFORE_START",
        E,
        "cin_plan_dates",
        "CINPlanEndDate {value} is before CINPlanStartDate {start_date}",
        "SELECT _location, 'CINPlanEndDate' AS field, end_date AS value, start_date "
        "FROM cin_plan_dates WHERE end_date < start_date",
    ),
    rule(
        "CIN_PLAN_BEFORE_REFERRAL",
        E,
        "cin_plan_dates",
        "the child in need plan starts ({value}) before the referral ({referral_date})",
        "SELECT _location, 'CINPlanStartDate' AS field, start_date AS value, referral_date "
        "FROM cin_plan_dates WHERE start_date < referral_date",
    ),
    rule(
        "CIN_NFA_WITH_ACTIVITY",
        E,
        "cin_referrals",
        "ReferralNFA is true (no further action) but the referral has {what}",
        "SELECT r._location, 'ReferralNFA' AS field, 'true' AS value, "
        "concat_ws(', ', CASE WHEN a THEN 'an assessment' END, CASE WHEN s THEN 'a section 47' "
        "END, CASE WHEN p THEN 'a child protection plan' END) AS what FROM ("
        "SELECT *, EXISTS (SELECT 1 FROM cin_assessments x WHERE x.child_id = r.child_id "
        "AND x.referral_date = r.referral_date) AS a, "
        "EXISTS (SELECT 1 FROM cin_section47 x WHERE x.child_id = r.child_id "
        "AND x.referral_date = r.referral_date) AS s, "
        "EXISTS (SELECT 1 FROM cin_plans x WHERE x.child_id = r.child_id "
        "AND x.referral_date = r.referral_date) AS p FROM cin_referrals r) r "
        "WHERE referral_nfa AND (a OR s OR p)",
    ),
    rule(
        "CIN_PREVIOUS_CPP_NEGATIVE",
        E,
        "cin_plans",
        "NumberOfPreviousCPP {value} is negative",
        "SELECT _location, 'NumberOfPreviousCPP' AS field, previous_plans AS value FROM cin_plans "
        "WHERE previous_plans < 0",
    ),
    rule(
        "CIN_DISABILITY_NONE_WITH_OTHERS",
        E,
        "cin_disabilities",
        "disability NONE is recorded with other disabilities",
        "SELECT _location, 'Disability' AS field, disability AS value FROM ("
        "SELECT *, count(*) OVER (PARTITION BY child_id) AS recorded FROM cin_disabilities) "
        "WHERE disability = 'NONE' AND recorded > 1",
    ),
    rule(
        "CIN_DISABILITY_DUPLICATE",
        W,
        "cin_disabilities",
        "disability {value} is recorded twice for the child",
        "SELECT _location, 'Disability' AS field, disability AS value FROM ("
        "SELECT *, row_number() OVER (PARTITION BY child_id, disability ORDER BY _location) AS n "
        "FROM cin_disabilities) WHERE n > 1",
    ),
    # Pre-proceedings and family group decision making (census from 2026-27), after the
    # DfE's rules 9005-9012 for the block.
    rule(
        "CIN_PP_OUTCOME_UNKNOWN",
        E,
        "cin_pre_proceedings",
        "PPOutcome {value} is not one of the census codes A, B, C",
        "SELECT _location, 'PPOutcome' AS field, pp_outcome AS value FROM cin_pre_proceedings "
        "WHERE pp_outcome NOT IN ('A', 'B', 'C')",
    ),
    rule(
        "CIN_PP_START_BEFORE_YEAR",
        E,
        "cin_pre_proceedings",
        "PPStartDate {value} is before the census year (from {period_start}): a census "
        "reports a pre-proceedings in the year it began",
        "SELECT _location, 'PPStartDate' AS field, pp_start_date AS value, period_start "
        "FROM cin_pre_proceedings, info WHERE pp_start_date < period_start",
    ),
    rule(
        "CIN_PP_DATE_BEFORE_START",
        E,
        "cin_pre_proceedings",
        "{field} {value} is before PPStartDate {pp_start_date}",
        " UNION ALL ".join(
            f"SELECT _location, '{field}' AS field, {column} AS value, pp_start_date "
            f"FROM cin_pre_proceedings WHERE {column} < pp_start_date"
            for field, column in (
                ("LBPSentDate", "lbp_sent_date"),
                ("InitialPPMeetingDate", "initial_pp_meeting_date"),
                ("StepDecisionDate", "step_decision_date"),
            )
        ),
    ),
    rule(
        "CIN_PP_COURT_BEFORE_DECISION",
        E,
        "cin_pre_proceedings",
        "CourtAppDate {value} is before StepDecisionDate {step_decision_date}",
        "SELECT _location, 'CourtAppDate' AS field, court_application_date AS value, "
        "step_decision_date FROM cin_pre_proceedings "
        "WHERE court_application_date < step_decision_date",
    ),
    rule(
        "CIN_PP_REVIEWS_NEGATIVE",
        E,
        "cin_pre_proceedings",
        "ReviewMeetingsCount {value} is negative",
        "SELECT _location, 'ReviewMeetingsCount' AS field, review_meetings_count AS value "
        "FROM cin_pre_proceedings WHERE review_meetings_count < 0",
    ),
    rule(
        "CIN_PP_FGDM_HELD_BLANK",
        W,
        "cin_pre_proceedings",
        "FGDMMeetingOffer is 1 (a family group decision making meeting was offered) but "
        "FGDMMeetingFac is blank: say whether one was held",
        "SELECT _location, 'FGDMMeetingFac' AS field, '' AS value FROM cin_pre_proceedings "
        "WHERE fgdm_offered AND fgdm_held IS NULL",
    ),
)
