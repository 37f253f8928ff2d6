"""Inspections on each framework's own scale, recommendations, and action plans that fall due."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.periods import Period
from cscmonitor.records import governance_facts, governance_views, inspections
from cscmonitor.records.models import Inspection

SIF_2015 = {
    "inspectorate": "ofsted",
    "framework": "SIF",
    "setting": "Doncaster",
    "start_date": dt.date(2015, 10, 12),
    "overall": "Inadequate",
    "judgements": {
        "help_and_protection": "Inadequate",
        "looked_after": "Requires Improvement",
        "adoption": "Good",
        "care_leavers": "Requires Improvement",
        "leadership": "Requires Improvement",
    },
}


def _sif(session, contract, **changes):
    return inspections.add_inspection(session, contract=contract, **(SIF_2015 | changes))


def test_the_sif_inspection_is_held_with_its_five_judgements(doncaster):
    with doncaster.unit() as session:
        _sif(session, doncaster.contract(session), recommendations=[(1, "Do better.")])
    with doncaster.unit() as session:
        (held,) = inspections.find_inspections(session, la_code="371")
        assert (held.overall, held.la_code, held.source) == ("Inadequate", "371", "manual")
        assert inspections.judgement_of(held, "adoption") == "Good"
        assert inspections.judgement_of(held, "looked_after") == "Requires improvement to be good"
        assert [r.number for r in held.recommendations] == [1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overall": "Satisfactory"}, "'Satisfactory' is not a judgement on the SIF scale"),
        ({"judgements": {"adoption": "Very good"}}, "'Very good' is not a judgement"),
        ({"judgements": {"care_leavers_2023": "Good"}}, "SIF judges no area 'care_leavers_2023'"),
        ({"framework": "YOS_FJI"}, "framework YOS_FJI is used by hmi_probation, joint, not ofsted"),
        ({"urn": "12AB"}, "is not an Ofsted URN"),
        ({"end_date": dt.date(2015, 10, 1)}, "ends .* before it starts"),
        ({"setting": "  "}, "inspection setting must not be blank"),
        ({"recommendations": [(1, "a"), (1, "b")]}, "numbered twice"),
    ],
)
def test_bad_inspections_are_refused_and_change_nothing(doncaster, changes, message):
    with doncaster.refused(message) as session:
        _sif(session, doncaster.contract(session), **changes)


def test_inspections_of_any_la_need_a_dfe_la_code(records):
    with records.refused("LA code must be the DfE code") as session:
        inspections.add_inspection(
            session,
            contract=None,
            la_code="E08000017",
            inspectorate="ofsted",
            framework="ILACS",
            setting="Doncaster",
            start_date=dt.date(2022, 2, 14),
        )


def test_youth_offending_areas_use_their_own_scale(doncaster):
    with doncaster.unit() as session:
        held = inspections.add_inspection(
            session,
            contract=doncaster.contract(session),
            inspectorate="hmi_probation",
            framework="YOS_FJI",
            setting="Doncaster Youth Offending Service",
            start_date=dt.date(2015, 9, 7),
            judgements={"protecting_children": "poor", "sentence_served": "Satisfactory"},
        )
        assert held.overall is None
        assert {j.area: j.judgement for j in held.judgements} == {
            "protecting_children": "Poor",
            "sentence_served": "Satisfactory",
        }


def test_a_corrected_judgement_stays_on_the_scale(doncaster):
    with doncaster.unit() as session:
        held = _sif(session, doncaster.contract(session))
        inspections.set_judgement(session, held, "adoption", "Outstanding")
        inspections.set_judgement(session, held, None, "requires improvement")
    with doncaster.unit() as session:
        (held,) = doncaster.contract(session).inspections
        assert inspections.judgement_of(held, "adoption") == "Outstanding"
        assert held.overall == "Requires improvement to be good"
    with doncaster.refused("not a judgement on the SIF scale") as session:
        inspections.set_judgement(session, doncaster.contract(session).inspections[0], None, "Ok")


def _plan(doncaster):
    """An inspection with three actions due on 31 Jan, 29 Feb and 31 Mar 2016."""
    with doncaster.unit() as session:
        held = _sif(session, doncaster.contract(session), recommendations=[(1, "A"), (2, "B")])
        due = [dt.date(2016, 1, 31), dt.date(2016, 2, 29), dt.date(2016, 3, 31)]
        return [
            inspections.add_action(session, held, f"Action {n}", "Owner", day).id
            for n, day in enumerate(due, start=1)
        ]


def test_overdue_means_past_due_and_not_complete(doncaster):
    first, second, third = _plan(doncaster)
    with doncaster.unit() as session:
        item = session.get(inspections.ActionItem, first)
        inspections.update_action(
            session,
            item,
            dt.date(2016, 1, 20),
            "Owner",
            "Done",
            evidence="Minutes",
            status="complete",
        )
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        # On 1 March: action 1 is complete, action 2 was due 29 Feb, action 3 is not yet due.
        assert [
            a.id for a in inspections.overdue_actions(session, dt.date(2016, 3, 1), contract)
        ] == [second]
        # Due on the day is not yet overdue.
        assert inspections.overdue_actions(session, dt.date(2016, 2, 29), contract) == []
        overdue_in_april = inspections.overdue_actions(session, dt.date(2016, 4, 1), contract)
        assert [a.id for a in overdue_in_april] == [second, third]
        done = session.get(inspections.ActionItem, first)
        assert (done.status, done.completed_date) == ("complete", dt.date(2016, 1, 20))
        assert [(u.note, u.evidence, u.status) for u in done.updates] == [
            ("Done", "Minutes", "complete")
        ]


def test_an_action_against_a_recommendation_the_inspection_did_not_make_is_refused(doncaster):
    _plan(doncaster)
    with doncaster.refused(r"no recommendation 7 \(held: 1, 2\)") as session:
        held = doncaster.contract(session).inspections[0]
        inspections.add_action(
            session, held, "Act", "Owner", dt.date(2016, 1, 1), recommendation_number=7
        )
    with doncaster.refused("action status 'done' is not one of") as session:
        item = doncaster.contract(session).inspections[0].actions[0]
        inspections.update_action(session, item, dt.date(2016, 1, 1), "Me", "Note", status="done")


def test_inspections_are_found_by_framework(doncaster):
    with doncaster.unit() as session:
        _sif(session, doncaster.contract(session))
    with doncaster.unit() as session:
        assert len(inspections.find_inspections(session, framework="SIF")) == 1
        assert inspections.find_inspections(session, framework="ILACS") == []
        assert session.query(Inspection).count() == 1


def _ilacs(session, start: dt.date, **changes):
    return inspections.add_inspection(
        session,
        contract=None,
        la_code="371",
        inspectorate="ofsted",
        framework="ILACS",
        setting="Doncaster",
        start_date=start,
        inspection_type="Standard inspection",
        **changes,
    )


def test_an_ilacs_inspection_from_april_2026_is_held_without_an_overall_grade(records):
    areas = {
        "leaders": "Good",
        "help_and_protection": "Good",
        "children_in_care": "Outstanding",
        "care_leavers": "Requires improvement",
    }
    with records.unit() as session:
        held = _ilacs(session, dt.date(2026, 5, 11), judgements=areas)
        assert held.overall is None
        assert inspections.judgement_of(held, "care_leavers") == "Requires improvement to be good"
    # A grade Ofsted no longer gives is refused, whether at first or as a correction.
    with records.refused("no overall effectiveness judgement from 1 April 2026") as session:
        _ilacs(session, dt.date(2026, 4, 1), overall="Good", judgements=areas)
    with records.refused("no overall effectiveness judgement from 1 April 2026") as session:
        (held,) = inspections.find_inspections(session, la_code="371")
        inspections.set_judgement(session, held, None, "Good")


def test_care_leavers_judged_apart_only_on_inspections_from_2023(records):
    with records.unit() as session:
        # 2022: one judgement for children in care and care leavers, held as children_in_care.
        before = _ilacs(
            session, dt.date(2022, 2, 14), overall="Good", judgements={"children_in_care": "Good"}
        )
        assert inspections.judgement_of(before, "children_in_care") == "Good"
    with records.refused(
        "'The experiences and progress of care leavers' is judged only from"
    ) as session:
        _ilacs(session, dt.date(2022, 12, 5), judgements={"care_leavers": "Good"})


def test_reports_and_pages_word_each_inspection_as_ofsted_did_on_its_date(doncaster):
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        for start, overall, areas in (
            (dt.date(2022, 2, 14), "Requires improvement", {"children_in_care": "Good"}),
            (dt.date(2026, 5, 11), None, {"children_in_care": "Good", "care_leavers": "Good"}),
        ):
            inspections.add_inspection(
                session,
                contract=contract,
                inspectorate="ofsted",
                framework="ILACS",
                setting="Doncaster",
                start_date=start,
                overall=overall,
                judgements=areas,
            )
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        early, late = governance_facts.inspections_in(
            contract, Period(dt.date(2021, 4, 1), dt.date(2027, 3, 31))
        )
        # 2022: one judgement for children in care and care leavers, worded so.
        assert early.overall_name == "Overall effectiveness"
        assert early.judgements == (
            ("The experiences and progress of children in care and care leavers", "Good"),
        )
        # 2026: no overall judgement exists to name; the two areas are worded apart.
        assert (late.overall_name, late.overall) == (None, None)
        assert [area for area, _ in late.judgements] == [
            "The experiences and progress of children in care",
            "The experiences and progress of care leavers",
        ]
        shown = governance_views.inspections_page(session, contract, dt.date(2026, 12, 3)).own
        assert [v.overall for v in shown] == [
            "Requires improvement to be good",
            "Not graded: no overall effectiveness judgement from 1 April 2026",
        ]
