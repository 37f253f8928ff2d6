"""Judgement scales per framework: each grade as the framework spells it, nothing off the scale."""

from __future__ import annotations

import datetime as dt

import pytest

from cscmonitor.records import scales
from cscmonitor.records.errors import RecordsError

SIF = scales.FRAMEWORKS["SIF"]
ILACS = scales.FRAMEWORKS["ILACS"]
ON = dt.date(2015, 10, 12)  # an inspection's start date, where the date does not matter


def test_ofsted_grades_are_spelt_as_the_scale_spells_them():
    assert scales.judgement(SIF, None, "inadequate", on=ON) == "Inadequate"
    # The seed's "Requires Improvement" is the SIF's "Requires improvement to be good".
    assert scales.judgement(SIF, "looked_after", "Requires Improvement", on=ON) == (
        "Requires improvement to be good"
    )
    assert scales.judgement(SIF, "adoption", "  Good ", on=ON) == "Good"


def test_sif_judges_adoption_performance_but_ilacs_does_not():
    assert "adoption" in SIF.areas
    with pytest.raises(RecordsError, match="ILACS judges no area 'adoption'"):
        scales.judgement(scales.FRAMEWORKS["ILACS"], "adoption", "Good", on=ON)


def test_a_grade_from_another_scale_is_refused_and_the_scale_is_named():
    with pytest.raises(RecordsError, match="use one of Outstanding / Good / Requires improvement"):
        scales.judgement(SIF, None, "Satisfactory", on=ON)
    fji = scales.FRAMEWORKS["YOS_FJI"]
    assert scales.judgement(fji, "protecting_children", "poor", on=ON) == "Poor"
    with pytest.raises(RecordsError, match="not a judgement on the YOS_FJI scale"):
        scales.judgement(fji, "protecting_children", "Inadequate", on=ON)


def test_the_youth_offending_inspection_of_2015_has_no_overall_judgement():
    with pytest.raises(RecordsError, match="no overall judgement"):
        scales.judgement(scales.FRAMEWORKS["YOS_FJI"], None, "Satisfactory", on=ON)


def test_frameworks_without_grades_refuse_judgements():
    with pytest.raises(RecordsError, match="no overall judgement"):
        scales.judgement(scales.FRAMEWORKS["JTAI"], None, "Good", on=ON)


def test_a_framework_belongs_to_its_inspectorates():
    assert scales.framework("YOS_FJI", "hmi_probation").code == "YOS_FJI"
    with pytest.raises(RecordsError, match="used by hmi_probation, joint, not ofsted"):
        scales.framework("YOS_FJI", "ofsted")
    with pytest.raises(RecordsError, match="framework 'SCIFF' is not known"):
        scales.framework("SCIFF")
    with pytest.raises(RecordsError, match="inspectorate 'ofstead' is not known"):
        scales.inspectorate("ofstead")


def test_grades_rank_from_best():
    assert scales.OFSTED_FOUR_POINT.rank("Outstanding") == 0
    assert scales.OFSTED_FOUR_POINT.rank("Inadequate") == 3


def test_ilacs_gives_no_overall_grade_to_an_inspection_from_april_2026():
    # The inspection's start date decides: 31 March 2026 is the last day with a grade.
    assert scales.judgement(ILACS, None, "Good", on=dt.date(2026, 3, 31)) == "Good"
    with pytest.raises(
        RecordsError,
        match="ILACS inspection starting 1 April 2026: not graded: no overall effectiveness "
        "judgement from 1 April 2026; record the areas' judgements only",
    ):
        scales.judgement(ILACS, None, "Good", on=dt.date(2026, 4, 1))
    # The areas are still judged.
    assert scales.judgement(ILACS, "leaders", "Good", on=dt.date(2026, 4, 1)) == "Good"
    assert ILACS.gives_overall(dt.date(2026, 3, 31)) and not ILACS.gives_overall(
        dt.date(2026, 4, 1)
    )
    assert ILACS.without_overall(dt.date(2026, 3, 31)) is None
    # Other frameworks keep their headline judgement.
    assert scales.judgement(SIF, None, "Good", on=dt.date(2026, 6, 1)) == "Good"


def test_care_leavers_are_judged_on_their_own_from_january_2023():
    assert scales.judgement(ILACS, "care_leavers", "Good", on=dt.date(2023, 1, 1)) == "Good"
    with pytest.raises(
        RecordsError,
        match="ILACS inspection starting 31 December 2022: 'The experiences and progress of care "
        "leavers' is judged only from 1 January 2023; before then 'The experiences and progress "
        "of children in care and care leavers' \\(children_in_care\\) covered it",
    ):
        scales.judgement(ILACS, "care_leavers", "Good", on=dt.date(2022, 12, 31))
    # Before the split the children in care judgement covered care leavers too, and says so.
    assert ILACS.area_wording("children_in_care", dt.date(2022, 12, 31)) == (
        "The experiences and progress of children in care and care leavers"
    )
    assert ILACS.area_wording("children_in_care", dt.date(2023, 1, 1)) == (
        "The experiences and progress of children in care"
    )
    assert scales.judgement(ILACS, "children_in_care", "Good", on=dt.date(2019, 2, 18)) == "Good"


def test_a_framework_is_named_as_it_was_on_the_inspection_day():
    """Children's homes were inspected under the 2015 framework until the SCCIF replaced it on
    1 April 2017: a home inspected in July 2015 is not said to be under a framework that came
    later; one inspected in June 2017 is."""
    home = scales.FRAMEWORKS["CHILDRENS_HOME"]
    assert home.name_on(dt.date(2015, 7, 7)) == "Children's home full inspection (2015 framework)"
    assert home.name_on(dt.date(2017, 3, 31)) == "Children's home full inspection (2015 framework)"
    assert home.name_on(dt.date(2017, 4, 1)) == "Children's home full inspection (SCCIF)"
    # The SIF (November 2013 to 2017) was not yet known to end in a review of 2015.
    assert SIF.name_on(dt.date(2015, 10, 12)) == "Single inspection framework"
    # A framework with no dated names is named by its title.
    assert scales.FRAMEWORKS["JTAI"].name_on(dt.date(2016, 1, 1)) == scales.FRAMEWORKS["JTAI"].title
