"""The 2026-27 CIN census's pre-proceedings block and the workers file's ETHNICITY column:
read into the warehouse as DfE names them, and broken values listed with file, row and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from cscmonitor.ingest import ingest
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns import cin_census, workforce
from cscmonitor.returns.checks import run
from cscmonitor.returns.csvfile import read_csv
from cscmonitor.warehouse import Warehouse
from tests.conftest import DATA

IDS = Pseudonymiser(b"test-key-not-secret")
D = dt.date
CENSUS = DATA / "pre_proceedings" / "CIN_Census_2027.xml"


def pseudonym(value: str) -> str:
    return IDS.column(pa.array([value])).to_pylist()[0]


def test_every_field_of_the_block_is_read():
    parsed = cin_census.parse(CENSUS, ids=IDS)
    assert (parsed.info.la_code, parsed.info.year) == ("371", 2027)
    blocks = parsed.tables["cin_pre_proceedings"].to_pylist()
    assert len(blocks) == 9  # one row per block: P8 has two
    (p2,) = [b for b in blocks if b["child_id"] == pseudonym("P2")]
    assert {k: v for k, v in p2.items() if k not in ("la_code", "_location")} == {
        "child_id": pseudonym("P2"),
        "referral_date": D(2026, 4, 12),  # the CINdetails key the other CIN tables use
        "pp_start_date": D(2026, 5, 10),
        "lbp_sent_date": D(2026, 5, 12),
        "fgdm_offered": True,
        "fgdm_held": False,
        "initial_pp_meeting_date": D(2026, 5, 20),
        "review_meetings_count": 3,
        "step_decision_date": D(2026, 9, 15),
        "pp_outcome": "B",
        "court_application_date": D(2026, 9, 20),
        "letter_init_cp_date": D(2026, 9, 16),
        "return_year": 2027,
    }
    assert p2["_location"] == "Message/Children/Child[2]/CINdetails[1]/PreProceedingsandFGDM[1]"
    # The census from 2024-25 has Sex (M, F, U), not GenderCurrent.
    sexes = {c["child_id"]: c["sex"] for c in parsed.tables["cin_children"].to_pylist()}
    assert (sexes[pseudonym("P1")], sexes[pseudonym("P2")], sexes[pseudonym("P4")]) == (
        "F",
        "M",
        "U",
    )
    # Only P7's missing PPStartDate is a problem of reading; P6's blank FGDMMeetingFac after an
    # offer is a cross-field warning.
    p7 = "Message/Children/Child[7]/CINdetails[1]/PreProceedingsandFGDM[1]"
    assert [(p.location, p.field, p.rule) for p in parsed.problems.items] == [
        (p7, "PPStartDate", "VALUE_MISSING")
    ]
    checked = [(p.field, p.rule, str(p.severity)) for p in run(parsed).items]
    assert checked == [("FGDMMeetingFac", "CIN_PP_FGDM_HELD_BLANK", "warning")]


def test_an_older_census_has_no_block_and_ingests_unchanged(settings):
    report = ingest([DATA / "pre_proceedings" / "CIN_Census_2026.xml"], settings, la_code="371")
    assert report.result.snapshot.manifest["row_counts"]["cin_referrals"] == 2
    assert Warehouse(settings.warehouse_dir).read("cin_pre_proceedings").num_rows == 0
    assert not [p for p in report.problems.items if p.table == "cin_pre_proceedings"]


HOSTILE = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2027</Year><ReferenceDate>2027-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>371</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>H1</LAchildID><PersonBirthDate>2015-01-01</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2026-04-10</CINreferralDate><ReferralNFA>0</ReferralNFA>
        <PreProceedingsandFGDM><PPStartDate>2026-05-01</PPStartDate><FGDMMeetingOffer>2</FGDMMeetingOffer><FGDMMeetingFac>yes please</FGDMMeetingFac><StepDecisionDate>31/13/2026</StepDecisionDate><ReviewMeetingsCount>three</ReviewMeetingsCount><PPOutcome>Z</PPOutcome><CourtAppDate>2026-04-20</CourtAppDate></PreProceedingsandFGDM>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""  # noqa: E501


def test_bad_flags_dates_and_codes_are_listed_with_file_row_and_field(tmp_path: Path, settings):
    path = tmp_path / "CIN_Census_2027.xml"
    path.write_text(HOSTILE)
    report = ingest([path], settings, la_code="371")
    at = "Message/Children/Child[1]/CINdetails[1]/PreProceedingsandFGDM[1]"
    found = {(p.file, p.location, p.field, p.value, p.rule) for p in report.problems.items}
    assert {
        (str(path), at, "FGDMMeetingOffer", "2", "BOOLEAN_FORMAT"),
        (str(path), at, "FGDMMeetingFac", "yes please", "BOOLEAN_FORMAT"),
        (str(path), at, "StepDecisionDate", "31/13/2026", "DATE_FORMAT"),
        (str(path), at, "ReviewMeetingsCount", "three", "NUMBER_FORMAT"),
        (str(path), at, "PPOutcome", "Z", "CIN_PP_OUTCOME_UNKNOWN"),
    } <= found
    messages = {p.field: p.message for p in report.problems.items if p.location == at}
    assert "FGDMMeetingOffer" in messages and "2" in messages["FGDMMeetingOffer"]
    # The row still loads, its unreadable cells blank: nothing is dropped silently.
    (block,) = Warehouse(settings.warehouse_dir).read("cin_pre_proceedings").to_pylist()
    assert (block["fgdm_offered"], block["fgdm_held"], block["step_decision_date"]) == (
        None,
        None,
        None,
    )
    assert block["court_application_date"] == D(2026, 4, 20)


def test_the_workers_file_reads_ethnicity_when_it_has_the_column():
    text = read_csv(DATA / "workforce_ethnicity" / "workforce_2026.csv")
    (parsed,) = workforce.CSV.parse([text], la_code="999", ids=IDS)
    ethnicity = dict(
        zip(
            parsed.tables["sw_workers"]["worker_id"].to_pylist(),
            parsed.tables["sw_workers"]["ethnicity"].to_pylist(),
            strict=True,
        )
    )
    assert ethnicity[pseudonym("E2")] == "BAFR"
    assert ethnicity[pseudonym("E7")] is None  # blank
    assert ethnicity[pseudonym("E6")] == "REFU"  # kept: the indicator reads it as not known
    assert not [p for p in parsed.problems.items if p.field == "ETHNICITY"]


def test_a_workers_file_without_ethnicity_is_read_as_before():
    text = read_csv(DATA / "workforce" / "workforce_2015.csv")
    (parsed,) = workforce.CSV.parse([text], la_code="999", ids=IDS)
    assert (
        parsed.tables["sw_workers"]["ethnicity"].null_count == parsed.tables["sw_workers"].num_rows
    )
    assert not [p for p in parsed.problems.items if p.rule == "COLUMN_MISSING"]


def test_an_unknown_ethnicity_code_is_listed_and_loaded_blank(tmp_path: Path):
    path = tmp_path / "workforce_2026.csv"
    path.write_text(
        "WORKER_ID,AGENCY,ROLE,REGISTERED,FTE,START_DATE,LEFT_DATE,REASON_LEFT,CASES,ETHNICITY\n"
        "E1,0,5,1,1.0,01/09/2020,,,15,WHITE\n"
    )
    (parsed,) = workforce.CSV.parse([read_csv(path)], la_code="999", ids=IDS)
    (problem,) = [p for p in parsed.problems.items if p.field == "ETHNICITY"]
    assert (problem.file, problem.location, problem.value, problem.rule) == (
        str(path),
        "row 2",
        "WHITE",
        "CODE_UNKNOWN",
    )
    assert parsed.tables["sw_workers"]["ethnicity"].to_pylist() == [None]
