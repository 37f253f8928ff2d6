"""Cross-field checks of the SSDA903 return: episodes, reviews, missing, adoption, OC2/OC3,
placement distances and deprivation of liberty orders."""

from __future__ import annotations

from cscmonitor.returns.checks.rule import Rule
from cscmonitor.returns.issues import Severity
from cscmonitor.returns.kind import ReturnKind

E, W = Severity.ERROR, Severity.WARNING
KIND = ReturnKind.SSDA903

# Each child's episodes in order, with their neighbours, in the columns the rules read:
# prepared once per query for the six rules that read it (each rule computing it again
# was 0.1 s of a 903 return of 26,750 children).
EPISODES = """
    SELECT _location, decom, dec, rne, rec, place, reason_place_change,
        lag(dec) OVER w AS prev_dec, lag(rec) OVER w AS prev_rec,
        lead(decom) OVER w AS next_decom, lead(rne) OVER w AS next_rne,
        lead(place) OVER w AS next_place,
        row_number() OVER w AS n
    FROM cla_episodes WINDOW w AS (PARTITION BY child_id ORDER BY decom, _location)
"""


IN_ORDER = ("cla_episodes_in_order", EPISODES)


def rule(code: str, severity: Severity, tables: str, message: str, sql: str) -> Rule:
    prepared = (IN_ORDER,) if IN_ORDER[0] in sql else ()
    return Rule(code, KIND, severity, message, tuple(tables.split()), sql, prepared)


# The format's rules (its module in returns/ declares them; the registry registers them).
RULES = (
    rule(
        "CLA_DEC_BEFORE_DECOM",
        E,
        "cla_episodes",
        "the episode ends (DEC {value}) before it starts (DECOM {decom})",
        "SELECT _location, 'DEC' AS field, dec AS value, decom FROM cla_episodes WHERE dec < decom",
    ),
    rule(
        "CLA_EPISODES_OVERLAP",
        E,
        "cla_episodes",
        "the episode starts {value}, before the child's previous episode ended ({prev_dec})",
        "SELECT _location, 'DECOM' AS field, decom AS value, prev_dec FROM cla_episodes_in_order "
        "WHERE n > 1 AND decom < prev_dec",
    ),
    rule(
        "CLA_OPEN_NOT_LAST",
        E,
        "cla_episodes",
        "DEC is blank (still open) but the child has a later episode, from {next_decom}",
        "SELECT _location, 'DEC' AS field, '' AS value, next_decom FROM cla_episodes_in_order "
        "WHERE dec IS NULL AND next_decom IS NOT NULL",
    ),
    rule(
        "CLA_X1_NOT_CHAINED",
        E,
        "cla_episodes",
        "REC X1 means the next episode starts on DEC {dec}, but the next one starts {next_decom}",
        "SELECT _location, 'REC' AS field, rec AS value, dec, next_decom "
        "FROM cla_episodes_in_order "
        "WHERE rec = 'X1' AND dec IS NOT NULL AND next_decom IS DISTINCT FROM dec",
    ),
    rule(
        "CLA_NEW_PERIOD_NOT_S",
        E,
        "cla_episodes",
        "the previous episode ended the period of care (REC {prev_rec}), so this one must "
        "start one (RNE S), not RNE {value}",
        "SELECT _location, 'RNE' AS field, rne AS value, prev_rec FROM cla_episodes_in_order "
        "WHERE prev_rec IS NOT NULL AND prev_rec <> 'X1' AND rne IS DISTINCT FROM 'S'",
    ),
    rule(
        "CLA_S_AFTER_X1",
        E,
        "cla_episodes",
        "RNE S starts a new period of care, but the previous episode ended X1 on {prev_dec} "
        "and so continues into this one",
        "SELECT _location, 'RNE' AS field, rne AS value, prev_dec FROM cla_episodes_in_order "
        "WHERE rne = 'S' AND prev_rec = 'X1' AND prev_dec = decom",
    ),
    rule(
        "CLA_REC_WITHOUT_DEC",
        E,
        "cla_episodes",
        "REC {value} is given but DEC is blank",
        "SELECT _location, 'REC' AS field, rec AS value FROM cla_episodes "
        "WHERE rec IS NOT NULL AND dec IS NULL",
    ),
    rule(
        "CLA_DEC_WITHOUT_REC",
        E,
        "cla_episodes",
        "DEC {dec} is given but REC (why the episode ended) is blank",
        "SELECT _location, 'REC' AS field, '' AS value, dec FROM cla_episodes "
        "WHERE dec IS NOT NULL AND rec IS NULL",
    ),
    rule(
        "CLA_DATE_AFTER_YEAR",
        E,
        "cla_episodes",
        "{field} {value} is after the end of the collection year ({period_end})",
        "SELECT _location, 'DECOM' AS field, decom AS value, period_end "
        "FROM cla_episodes, info WHERE decom > period_end "
        "UNION ALL SELECT _location, 'DEC', dec, period_end "
        "FROM cla_episodes, info WHERE dec > period_end",
    ),
    rule(
        "CLA_EPISODE_BEFORE_YEAR",
        W,
        "cla_episodes",
        "the episode ended ({value}) before the collection year began ({period_start}); it "
        "belongs to an earlier return",
        "SELECT _location, 'DEC' AS field, dec AS value, period_start FROM cla_episodes, info "
        "WHERE dec < period_start",
    ),
    rule(
        "CLA_DECOM_BEFORE_BIRTH",
        E,
        "cla_episodes cla_children",
        "the episode starts {value}, before the child was born ({birth_date})",
        "SELECT e._location, 'DECOM' AS field, e.decom AS value, h.birth_date "
        "FROM cla_episodes e JOIN cla_children h USING (child_id) WHERE e.decom < h.birth_date",
    ),
    rule(
        "CLA_BIRTH_AFTER_YEAR",
        E,
        "cla_children",
        "DOB {value} is after the end of the collection year ({period_end})",
        "SELECT _location, 'DOB' AS field, birth_date AS value, period_end "
        "FROM cla_children, info WHERE birth_date > period_end",
    ),
    rule(
        "CLA_EPISODE_WITHOUT_HEADER",
        E,
        "cla_episodes",
        "the child has episodes but no row in the Header table",
        "SELECT _location, 'CHILD' AS field, '' AS value FROM cla_episodes e "
        "WHERE NOT EXISTS (SELECT 1 FROM cla_children h WHERE h.child_id = e.child_id)",
    ),
    rule(
        "CLA_HEADER_WITHOUT_EPISODE",
        W,
        "cla_children",
        "the child is in the Header table but has no episode and no OC3 record",
        "SELECT _location, 'CHILD' AS field, '' AS value FROM cla_children h "
        "WHERE NOT EXISTS (SELECT 1 FROM cla_episodes e WHERE e.child_id = h.child_id) "
        "AND NOT EXISTS (SELECT 1 FROM cla_oc3 o WHERE o.child_id = h.child_id)",
    ),
    rule(
        "CLA_DUPLICATE_CHILD",
        E,
        "cla_children",
        "the child is in the Header table more than once (first at {first})",
        "SELECT _location, 'CHILD' AS field, '' AS value, first FROM ("
        "SELECT _location, row_number() OVER w AS n, first_value(_location) OVER w AS first "
        "FROM cla_children WINDOW w AS (PARTITION BY child_id ORDER BY _location)) WHERE n > 1",
    ),
    rule(
        "CLA_DUPLICATE_EPISODE",
        E,
        "cla_episodes",
        "the child has two episodes starting {value} (the other at {first})",
        "SELECT _location, 'DECOM' AS field, decom AS value, first FROM ("
        "SELECT _location, decom, row_number() OVER w AS n, first_value(_location) OVER w AS first "
        "FROM cla_episodes WINDOW w AS (PARTITION BY child_id, decom ORDER BY _location)) "
        "WHERE n > 1",
    ),
    rule(
        "CLA_STARTED_AT_18",
        E,
        "cla_episodes cla_children",
        "the episode starts {value}, on or after the child's 18th birthday ({birthday})",
        "SELECT e._location, 'DECOM' AS field, e.decom AS value, "
        "CAST(h.birth_date + INTERVAL 18 YEAR AS DATE) AS birthday "
        "FROM cla_episodes e JOIN cla_children h USING (child_id) "
        "WHERE e.decom >= h.birth_date + INTERVAL 18 YEAR",
    ),
    rule(
        "CLA_PLACEMENT_CHANGE_REASON",
        E,
        "cla_episodes",
        "the episode ends X1 and the next one changes placement (RNE {next_rne}), but "
        "REASON_PLACE_CHANGE is blank",
        "SELECT _location, 'REASON_PLACE_CHANGE' AS field, '' AS value, next_rne "
        "FROM cla_episodes_in_order WHERE rec = 'X1' AND next_decom = dec "
        "AND next_rne IN ('P', 'B', 'T', 'U') AND reason_place_change IS NULL "
        # A move into or back from a temporary placement (T0-T4) needs no reason.
        "AND NOT (coalesce(place, '') LIKE 'T_' OR coalesce(next_place, '') LIKE 'T_')",
    ),
    rule(
        "CLA_REVIEW_OUTSIDE_CARE",
        W,
        "cla_reviews",
        "the review on {value} is not within any of the child's episodes",
        "SELECT _location, 'REVIEW' AS field, review_date AS value FROM cla_reviews r, info "
        "WHERE NOT EXISTS (SELECT 1 FROM cla_episodes e WHERE e.child_id = r.child_id "
        "AND r.review_date >= e.decom AND r.review_date <= coalesce(e.dec, info.period_end))",
    ),
    rule(
        "CLA_MISSING_END_BEFORE_START",
        E,
        "cla_missing",
        "the missing episode ends ({value}) before it starts ({start_date})",
        "SELECT _location, 'MIS_END' AS field, end_date AS value, start_date FROM cla_missing "
        "WHERE end_date < start_date",
    ),
    rule(
        "CLA_MISSING_OUTSIDE_CARE",
        W,
        "cla_missing",
        "the child went missing on {value}, when not in any episode of care",
        "SELECT _location, 'MIS_START' AS field, start_date AS value FROM cla_missing m, info "
        "WHERE NOT EXISTS (SELECT 1 FROM cla_episodes e WHERE e.child_id = m.child_id "
        "AND m.start_date >= e.decom AND m.start_date <= coalesce(e.dec, info.period_end))",
    ),
    rule(
        "CLA_MISSING_OVERLAP",
        W,
        "cla_missing",
        "the missing episode starts {value}, before the previous one ended ({prev_end})",
        "SELECT _location, 'MIS_START' AS field, start_date AS value, prev_end FROM ("
        "SELECT _location, start_date, lag(end_date) OVER w AS prev_end, row_number() OVER w AS n "
        "FROM cla_missing "
        "WINDOW w AS (PARTITION BY child_id ORDER BY start_date, _location)) "
        "WHERE n > 1 AND start_date < prev_end",
    ),
    rule(
        "CLA_ADOPTED_WITHOUT_AD1",
        W,
        "cla_episodes",
        "the child was adopted (REC {value}) in the year but has no AD1 record",
        "SELECT _location, 'REC' AS field, rec AS value FROM cla_episodes e, info "
        "WHERE rec IN ('E11', 'E12') AND dec BETWEEN period_start AND period_end "
        "AND NOT EXISTS (SELECT 1 FROM cla_ad1 a WHERE a.child_id = e.child_id)",
    ),
    rule(
        "CLA_MATCH_BEFORE_INTEREST",
        E,
        "cla_ad1",
        "DATE_MATCH {value} is before the decision that adoption is in the child's interest "
        "(DATE_INT {interest_date})",
        "SELECT _location, 'DATE_MATCH' AS field, match_date AS value, interest_date FROM cla_ad1 "
        "WHERE match_date < interest_date",
    ),
    rule(
        "CLA_PLACED_CEASED_BEFORE_PLACED",
        E,
        "cla_placed_adoption",
        "DATE_PLACED_CEASED {value} is before DATE_PLACED {placed_date}",
        "SELECT _location, 'DATE_PLACED_CEASED' AS field, ceased_date AS value, placed_date "
        "FROM cla_placed_adoption WHERE ceased_date < placed_date",
    ),
    rule(
        "CLA_PLACED_CEASED_REASON",
        E,
        "cla_placed_adoption",
        "{field} is given without {other}",
        "SELECT _location, 'DATE_PLACED_CEASED' AS field, ceased_date AS value, "
        "'REASON_PLACED_CEASED' AS other FROM cla_placed_adoption "
        "WHERE ceased_date IS NOT NULL AND ceased_reason IS NULL "
        "UNION ALL SELECT _location, 'REASON_PLACED_CEASED', ceased_reason, 'DATE_PLACED_CEASED' "
        "FROM cla_placed_adoption WHERE ceased_reason IS NOT NULL AND ceased_date IS NULL",
    ),
    rule(
        "CLA_UASC_CEASED_AFTER_18",
        E,
        "cla_uasc",
        "DUC {value} is after the child's 18th birthday ({birthday})",
        "SELECT _location, 'DUC' AS field, uasc_ceased_date AS value, "
        "CAST(birth_date + INTERVAL 18 YEAR AS DATE) AS birthday FROM cla_uasc "
        "WHERE uasc_ceased_date > birth_date + INTERVAL 18 YEAR",
    ),
    rule(
        "CLA_OC3_AGE",
        W,
        "cla_oc3",
        "an OC3 record is for a care leaver with a 17th to 21st birthday in the year; "
        "this one was born {value}",
        "SELECT _location, 'DOB' AS field, birth_date AS value FROM cla_oc3, info "
        "WHERE birth_date + INTERVAL 17 YEAR > period_end "
        "OR birth_date + INTERVAL 21 YEAR < period_start",
    ),
    rule(
        "CLA_SDQ_RANGE",
        E,
        "cla_oc2",
        "SDQ_SCORE {value} is outside 0 to 40",
        "SELECT _location, 'SDQ_SCORE' AS field, sdq_score AS value FROM cla_oc2 "
        "WHERE sdq_score NOT BETWEEN 0 AND 40",
    ),
    rule(
        "CLA_SW_END_BEFORE_START",
        E,
        "cla_sw_episodes",
        "SW_DEC {value} is before SW_DECOM {start_date}",
        "SELECT _location, 'SW_DEC' AS field, end_date AS value, start_date "
        "FROM cla_sw_episodes WHERE end_date < start_date",
    ),
    rule(
        "CLA_SW_OVERLAP",
        E,
        "cla_sw_episodes",
        "the social worker episode starts {value}, before the previous one ended ({prev_end})",
        "SELECT _location, 'SW_DECOM' AS field, start_date AS value, prev_end FROM ("
        "SELECT _location, start_date, lag(end_date) OVER w AS prev_end, row_number() OVER w AS n "
        "FROM cla_sw_episodes WINDOW w AS (PARTITION BY child_id ORDER BY start_date, _location)) "
        "WHERE n > 1 AND start_date < prev_end",
    ),
    rule(
        "CLA_DISTANCE_OVER_350",
        W,
        "cla_episodes",
        "the placement is {value} miles from home, over 350: check HOME_POST and PL_POST "
        "(a child formerly UASC may be placed that far)",
        "SELECT _location, 'PL_DISTANCE' AS field, placement_distance_miles AS value "
        "FROM cla_episodes WHERE placement_distance_miles > 350",
    ),
    rule(
        "CLA_DISTANCE_NOT_KNOWN",
        W,
        "cla_episodes",
        "{value} of the {total} episodes open at the end of the year have no distance from "
        "home to placement (PL_DISTANCE blank or 999.9 and HOME_POST or PL_POST blank or not "
        "in the postcode lookup, or no lookup: CSCMONITOR_POSTCODE_LOOKUP); CLA_20MILES counts "
        "them as not placed over 20 miles",
        "SELECT 'file' AS _location, 'PL_DISTANCE' AS field, unknown AS value, total FROM ("
        "SELECT count(*) FILTER (WHERE placement_distance_miles IS NULL) AS unknown, "
        "count(*) AS total FROM cla_episodes, info "
        "WHERE decom <= period_end AND (dec IS NULL OR dec > period_end)) WHERE unknown > 0",
    ),
    rule(
        "CLA_DOLO_END_BEFORE_START",
        E,
        "cla_dolo",
        "DOLO_END {value} is before DOLO_START {dolo_start}",
        "SELECT _location, 'DOLO_END' AS field, dolo_end AS value, dolo_start FROM cla_dolo "
        "WHERE dolo_end < dolo_start",
    ),
    rule(
        "CLA_DOLO_AFTER_YEAR",
        E,
        "cla_dolo",
        "{field} {value} is after the end of the collection year ({period_end})",
        "SELECT _location, 'DOLO_START' AS field, dolo_start AS value, period_end "
        "FROM cla_dolo, info WHERE dolo_start > period_end "
        "UNION ALL SELECT _location, 'DOLO_END', dolo_end, period_end "
        "FROM cla_dolo, info WHERE dolo_end > period_end",
    ),
    rule(
        "CLA_DOLO_WITHOUT_HEADER",
        E,
        "cla_dolo",
        "the child has a deprivation of liberty order but no row in the Header table",
        "SELECT _location, 'CHILD' AS field, '' AS value FROM cla_dolo d "
        "WHERE NOT EXISTS (SELECT 1 FROM cla_children h WHERE h.child_id = d.child_id)",
    ),
    rule(
        "CLA_PERM_DATE_AFTER_YEAR",
        E,
        "cla_prev_perm",
        "DATE_PERM {value} is after the end of the collection year ({period_end})",
        "SELECT _location, 'DATE_PERM' AS field, perm_date AS value, period_end "
        "FROM cla_prev_perm, info WHERE perm_date > period_end",
    ),
)
