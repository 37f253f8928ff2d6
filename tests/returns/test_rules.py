"""Every cross-field rule, on rows written out by hand: which rows it flags, and which not.

Returns are for the year 2016: the CIN census, SSDA903 and early help year is
1 April 2015 to 31 March 2016, the workforce year 1 October 2015 to 30 September 2016,
the school year 1 September 2015 to 31 August 2016. In each case the rows named "ok..."
must not be flagged and every other row named in `expected` must be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cscmonitor.returns.checks import RULES, run
from tests.returns.conftest import make_return


@dataclass(frozen=True)
class Case:
    code: str
    kind: str
    tables: dict[str, list[dict[str, Any]]]
    expected: set[tuple[str, str]]  # (location, field) of each problem


def row(location: str, **values: Any) -> dict[str, Any]:
    return {"_location": location, **values}


def episode(location: str, child: str, decom: str, dec: str | None = None, **more: Any):
    return row(location, child_id=child, decom=decom, dec=dec, **more)


CLA = "ssda903"
CASES = [
    # SSDA903 ----------------------------------------------------------------------------
    Case(
        "CLA_DEC_BEFORE_DECOM",
        CLA,
        {
            "cla_episodes": [
                episode("bad", "C1", "2015-05-01", "2015-04-01", rec="E4A"),
                episode("ok", "C2", "2015-05-01", "2015-06-01", rec="E4A"),
                episode("ok-open", "C3", "2015-05-01"),
            ]
        },
        {("bad", "DEC")},
    ),
    Case(
        "CLA_EPISODES_OVERLAP",
        CLA,
        {
            "cla_episodes": [
                episode("ok-e1", "C1", "2015-04-10", "2015-06-01", rec="X1"),
                episode("e2", "C1", "2015-05-01", "2015-07-01", rec="E4A"),
                episode("ok-f1", "C2", "2015-04-10", "2015-06-01", rec="X1"),
                episode("ok-f2", "C2", "2015-06-01"),
            ]
        },
        {("e2", "DECOM")},
    ),
    Case(
        "CLA_OPEN_NOT_LAST",
        CLA,
        {
            "cla_episodes": [
                episode("e1", "C1", "2015-04-10"),
                episode("ok-e2", "C1", "2015-06-01"),
                episode("ok-f1", "C2", "2015-04-10"),
            ]
        },
        {("e1", "DEC")},
    ),
    Case(
        "CLA_X1_NOT_CHAINED",
        CLA,
        {
            "cla_episodes": [
                episode("e1", "C1", "2015-04-10", "2015-06-01", rec="X1"),
                episode("ok-e2", "C1", "2015-06-02"),
                episode("ok-f1", "C2", "2015-04-10", "2015-06-01", rec="X1"),
                episode("ok-f2", "C2", "2015-06-01"),
                episode("g1", "C3", "2015-04-10", "2015-05-01", rec="X1"),
            ]
        },
        {("e1", "REC"), ("g1", "REC")},
    ),
    Case(
        "CLA_NEW_PERIOD_NOT_S",
        CLA,
        {
            "cla_episodes": [
                episode("ok-e1", "C1", "2015-04-10", "2015-05-01", rec="E4A", rne="S"),
                episode("e2", "C1", "2015-06-01", rne="P"),
                episode("ok-f1", "C2", "2015-04-10", "2015-05-01", rec="E4A", rne="S"),
                episode("ok-f2", "C2", "2015-06-01", rne="S"),
            ]
        },
        {("e2", "RNE")},
    ),
    Case(
        "CLA_S_AFTER_X1",
        CLA,
        {
            "cla_episodes": [
                episode("ok-e1", "C1", "2015-04-10", "2015-05-01", rec="X1", rne="S"),
                episode("e2", "C1", "2015-05-01", rne="S"),
                episode("ok-f1", "C2", "2015-04-10", "2015-05-01", rec="X1", rne="S"),
                episode("ok-f2", "C2", "2015-05-01", rne="P"),
            ]
        },
        {("e2", "RNE")},
    ),
    Case(
        "CLA_REC_WITHOUT_DEC",
        CLA,
        {
            "cla_episodes": [
                episode("bad", "C1", "2015-05-01", rec="X1"),
                episode("ok", "C2", "2015-05-01"),
                episode("ok-ended", "C3", "2015-05-01", "2015-06-01", rec="E4A"),
            ]
        },
        {("bad", "REC")},
    ),
    Case(
        "CLA_DEC_WITHOUT_REC",
        CLA,
        {
            "cla_episodes": [
                episode("bad", "C1", "2015-05-01", "2015-06-01"),
                episode("ok", "C2", "2015-05-01", "2015-06-01", rec="E4A"),
            ]
        },
        {("bad", "REC")},
    ),
    Case(
        "CLA_DATE_AFTER_YEAR",
        CLA,
        {
            "cla_episodes": [
                episode("a", "C1", "2016-04-02"),
                episode("b", "C2", "2015-05-01", "2016-05-01", rec="E4A"),
                episode("ok", "C3", "2015-05-01", "2016-03-31", rec="E4A"),
            ]
        },
        {("a", "DECOM"), ("b", "DEC")},
    ),
    Case(
        "CLA_EPISODE_BEFORE_YEAR",
        CLA,
        {
            "cla_episodes": [
                episode("a", "C1", "2015-01-01", "2015-03-31", rec="E4A"),
                episode("ok", "C2", "2015-01-01", "2015-04-01", rec="E4A"),
            ]
        },
        {("a", "DEC")},
    ),
    Case(
        "CLA_DECOM_BEFORE_BIRTH",
        CLA,
        {
            "cla_children": [row("h1", child_id="C1", birth_date="2010-01-01")],
            "cla_episodes": [
                episode("a", "C1", "2009-12-31", "2010-01-01", rec="X1"),
                episode("ok", "C1", "2010-01-01"),
            ],
        },
        {("a", "DECOM")},
    ),
    Case(
        "CLA_BIRTH_AFTER_YEAR",
        CLA,
        {
            "cla_children": [
                row("a", child_id="C1", birth_date="2016-04-01"),
                row("ok", child_id="C2", birth_date="2016-03-31"),
            ]
        },
        {("a", "DOB")},
    ),
    Case(
        "CLA_EPISODE_WITHOUT_HEADER",
        CLA,
        {
            "cla_children": [row("h1", child_id="C1")],
            "cla_episodes": [episode("ok", "C1", "2015-05-01"), episode("b", "C2", "2015-05-01")],
        },
        {("b", "CHILD")},
    ),
    Case(
        "CLA_HEADER_WITHOUT_EPISODE",
        CLA,
        {
            "cla_children": [
                row("ok-h1", child_id="C1"),
                row("h2", child_id="C2"),
                row("ok-h3", child_id="C3"),
            ],
            "cla_episodes": [episode("e1", "C1", "2015-05-01")],
            "cla_oc3": [row("o3", child_id="C3", in_touch="YES")],
        },
        {("h2", "CHILD")},
    ),
    Case(
        "CLA_DUPLICATE_CHILD",
        CLA,
        {
            "cla_children": [
                row("row 2", child_id="C1"),
                row("row 3", child_id="C2"),
                row("row 5", child_id="C1"),
            ]
        },
        {("row 5", "CHILD")},
    ),
    Case(
        "CLA_DUPLICATE_EPISODE",
        CLA,
        {
            "cla_episodes": [
                episode("row 2", "C1", "2015-05-01", "2015-06-01", rec="X1"),
                episode("row 3", "C1", "2015-05-01", "2015-06-01", rec="X1"),
                episode("row 4", "C1", "2015-06-01"),
            ]
        },
        {("row 3", "DECOM")},
    ),
    Case(
        "CLA_STARTED_AT_18",
        CLA,
        {
            "cla_children": [row("h1", child_id="C1", birth_date="1997-06-01")],
            "cla_episodes": [
                episode("ok", "C1", "2015-05-31", "2015-06-01", rec="X1"),
                episode("a", "C1", "2015-06-01"),
            ],
        },
        {("a", "DECOM")},
    ),
    Case(
        "CLA_PLACEMENT_CHANGE_REASON",
        CLA,
        {
            "cla_episodes": [
                episode("e1", "C1", "2015-04-10", "2015-06-01", rec="X1", place="U1"),
                episode("ok-e2", "C1", "2015-06-01", rne="P", place="U2"),
                episode(
                    "ok-f1",
                    "C2",
                    "2015-04-10",
                    "2015-06-01",
                    rec="X1",
                    place="U1",
                    reason_place_change="CARPL",
                ),
                episode("ok-f2", "C2", "2015-06-01", rne="P", place="U2"),
                episode("ok-g1", "C3", "2015-04-10", "2015-06-01", rec="X1", place="U1"),
                episode("ok-g2", "C3", "2015-06-01", rne="P", place="T1"),
                episode("ok-h1", "C4", "2015-04-10", "2015-06-01", rec="X1", place="U1"),
                episode("ok-h2", "C4", "2015-06-01", rne="L", place="U1"),
            ]
        },
        {("e1", "REASON_PLACE_CHANGE")},
    ),
    Case(
        "CLA_REVIEW_OUTSIDE_CARE",
        CLA,
        {
            "cla_episodes": [
                episode("e1", "C1", "2015-05-01", "2015-08-01", rec="E4A"),
                episode("e3", "C3", "2015-05-01"),
            ],
            "cla_reviews": [
                row("ok-a", child_id="C1", review_date="2015-06-01"),
                row("b", child_id="C1", review_date="2015-09-01"),
                row("c", child_id="C2", review_date="2015-06-01"),
                row("ok-d", child_id="C3", review_date="2016-01-01"),
            ],
        },
        {("b", "REVIEW"), ("c", "REVIEW")},
    ),
    Case(
        "CLA_MISSING_END_BEFORE_START",
        CLA,
        {
            "cla_missing": [
                row("a", child_id="C1", start_date="2015-06-10", end_date="2015-06-09"),
                row("ok", child_id="C1", start_date="2015-07-10"),
            ]
        },
        {("a", "MIS_END")},
    ),
    Case(
        "CLA_MISSING_OUTSIDE_CARE",
        CLA,
        {
            "cla_episodes": [episode("e1", "C1", "2015-05-01", "2015-08-01", rec="E4A")],
            "cla_missing": [
                row("ok", child_id="C1", start_date="2015-06-01", end_date="2015-06-02"),
                row("b", child_id="C1", start_date="2015-09-01"),
            ],
        },
        {("b", "MIS_START")},
    ),
    Case(
        "CLA_MISSING_OVERLAP",
        CLA,
        {
            "cla_missing": [
                row("ok-a", child_id="C1", start_date="2015-06-01", end_date="2015-06-05"),
                row("b", child_id="C1", start_date="2015-06-03", end_date="2015-06-04"),
                row("ok-c", child_id="C1", start_date="2015-06-05", end_date="2015-06-06"),
            ]
        },
        {("b", "MIS_START")},
    ),
    Case(
        "CLA_ADOPTED_WITHOUT_AD1",
        CLA,
        {
            "cla_episodes": [
                episode("ok-a", "C1", "2015-05-01", "2015-10-01", rec="E11"),
                episode("b", "C2", "2015-05-01", "2015-10-01", rec="E12"),
                episode("ok-c", "C3", "2014-05-01", "2015-03-01", rec="E11"),
            ],
            "cla_ad1": [row("ad", child_id="C1")],
        },
        {("b", "REC")},
    ),
    Case(
        "CLA_MATCH_BEFORE_INTEREST",
        CLA,
        {
            "cla_ad1": [
                row("a", child_id="C1", interest_date="2015-06-01", match_date="2015-05-01"),
                row("ok", child_id="C2", interest_date="2015-06-01", match_date="2015-06-01"),
            ]
        },
        {("a", "DATE_MATCH")},
    ),
    Case(
        "CLA_PLACED_CEASED_BEFORE_PLACED",
        CLA,
        {
            "cla_placed_adoption": [
                row("a", child_id="C1", placed_date="2015-06-01", ceased_date="2015-05-31"),
                row("ok", child_id="C2", placed_date="2015-06-01"),
            ]
        },
        {("a", "DATE_PLACED_CEASED")},
    ),
    Case(
        "CLA_PLACED_CEASED_REASON",
        CLA,
        {
            "cla_placed_adoption": [
                row("a", child_id="C1", placed_date="2015-06-01", ceased_date="2015-07-01"),
                row("b", child_id="C2", placed_date="2015-06-01", ceased_reason="RD1"),
                row(
                    "ok",
                    child_id="C3",
                    placed_date="2015-06-01",
                    ceased_date="2015-07-01",
                    ceased_reason="RD1",
                ),
            ]
        },
        {("a", "DATE_PLACED_CEASED"), ("b", "REASON_PLACED_CEASED")},
    ),
    Case(
        "CLA_UASC_CEASED_AFTER_18",
        CLA,
        {
            "cla_uasc": [
                row("a", child_id="C1", birth_date="1998-01-01", uasc_ceased_date="2016-01-02"),
                row("ok", child_id="C2", birth_date="1998-01-01", uasc_ceased_date="2016-01-01"),
            ]
        },
        {("a", "DUC")},
    ),
    Case(
        "CLA_OC3_AGE",
        CLA,
        {
            "cla_oc3": [
                row("ok", child_id="C1", birth_date="1996-06-01"),
                row("a", child_id="C2", birth_date="2000-01-01"),
                row("b", child_id="C3", birth_date="1993-06-01"),
                row("ok-c", child_id="C4", birth_date="1994-04-01"),
            ]
        },
        {("a", "DOB"), ("b", "DOB")},
    ),
    Case(
        "CLA_SDQ_RANGE",
        CLA,
        {
            "cla_oc2": [
                row("a", child_id="C1", sdq_score=41),
                row("ok", child_id="C2", sdq_score=40),
                row("b", child_id="C3", sdq_score=-1),
                row("ok-blank", child_id="C4"),
            ]
        },
        {("a", "SDQ_SCORE"), ("b", "SDQ_SCORE")},
    ),
    Case(
        "CLA_SW_END_BEFORE_START",
        CLA,
        {
            "cla_sw_episodes": [
                row("a", child_id="C1", sw_id="S1", start_date="2015-06-01", end_date="2015-05-01"),
                row("ok", child_id="C2", sw_id="S1", start_date="2015-06-01"),
            ]
        },
        {("a", "SW_DEC")},
    ),
    Case(
        "CLA_SW_OVERLAP",
        CLA,
        {
            "cla_sw_episodes": [
                row("ok-a", child_id="C1", start_date="2015-05-01", end_date="2015-07-01"),
                row("b", child_id="C1", start_date="2015-06-01", end_date="2015-08-01"),
                row("ok-c", child_id="C1", start_date="2015-08-01"),
            ]
        },
        {("b", "SW_DECOM")},
    ),
    Case(
        "CLA_PERM_DATE_AFTER_YEAR",
        CLA,
        {
            "cla_prev_perm": [
                row("a", child_id="C1", perm_date="2016-04-01"),
                row("ok", child_id="C2", perm_date="2016-03-31"),
                row("ok-partial", child_id="C3", perm_date_text="zz/zz/2017"),
            ]
        },
        {("a", "DATE_PERM")},
    ),
    Case(
        "CLA_DISTANCE_OVER_350",
        CLA,
        {
            "cla_episodes": [
                episode("a", "C1", "2015-05-01", placement_distance_miles=350.1),
                episode("ok-350", "C2", "2015-05-01", placement_distance_miles=350.0),
                episode("ok-not-known", "C3", "2015-05-01"),
            ]
        },
        {("a", "PL_DISTANCE")},
    ),
    Case(
        "CLA_DISTANCE_NOT_KNOWN",
        CLA,
        {
            "cla_episodes": [
                episode("ok-known", "C1", "2015-05-01", placement_distance_miles=3.2),
                episode("ok-ended", "C2", "2015-05-01", "2015-06-01", rec="E4A"),
                episode("not-known", "C3", "2015-05-01"),
            ]
        },
        {("file", "PL_DISTANCE")},
    ),
    Case(
        "CLA_DOLO_END_BEFORE_START",
        CLA,
        {
            "cla_dolo": [
                row("a", child_id="C1", dolo_start="2015-06-02", dolo_end="2015-06-01"),
                row("ok-same-day", child_id="C2", dolo_start="2015-06-01", dolo_end="2015-06-01"),
                row("ok-open", child_id="C3", dolo_start="2015-06-01"),
            ]
        },
        {("a", "DOLO_END")},
    ),
    Case(
        "CLA_DOLO_AFTER_YEAR",
        CLA,
        {
            "cla_dolo": [
                row("a", child_id="C1", dolo_start="2016-04-01"),
                row("b", child_id="C2", dolo_start="2016-03-01", dolo_end="2016-04-01"),
                row("ok", child_id="C3", dolo_start="2016-03-31", dolo_end="2016-03-31"),
            ]
        },
        {("a", "DOLO_START"), ("b", "DOLO_END")},
    ),
    Case(
        "CLA_DOLO_WITHOUT_HEADER",
        CLA,
        {
            "cla_children": [row("h1", child_id="C1")],
            "cla_dolo": [
                row("ok", child_id="C1", dolo_start="2015-06-01"),
                row("a", child_id="C2", dolo_start="2015-06-01"),
            ],
        },
        {("a", "CHILD")},
    ),
]


def ref(location: str, child: str, referral: str, **more: Any) -> dict[str, Any]:
    return row(location, child_id=child, referral_date=referral, **more)


def pp(location: str, **more: Any) -> dict[str, Any]:
    """A pre-proceedings block begun on 1 June 2015, under C1's referral of 1 May 2015."""
    return ref(location, "C1", "2015-05-01", **({"pp_start_date": "2015-06-01"} | more))


CIN = "cin"
CASES += [
    Case(
        "CIN_CLOSURE_BEFORE_REFERRAL",
        CIN,
        {
            "cin_referrals": [
                ref("a", "C1", "2015-06-01", closure_date="2015-05-31", closure_reason="RC8"),
                ref("ok", "C2", "2015-06-01", closure_date="2015-06-01", closure_reason="RC8"),
            ]
        },
        {("a", "CINclosureDate")},
    ),
    Case(
        "CIN_CLOSURE_WITHOUT_REASON",
        CIN,
        {
            "cin_referrals": [
                ref("a", "C1", "2015-06-01", closure_date="2015-07-01"),
                ref("ok", "C2", "2015-06-01", closure_date="2015-07-01", closure_reason="RC7"),
                ref("ok-open", "C3", "2015-06-01"),
            ]
        },
        {("a", "ReasonForClosure")},
    ),
    Case(
        "CIN_REASON_WITHOUT_CLOSURE",
        CIN,
        {
            "cin_referrals": [
                ref("a", "C1", "2015-06-01", closure_reason="RC7"),
                ref("ok", "C2", "2015-06-01"),
            ]
        },
        {("a", "ReasonForClosure")},
    ),
    Case(
        "CIN_DATE_AFTER_CENSUS",
        CIN,
        {
            "cin_referrals": [
                ref("r1", "C1", "2016-04-01"),
                ref("ok-r2", "C2", "2016-03-31"),
            ],
            "cin_assessments": [
                ref(
                    "a1", "C2", "2016-03-31", start_date="2016-03-31", authorised_date="2016-04-02"
                ),
            ],
            "cin_plan_reviews": [
                ref(
                    "v1", "C2", "2016-03-31", plan_start_date="2016-03-31", review_date="2016-05-01"
                )
            ],
            "cin_pre_proceedings": [pp("p1", court_application_date="2016-04-01")],
        },
        {
            ("p1", "CourtAppDate"),
            ("r1", "CINreferralDate"),
            ("a1", "AssessmentAuthorisationDate"),
            ("v1", "CPPreviewDate"),
        },
    ),
    Case(
        "CIN_NO_BIRTH_DATE",
        CIN,
        {
            "cin_children": [
                row("a", child_id="C1"),
                row("ok-unborn", child_id="C2", expected_birth_date="2016-05-01"),
                row("ok-born", child_id="C3", birth_date="2010-05-01"),
            ]
        },
        {("a", "PersonBirthDate")},
    ),
    Case(
        "CIN_DEATH_BEFORE_BIRTH",
        CIN,
        {
            "cin_children": [
                row("a", child_id="C1", birth_date="2010-05-01", death_date="2010-04-30"),
                row("ok", child_id="C2", birth_date="2010-05-01", death_date="2010-05-01"),
            ]
        },
        {("a", "PersonDeathDate")},
    ),
    Case(
        "CIN_REFERRAL_BEFORE_BIRTH",
        CIN,
        {
            "cin_children": [row("c1", child_id="C1", birth_date="2015-08-01")],
            "cin_referrals": [ref("a", "C1", "2015-07-01"), ref("ok", "C1", "2015-08-01")],
        },
        {("a", "CINreferralDate")},
    ),
    Case(
        "CIN_DUPLICATE_CHILD",
        CIN,
        {
            "cin_children": [
                row("Child[1]", child_id="C1"),
                row("Child[2]", child_id="C2"),
                row("Child[3]", child_id="C1"),
            ]
        },
        {("Child[3]", "LAchildID")},
    ),
    Case(
        "CIN_DUPLICATE_REFERRAL",
        CIN,
        {
            "cin_referrals": [
                ref("d1", "C1", "2015-06-01"),
                ref("d2", "C1", "2015-06-01"),
                ref("ok", "C1", "2015-09-01"),
            ]
        },
        {("d2", "CINreferralDate")},
    ),
    Case(
        "CIN_REFERRALS_OVERLAP",
        CIN,
        {
            "cin_referrals": [
                ref("ok-r1", "C1", "2015-05-01", closure_date="2015-07-01"),
                ref("r2", "C1", "2015-06-01"),
                ref("ok-s1", "C2", "2015-05-01"),
                ref("s2", "C2", "2015-08-01"),
                ref("ok-t1", "C3", "2015-05-01", closure_date="2015-06-01"),
                ref("ok-t2", "C3", "2015-06-01"),
            ]
        },
        {("r2", "CINreferralDate"), ("s2", "CINreferralDate")},
    ),
    Case(
        "CIN_ASSESSMENT_AUTHORISED_BEFORE_START",
        CIN,
        {
            "cin_assessments": [
                ref("a", "C1", "2015-06-01", start_date="2015-06-10", authorised_date="2015-06-09"),
                ref(
                    "ok", "C1", "2015-06-01", start_date="2015-06-10", authorised_date="2015-06-10"
                ),
            ]
        },
        {("a", "AssessmentAuthorisationDate")},
    ),
    Case(
        "CIN_ASSESSMENT_BEFORE_REFERRAL",
        CIN,
        {
            "cin_assessments": [
                ref("a", "C1", "2015-06-01", start_date="2015-05-31"),
                ref("ok", "C2", "2015-06-01", start_date="2015-06-01"),
            ]
        },
        {("a", "AssessmentActualStartDate")},
    ),
    Case(
        "CIN_ASSESSMENT_AFTER_CLOSURE",
        CIN,
        {
            "cin_referrals": [ref("r1", "C1", "2015-06-01", closure_date="2015-07-01")],
            "cin_assessments": [
                ref("a", "C1", "2015-06-01", start_date="2015-07-02"),
                ref("ok", "C1", "2015-06-01", start_date="2015-07-01"),
            ],
        },
        {("a", "AssessmentActualStartDate")},
    ),
    Case(
        "CIN_FACTORS_WITHOUT_AUTHORISATION",
        CIN,
        {
            "cin_assessments": [
                ref("a1", "C1", "2015-06-01", start_date="2015-06-02"),
                ref(
                    "a2", "C2", "2015-06-01", start_date="2015-06-02", authorised_date="2015-06-20"
                ),
                # C3's assessment recorded twice with one start, once not yet authorised: its
                # factor carries the authorised one's date, so it is not flagged (a join on
                # the start date paired it with both and flagged it).
                ref(
                    "a3", "C3", "2015-06-01", start_date="2015-06-02", authorised_date="2015-06-20"
                ),
                ref("a3-open", "C3", "2015-06-01", start_date="2015-06-02"),
            ],
            "cin_assessment_factors": [
                ref("f1", "C1", "2015-06-01", assessment_start_date="2015-06-02", factor="1A"),
                *(
                    ref(
                        location,
                        child,
                        "2015-06-01",
                        assessment_start_date="2015-06-02",
                        assessment_authorised_date="2015-06-20",
                        factor="1A",
                    )
                    for location, child in (("ok", "C2"), ("ok-twin", "C3"))
                ),
            ],
        },
        {("f1", "AssessmentFactors")},
    ),
    Case(
        "CIN_AUTHORISED_WITHOUT_FACTORS",
        CIN,
        {
            "cin_assessments": [
                ref(
                    "a1", "C1", "2015-06-01", start_date="2015-06-02", authorised_date="2015-06-20"
                ),
                ref(
                    "ok", "C2", "2015-06-01", start_date="2015-06-02", authorised_date="2015-06-20"
                ),
                ref("ok-open", "C3", "2015-06-01", start_date="2015-06-02"),
            ],
            "cin_assessment_factors": [
                ref("f2", "C2", "2015-06-01", assessment_start_date="2015-06-02", factor="21"),
            ],
        },
        {("a1", "FactorsIdentifiedAtAssessment")},
    ),
    Case(
        "CIN_FACTOR_21_WITH_OTHERS",
        CIN,
        {
            "cin_assessment_factors": [
                ref("f1", "C1", "2015-06-01", assessment_start_date="2015-06-02", factor="21"),
                ref("ok-f2", "C1", "2015-06-01", assessment_start_date="2015-06-02", factor="1A"),
                ref("ok-g1", "C2", "2015-06-01", assessment_start_date="2015-06-02", factor="21"),
            ]
        },
        {("f1", "AssessmentFactors")},
    ),
    Case(
        "CIN_S47_BEFORE_REFERRAL",
        CIN,
        {
            "cin_section47": [
                ref("a", "C1", "2015-06-01", start_date="2015-05-01"),
                ref("ok", "C1", "2015-06-01", start_date="2015-06-01"),
            ]
        },
        {("a", "S47ActualStartDate")},
    ),
    Case(
        "CIN_ICPC_BEFORE_S47",
        CIN,
        {
            "cin_section47": [
                ref("a", "C1", "2015-06-01", start_date="2015-06-05", icpc_date="2015-06-04"),
                ref("ok", "C1", "2015-06-01", start_date="2015-06-05", icpc_date="2015-06-20"),
            ]
        },
        {("a", "DateOfInitialCPC")},
    ),
    Case(
        "CIN_ICPC_NOT_REQUIRED_BUT_HELD",
        CIN,
        {
            "cin_section47": [
                ref("a", "C1", "2015-06-01", icpc_not_required=True, icpc_date="2015-06-20"),
                ref("ok", "C2", "2015-06-01", icpc_not_required=True),
                ref("ok-held", "C3", "2015-06-01", icpc_not_required=False, icpc_date="2015-06-20"),
            ]
        },
        {("a", "DateOfInitialCPC")},
    ),
    Case(
        "CIN_CPP_END_BEFORE_START",
        CIN,
        {
            "cin_plans": [
                ref("a", "C1", "2015-06-01", start_date="2015-07-01", end_date="2015-06-30"),
                ref("ok", "C2", "2015-06-01", start_date="2015-07-01"),
            ]
        },
        {("a", "CPPendDate")},
    ),
    Case(
        "CIN_CPP_BEFORE_REFERRAL",
        CIN,
        {
            "cin_plans": [
                ref("a", "C1", "2015-06-01", start_date="2015-05-01"),
                ref("ok", "C2", "2015-06-01", start_date="2015-06-01"),
            ]
        },
        {("a", "CPPstartDate")},
    ),
    Case(
        "CIN_CPP_STARTS_AFTER_CLOSURE",
        CIN,
        {
            "cin_referrals": [ref("r1", "C1", "2015-06-01", closure_date="2015-09-01")],
            "cin_plans": [
                ref("a", "C1", "2015-06-01", start_date="2015-09-02", end_date="2015-09-03"),
                ref("ok", "C1", "2015-06-01", start_date="2015-07-01", end_date="2015-09-01"),
            ],
        },
        {("a", "CPPstartDate")},
    ),
    Case(
        "CIN_CPP_OPEN_AFTER_CLOSURE",
        CIN,
        {
            "cin_referrals": [
                ref("r1", "C1", "2015-06-01", closure_date="2015-09-01"),
                ref("r2", "C2", "2015-06-01"),
            ],
            "cin_plans": [
                ref("a", "C1", "2015-06-01", start_date="2015-07-01"),
                ref("b", "C1", "2015-06-01", start_date="2015-07-02", end_date="2015-09-02"),
                ref("ok", "C1", "2015-06-01", start_date="2015-07-03", end_date="2015-09-01"),
                ref("ok-open-case", "C2", "2015-06-01", start_date="2015-07-01"),
            ],
        },
        {("a", "CPPendDate"), ("b", "CPPendDate")},
    ),
    Case(
        "CIN_CPP_OVERLAP",
        CIN,
        {
            "cin_plans": [
                ref("ok-p1", "C1", "2015-05-01", start_date="2015-05-10", end_date="2015-08-01"),
                ref("p2", "C1", "2015-06-01", start_date="2015-07-01", end_date="2015-10-01"),
                ref("ok-q1", "C2", "2015-05-01", start_date="2015-05-10", end_date="2015-08-01"),
                ref("ok-q2", "C2", "2015-06-01", start_date="2015-08-01"),
            ]
        },
        {("p2", "CPPstartDate")},
    ),
    Case(
        "CIN_REVIEW_OUTSIDE_PLAN",
        CIN,
        {
            "cin_plans": [
                ref("p1", "C1", "2015-05-01", start_date="2015-05-10", end_date="2015-08-01")
            ],
            "cin_plan_reviews": [
                ref(
                    "a", "C1", "2015-05-01", plan_start_date="2015-05-10", review_date="2015-05-09"
                ),
                ref(
                    "ok", "C1", "2015-05-01", plan_start_date="2015-05-10", review_date="2015-06-01"
                ),
                ref(
                    "b", "C1", "2015-05-01", plan_start_date="2015-05-10", review_date="2015-08-02"
                ),
            ],
        },
        {("a", "CPPreviewDate"), ("b", "CPPreviewDate")},
    ),
    Case(
        "CIN_PLAN_DATES_END_BEFORE_START",
        CIN,
        {
            "cin_plan_dates": [
                ref("a", "C1", "2015-05-01", start_date="2015-06-01", end_date="2015-05-31"),
                ref("ok", "C1", "2015-05-01", start_date="2015-06-01"),
            ]
        },
        {("a", "CINPlanEndDate")},
    ),
    Case(
        "CIN_PLAN_BEFORE_REFERRAL",
        CIN,
        {
            "cin_plan_dates": [
                ref("a", "C1", "2015-05-01", start_date="2015-04-30"),
                ref("ok", "C2", "2015-05-01", start_date="2015-05-01"),
            ]
        },
        {("a", "CINPlanStartDate")},
    ),
    Case(
        "CIN_NFA_WITH_ACTIVITY",
        CIN,
        {
            "cin_referrals": [
                ref("a", "C1", "2015-05-01", referral_nfa=True),
                ref("ok", "C2", "2015-05-01", referral_nfa=True),
                ref("ok-acted", "C3", "2015-05-01", referral_nfa=False),
            ],
            "cin_assessments": [
                ref("x", "C1", "2015-05-01", start_date="2015-05-02"),
                ref("y", "C3", "2015-05-01", start_date="2015-05-02"),
            ],
        },
        {("a", "ReferralNFA")},
    ),
    Case(
        "CIN_PREVIOUS_CPP_NEGATIVE",
        CIN,
        {
            "cin_plans": [
                ref("a", "C1", "2015-05-01", start_date="2015-06-01", previous_plans=-1),
                ref("ok", "C2", "2015-05-01", start_date="2015-06-01", previous_plans=0),
            ]
        },
        {("a", "NumberOfPreviousCPP")},
    ),
    Case(
        "CIN_DISABILITY_NONE_WITH_OTHERS",
        CIN,
        {
            "cin_disabilities": [
                row("a", child_id="C1", disability="NONE"),
                row("ok-b", child_id="C1", disability="HAND"),
                row("ok-c", child_id="C2", disability="NONE"),
            ]
        },
        {("a", "Disability")},
    ),
    Case(
        "CIN_DISABILITY_DUPLICATE",
        CIN,
        {
            "cin_disabilities": [
                row("d1", child_id="C1", disability="HAND"),
                row("d2", child_id="C1", disability="HAND"),
                row("ok", child_id="C1", disability="HEAR"),
            ]
        },
        {("d2", "Disability")},
    ),
    Case(
        "CIN_PP_OUTCOME_UNKNOWN",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("d", pp_outcome="D"),
                pp("ok-a", pp_outcome="A"),
                pp("ok-c", pp_outcome="C"),
                pp("ok-blank"),
            ]
        },
        {("d", "PPOutcome")},
    ),
    Case(
        "CIN_PP_START_BEFORE_YEAR",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("early", pp_start_date="2015-03-31"),
                pp("ok-first-day", pp_start_date="2015-04-01"),
            ]
        },
        {("early", "PPStartDate")},
    ),
    Case(
        "CIN_PP_DATE_BEFORE_START",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("letter", lbp_sent_date="2015-05-31"),
                pp("meeting", initial_pp_meeting_date="2015-05-01"),
                pp("decision", step_decision_date="2015-04-30"),
                pp(
                    "ok-same-day",
                    lbp_sent_date="2015-06-01",
                    initial_pp_meeting_date="2015-06-01",
                    step_decision_date="2015-06-01",
                ),
            ]
        },
        {
            ("letter", "LBPSentDate"),
            ("meeting", "InitialPPMeetingDate"),
            ("decision", "StepDecisionDate"),
        },
    ),
    Case(
        "CIN_PP_COURT_BEFORE_DECISION",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("a", step_decision_date="2015-09-01", court_application_date="2015-08-31"),
                pp("ok", step_decision_date="2015-09-01", court_application_date="2015-09-01"),
                pp("ok-no-decision", court_application_date="2015-08-31"),
            ]
        },
        {("a", "CourtAppDate")},
    ),
    Case(
        "CIN_PP_REVIEWS_NEGATIVE",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("a", review_meetings_count=-1),
                pp("ok", review_meetings_count=0),
            ]
        },
        {("a", "ReviewMeetingsCount")},
    ),
    Case(
        "CIN_PP_FGDM_HELD_BLANK",
        CIN,
        {
            "cin_pre_proceedings": [
                pp("a", fgdm_offered=True),
                pp("ok-held", fgdm_offered=True, fgdm_held=False),
                pp("ok-not-offered", fgdm_offered=False),
            ]
        },
        {("a", "FGDMMeetingFac")},
    ),
]


def worker(location: str, worker_id: str = "W1", **values: Any) -> dict[str, Any]:
    return row(location, worker_id=worker_id, **values)


SW = "workforce"
CASES += [
    Case(
        "SW_LEFT_BEFORE_START",
        SW,
        {
            "sw_workers": [
                worker("a", start_date="2015-06-01", left_date="2015-05-31", reason_left="RES"),
                worker("ok", "W2", start_date="2015-06-01", left_date="2015-06-01"),
            ]
        },
        {("a", "LEFT_DATE")},
    ),
    Case(
        "SW_LEFT_WITHOUT_REASON",
        SW,
        {
            "sw_workers": [
                worker("a", start_date="2015-06-01", left_date="2016-01-31"),
                worker(
                    "ok", "W2", start_date="2015-06-01", left_date="2016-01-31", reason_left="RES"
                ),
            ]
        },
        {("a", "REASON_LEFT")},
    ),
    Case(
        "SW_REASON_WITHOUT_LEFT",
        SW,
        {
            "sw_workers": [
                worker("a", start_date="2015-06-01", reason_left="RES"),
                worker("ok", "W2", start_date="2015-06-01"),
            ]
        },
        {("a", "REASON_LEFT")},
    ),
    Case(
        "SW_FTE_RANGE",
        SW,
        {
            "sw_workers": [
                worker("a", fte=0.0),
                worker("b", "W2", fte=1.2),
                worker("ok", "W3", fte=1.0),
                worker("ok-part", "W4", fte=0.5),
            ]
        },
        {("a", "FTE"), ("b", "FTE")},
    ),
    Case(
        "SW_ROLE_RANGE",
        SW,
        {
            "sw_workers": [
                worker("a", role=7),
                worker("ok", "W2", role=5),
                worker("b", "W3", role=0),
            ]
        },
        {("a", "ROLE"), ("b", "ROLE")},
    ),
    Case(
        "SW_CASES_FOR_LEAVER",
        SW,
        {
            "sw_workers": [
                worker("a", left_date="2016-01-01", cases=12),
                worker("ok", "W2", cases=12),
                worker("ok-left", "W3", left_date="2016-01-01"),
            ]
        },
        {("a", "CASES")},
    ),
    Case(
        "SW_CASES_NEGATIVE",
        SW,
        {"sw_workers": [worker("a", cases=-1), worker("ok", "W2", cases=0)]},
        {("a", "CASES")},
    ),
    Case(
        "SW_DATE_AFTER_CENSUS",
        SW,
        {
            "sw_workers": [
                worker("a", start_date="2016-10-01"),
                worker("b", "W2", start_date="2015-01-01", left_date="2016-10-01"),
                worker("ok", "W3", start_date="2016-09-30", left_date="2016-09-30"),
            ]
        },
        {("a", "START_DATE"), ("b", "LEFT_DATE")},
    ),
    Case(
        "SW_OVERLAPPING_ROWS",
        SW,
        {
            "sw_workers": [
                worker("ok-a", start_date="2014-01-01", left_date="2015-01-01"),
                worker("b", start_date="2014-06-01"),
                worker("ok-c", "W2", start_date="2014-01-01", left_date="2015-01-01"),
                worker("ok-d", "W2", start_date="2015-01-01"),
            ]
        },
        {("b", "START_DATE")},
    ),
    Case(
        "SW_VACANCY_NEGATIVE",
        SW,
        {
            "sw_vacancies": [
                row("a", date="2016-09-30", vacant_fte=-1.0, agency_cover_fte=2.0),
                row("b", date="2016-03-31", vacant_fte=3.0, agency_cover_fte=-0.5),
                row("ok", date="2015-12-31", vacant_fte=0.0, agency_cover_fte=0.0),
            ]
        },
        {("a", "VACANT_FTE"), ("b", "AGENCY_COVER_FTE")},
    ),
    Case(
        "SW_DUPLICATE_VACANCY_DATE",
        SW,
        {
            "sw_vacancies": [
                row("row 2", date="2016-09-30", vacant_fte=1.0),
                row("row 3", date="2016-09-30", vacant_fte=2.0),
                row("row 4", date="2016-03-31", vacant_fte=2.0),
            ]
        },
        {("row 3", "DATE")},
    ),
]


def eh(location: str, child: str = "C1", request: str = "2015-06-01", **more: Any):
    return row(location, child_id=child, request_date=request, **more)


EH = "early_help"
CASES += [
    Case(
        "EH_ASSESSMENT_BEFORE_REQUEST",
        EH,
        {"eh_episodes": [eh("a", assessment_start_date="2015-05-31"), eh("ok", "C2")]},
        {("a", "ASSESSMENT_START_DATE")},
    ),
    Case(
        "EH_COMPLETED_BEFORE_START",
        EH,
        {
            "eh_episodes": [
                eh(
                    "a",
                    assessment_start_date="2015-06-10",
                    assessment_completed_date="2015-06-09",
                ),
                eh(
                    "ok",
                    "C2",
                    assessment_start_date="2015-06-10",
                    assessment_completed_date="2015-06-10",
                ),
            ]
        },
        {("a", "ASSESSMENT_COMPLETED_DATE")},
    ),
    Case(
        "EH_COMPLETED_WITHOUT_START",
        EH,
        {
            "eh_episodes": [
                eh("a", assessment_completed_date="2015-06-09"),
                eh("ok", "C2", assessment_start_date="2015-06-02"),
            ]
        },
        {("a", "ASSESSMENT_START_DATE")},
    ),
    Case(
        "EH_CLOSURE_BEFORE_REQUEST",
        EH,
        {
            "eh_episodes": [
                eh("a", closure_date="2015-05-01", closure_reason="NEEDS_MET"),
                eh("ok", "C2", closure_date="2015-06-01", closure_reason="NEEDS_MET"),
            ]
        },
        {("a", "CLOSURE_DATE")},
    ),
    Case(
        "EH_CLOSURE_WITHOUT_REASON",
        EH,
        {
            "eh_episodes": [
                eh("a", closure_date="2015-09-01"),
                eh("ok", "C2", closure_date="2015-09-01", closure_reason="STEP_UP"),
            ]
        },
        {("a", "CLOSURE_REASON")},
    ),
    Case(
        "EH_REASON_WITHOUT_CLOSURE",
        EH,
        {"eh_episodes": [eh("a", closure_reason="MOVED"), eh("ok", "C2")]},
        {("a", "CLOSURE_REASON")},
    ),
    Case(
        "EH_DATE_AFTER_YEAR",
        EH,
        {
            "eh_episodes": [
                eh("a", request="2016-04-01"),
                eh("b", "C2", closure_date="2016-05-01", closure_reason="MOVED"),
                eh("ok", "C3", closure_date="2016-03-31", closure_reason="MOVED"),
            ]
        },
        {("a", "REQUEST_DATE"), ("b", "CLOSURE_DATE")},
    ),
    Case(
        "EH_REQUEST_BEFORE_BIRTH",
        EH,
        {
            "eh_episodes": [
                eh("a", birth_date="2015-07-01"),
                eh("ok", "C2", birth_date="2015-06-01"),
            ]
        },
        {("a", "REQUEST_DATE")},
    ),
    Case(
        "EH_EPISODES_OVERLAP",
        EH,
        {
            "eh_episodes": [
                eh("ok-a", request="2015-05-01", closure_date="2015-07-01"),
                eh("b", request="2015-06-01"),
                eh("ok-c", "C2", request="2015-05-01", closure_date="2015-07-01"),
                eh("ok-d", "C2", request="2015-07-01"),
            ]
        },
        {("b", "REQUEST_DATE")},
    ),
]

VS = "virtual_school"
CASES += [
    Case(
        "VS_SCHOOL_END_BEFORE_START",
        VS,
        {
            "vs_schools": [
                row("a", child_id="C1", start_date="2015-09-03", end_date="2015-09-02"),
                row("ok", child_id="C2", start_date="2015-09-03"),
            ]
        },
        {("a", "END_DATE")},
    ),
    Case(
        "VS_OFSTED_GRADE_RANGE",
        VS,
        {
            "vs_schools": [
                row("a", child_id="C1", ofsted_grade=5),
                row("ok", child_id="C2", ofsted_grade=4),
                row("ok-none", child_id="C3"),
            ]
        },
        {("a", "OFSTED_GRADE")},
    ),
    Case(
        "VS_SCHOOLS_OVERLAP",
        VS,
        {
            "vs_schools": [
                row("ok-a", child_id="C1", start_date="2015-09-03", end_date="2016-01-01"),
                row("b", child_id="C1", start_date="2015-12-01"),
                row("ok-c", child_id="C2", start_date="2015-09-03", end_date="2016-01-01"),
                row("ok-d", child_id="C2", start_date="2016-01-01"),
            ]
        },
        {("b", "START_DATE")},
    ),
    Case(
        "VS_ATTENDED_EXCEEDS_POSSIBLE",
        VS,
        {
            "vs_attendance": [
                row("a", child_id="C1", possible_sessions=100, attended_sessions=101),
                row("ok", child_id="C2", possible_sessions=100, attended_sessions=100),
            ]
        },
        {("a", "ATTENDED_SESSIONS")},
    ),
    Case(
        "VS_ATTENDANCE_END_BEFORE_START",
        VS,
        {
            "vs_attendance": [
                row("a", child_id="C1", start_date="2015-09-03", end_date="2015-09-02"),
                row("ok", child_id="C2", start_date="2015-09-03", end_date="2015-12-18"),
            ]
        },
        {("a", "END_DATE")},
    ),
    Case(
        "VS_SESSIONS_NEGATIVE",
        VS,
        {
            "vs_attendance": [
                row("a", child_id="C1", possible_sessions=-2, attended_sessions=0),
                row("ok", child_id="C2", possible_sessions=0, attended_sessions=0),
            ],
            "vs_exclusions": [
                row("b", child_id="C1", start_date="2015-10-01", kind="SUSPENSION", sessions=0),
                row("ok-e", child_id="C2", start_date="2015-10-01", kind="SUSPENSION", sessions=1),
            ],
        },
        {("a", "POSSIBLE_SESSIONS"), ("b", "SESSIONS")},
    ),
    Case(
        "VS_AUDIT_BEFORE_PEP",
        VS,
        {
            "vs_peps": [
                row("a", child_id="C1", pep_date="2015-10-01", audit_date="2015-09-30"),
                row("ok", child_id="C2", pep_date="2015-10-01", audit_date="2015-10-01"),
            ]
        },
        {("a", "AUDIT_DATE")},
    ),
    Case(
        "VS_RATING_WITHOUT_AUDIT",
        VS,
        {
            "vs_peps": [
                row("a", child_id="C1", pep_date="2015-10-01", quality_rating="GOOD"),
                row("b", child_id="C2", pep_date="2015-10-01", audit_date="2015-11-01"),
                row(
                    "ok",
                    child_id="C3",
                    pep_date="2015-10-01",
                    audit_date="2015-11-01",
                    quality_rating="RI",
                ),
                row("ok-unaudited", child_id="C4", pep_date="2015-10-01"),
            ]
        },
        {("a", "QUALITY_RATING"), ("b", "AUDIT_DATE")},
    ),
    Case(
        "VS_DATE_AFTER_YEAR",
        VS,
        {
            "vs_peps": [
                row("a", child_id="C1", pep_date="2016-09-01"),
                row("ok", child_id="C2", pep_date="2016-08-31"),
            ],
            "vs_exclusions": [row("b", child_id="C1", start_date="2016-09-05")],
        },
        {("a", "PEP_DATE"), ("b", "START_DATE")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_rule_flags_exactly_the_rows_worked_out_by_hand(case: Case):
    parsed = make_return(case.kind, 2016, case.tables)
    found = run(parsed, [RULES[case.code]]).table.to_pylist()
    assert not [p for p in found if p["message"].startswith("could not check")], found
    assert {(p["location"], p["field"]) for p in found} == case.expected
    assert {p["rule"] for p in found} == {case.code}
    assert {p["severity"] for p in found} == {str(RULES[case.code].severity)}


def test_every_rule_has_a_hand_worked_case():
    covered = {case.code for case in CASES}
    assert covered == set(RULES), f"rules without a case: {sorted(set(RULES) - covered)}"
    assert len(RULES) >= 40


def test_problems_name_file_table_and_value():
    parsed = make_return(
        CLA,
        2016,
        {"cla_episodes": [episode("row 7", "C1", "2015-05-01", "2015-04-01", rec="E4A")]},
    )
    (problem,) = run(parsed, [RULES["CLA_DEC_BEFORE_DECOM"]]).table.to_pylist()
    assert problem == {
        "file": "cla_episodes.csv",
        "table": "cla_episodes",
        "location": "row 7",
        "field": "DEC",
        "value": "2015-04-01",
        "rule": "CLA_DEC_BEFORE_DECOM",
        "severity": "error",
        "message": "the episode ends (DEC 2015-04-01) before it starts (DECOM 2015-05-01)",
    }


def test_a_rule_placing_problems_in_another_table_names_that_table():
    parsed = make_return(
        CIN,
        2016,
        {
            "cin_assessments": [
                ref("a1", "C2", "2016-03-31", start_date="2016-03-31", authorised_date="2016-04-02")
            ]
        },
    )
    (problem,) = run(parsed, [RULES["CIN_DATE_AFTER_CENSUS"]]).table.to_pylist()
    assert (problem["table"], problem["file"]) == ("cin_assessments", "cin_assessments.csv")
