"""Judgement scales per framework: each grade as the framework spells it, nothing off the scale."""

from __future__ import annotations

import pytest

from cscmonitor.records import scales
from cscmonitor.records.errors import RecordsError

SIF = scales.FRAMEWORKS["SIF"]


def test_ofsted_grades_are_spelt_as_the_scale_spells_them():
    assert scales.judgement(SIF, None, "inadequate") == "Inadequate"
    # The seed's "Requires Improvement" is the SIF's "Requires improvement to be good".
    assert scales.judgement(SIF, "looked_after", "Requires Improvement") == (
        "Requires improvement to be good"
    )
    assert scales.judgement(SIF, "adoption", "  Good ") == "Good"


def test_sif_judges_adoption_performance_but_ilacs_does_not():
    assert "adoption" in SIF.areas
    with pytest.raises(RecordsError, match="ILACS judges no area 'adoption'"):
        scales.judgement(scales.FRAMEWORKS["ILACS"], "adoption", "Good")


def test_a_grade_from_another_scale_is_refused_and_the_scale_is_named():
    with pytest.raises(RecordsError, match="use one of Outstanding / Good / Requires improvement"):
        scales.judgement(SIF, None, "Satisfactory")
    fji = scales.FRAMEWORKS["YOS_FJI"]
    assert scales.judgement(fji, "protecting_children", "poor") == "Poor"
    with pytest.raises(RecordsError, match="not a judgement on the YOS_FJI scale"):
        scales.judgement(fji, "protecting_children", "Inadequate")


def test_the_youth_offending_inspection_of_2015_has_no_overall_judgement():
    with pytest.raises(RecordsError, match="no overall judgement"):
        scales.judgement(scales.FRAMEWORKS["YOS_FJI"], None, "Satisfactory")


def test_frameworks_without_grades_refuse_judgements():
    with pytest.raises(RecordsError, match="no overall judgement"):
        scales.judgement(scales.FRAMEWORKS["JTAI"], None, "Good")


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
