"""People's words in the records: versions, who may write, history, and what signing refuses."""

from __future__ import annotations

import pytest

from cscmonitor.records import audit, narrative
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.narrative import ReportPeriod
from cscmonitor.records.narrative_sections import ANNUAL, exception_sections, sections

COUNCIL = Actor("Jo Miller", "council")
TRUST = Actor("Paul Moffat", "trust")
YEAR_1 = ReportPeriod.of("annual", 1)


def test_each_write_is_a_new_version_and_the_newest_is_the_text(doncaster) -> None:
    with doncaster.unit(COUNCIL) as session:
        contract = doncaster.contract(session)
        first = narrative.write(
            session, contract, YEAR_1, "letter", "Services are improving.", COUNCIL
        )
        second = narrative.write(
            session, contract, YEAR_1, "letter", "Services in Doncaster are improving.", COUNCIL
        )
    assert first is not None and second is not None
    assert (first.version, second.version) == (1, 2)
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        held = narrative.latest(session, contract, YEAR_1)
        versions = narrative.history(session, contract, YEAR_1, "letter")
    assert held["letter"].text == "Services in Doncaster are improving."
    assert (held["letter"].author, held["letter"].role) == ("Jo Miller", "council")
    # Newest first, both kept.
    assert [v.text for v in versions] == [
        "Services in Doncaster are improving.",
        "Services are improving.",
    ]


def test_the_same_text_again_adds_no_version(doncaster) -> None:
    with doncaster.unit(COUNCIL) as session:
        contract = doncaster.contract(session)
        narrative.write(session, contract, YEAR_1, "finance", "Satisfied.", COUNCIL)
        # Trailing spaces and Windows line ends are not a change: the text is held cleaned.
        again = narrative.write(session, contract, YEAR_1, "finance", "Satisfied.  \r\n", COUNCIL)
        assert again is None
        assert len(narrative.history(session, contract, YEAR_1, "finance")) == 1


def test_every_version_is_audited_as_its_writer(doncaster) -> None:
    with doncaster.unit(TRUST) as session:
        contract = doncaster.contract(session)
        narrative.write(session, contract, YEAR_1, "youth_justice", "The YJB is satisfied.", TRUST)
    with doncaster.unit() as session:
        rows = audit.entries(session, entity="narrative_texts")
    assert len(rows) == 1
    assert (rows[0].actor, rows[0].actor_role, rows[0].action) == ("Paul Moffat", "trust", "create")
    assert rows[0].after["text"] == "The YJB is satisfied."


def test_only_the_sections_party_may_write_it(doncaster) -> None:
    # The covering letter is the Council's; youth justice the Trust's (narrative_sections.ANNUAL).
    with doncaster.refused(
        "Covering letter is for the Council to write; you act for the trust", TRUST
    ) as session:
        narrative.write(session, doncaster.contract(session), YEAR_1, "letter", "x", TRUST)
    with doncaster.refused("you act for no party") as session:
        narrative.write(session, doncaster.contract(session), YEAR_1, "letter", "x", Actor("Admin"))


def test_unknown_sections_periods_and_headings_are_refused(doncaster) -> None:
    with doncaster.refused(
        "'preface' is not a section of the annual review; its sections: letter", COUNCIL
    ) as session:
        narrative.write(session, doncaster.contract(session), YEAR_1, "preface", "x", COUNCIL)
    with pytest.raises(RecordsError, match="needs a quarter, 1 to 4"):
        ReportPeriod.of("quarterly", 1)
    with pytest.raises(RecordsError, match="no quarter"):
        ReportPeriod.of("annual", 1, 2)
    with pytest.raises(RecordsError, match="numbered from 1"):
        ReportPeriod.of("annual", 0)
    with pytest.raises(RecordsError, match="report 'monthly' is not one of annual"):
        ReportPeriod.of("monthly", 1)
    with doncaster.refused("line 3 of the text is a Markdown heading", COUNCIL) as session:
        narrative.write(
            session, doncaster.contract(session), YEAR_1, "letter", "a\n\n## b", COUNCIL
        )


def test_quarterly_sections_are_per_basket_indicator(doncaster) -> None:
    q2 = ReportPeriod.of("quarterly", 1, 2)
    trust_key, council_key = (s.key for s in exception_sections("REREF_12M"))
    assert (trust_key, council_key) == ("exception.REREF_12M.trust", "exception.REREF_12M.council")
    with doncaster.unit(TRUST) as session:
        contract = doncaster.contract(session)
        narrative.write(session, contract, q2, trust_key, "Front door restructured.", TRUST)
    with doncaster.refused("for an indicator of the basket", TRUST) as session:
        narrative.write(
            session, doncaster.contract(session), q2, "exception.NOT_A_CODE.trust", "x", TRUST
        )
    with doncaster.unit() as session:
        contract = doncaster.contract(session)
        # Only the sections of the exceptions named are wanted; the Council's is missing.
        missing = narrative.missing_sections(
            session, contract, "quarterly", 1, 2, exceptions=["REREF_12M"]
        )
        assert missing == [exception_sections("REREF_12M")[1].title]
        assert missing[0].endswith("the Council's response")
        # Another quarter holds nothing of quarter 2's.
        assert narrative.latest(session, contract, ReportPeriod.of("quarterly", 1, 3)) == {}


def test_missing_sections_are_those_neither_written_nor_not_applicable(doncaster) -> None:
    with doncaster.unit(COUNCIL) as session:
        contract = doncaster.contract(session)
        assert narrative.missing_sections(session, contract, "annual", 1) == [
            s.title for s in ANNUAL
        ]
        narrative.write(session, contract, YEAR_1, "letter", "Dear Secretary of State", COUNCIL)
        narrative.write(session, contract, YEAR_1, "changes", "", COUNCIL, not_applicable=True)
        # Written, then cleared: missing again.
        narrative.write(session, contract, YEAR_1, "finance", "Satisfied.", COUNCIL)
        narrative.write(session, contract, YEAR_1, "finance", "", COUNCIL)
    with doncaster.unit() as session:
        missing = narrative.missing_sections(session, doncaster.contract(session), "annual", 1)
    expected = [s.title for s in ANNUAL if s.key not in ("letter", "changes")]
    assert missing == expected
    assert "Finance and the risk share" in missing and "Covering letter" not in missing
    # Another year's review is untouched.
    with doncaster.unit() as session:
        other = narrative.missing_sections(session, doncaster.contract(session), "annual", 2)
    assert len(other) == len(ANNUAL) == len(sections("annual"))


def test_not_applicable_carries_no_text(doncaster) -> None:
    with doncaster.refused("a section marked not applicable has no text", COUNCIL) as session:
        narrative.write(
            session,
            doncaster.contract(session),
            YEAR_1,
            "changes",
            "None this year",
            COUNCIL,
            not_applicable=True,
        )


def test_versions_are_never_changed(doncaster) -> None:
    from cscmonitor.records.models import NarrativeText

    with doncaster.unit(COUNCIL) as session:
        narrative.write(session, doncaster.contract(session), YEAR_1, "letter", "First.", COUNCIL)
    with doncaster.refused("write a new one instead", COUNCIL) as session:
        row = session.query(NarrativeText).one()
        row.text = "Rewritten history."
        session.flush()


def test_removing_the_contract_removes_its_narrative(doncaster) -> None:
    from cscmonitor.records import contracts

    with doncaster.unit(COUNCIL) as session:
        narrative.write(session, doncaster.contract(session), YEAR_1, "letter", "First.", COUNCIL)
    with doncaster.unit() as session:
        contracts.delete_contract(session, doncaster.contract(session))
    assert doncaster.counts()["narrative_texts"] == 0
