"""Every return format read from hand-made files: what lands in each table, and what is listed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns import cin_census, early_help, ssda903, virtual_school, workforce
from cscmonitor.returns.csvfile import read_csv
from cscmonitor.returns.schema import LOCATION
from tests.conftest import DATA, SAMPLES

INGEST = DATA / "ingest"
IDS = Pseudonymiser(b"test-key-not-secret")
D = dt.date


def pseudonym(value: str) -> str:
    return IDS.column(pa.array([value])).to_pylist()[0]


def rules(parsed) -> list[tuple[str, str, str, str]]:
    return sorted((p.table, p.location, p.field, p.rule) for p in parsed.problems.items)


def parse_903_folder(folder: Path):
    texts = [read_csv(p) for p in sorted(folder.glob("*.csv"))]
    return ssda903.parse_csv(texts, la_code="999", ids=IDS)


def rows(parsed, table: str) -> list[dict]:
    return parsed.tables[table].drop_columns(["la_code", "return_year"]).to_pylist()


class TestSsda903:
    def test_every_table_of_the_csv_return_is_loaded(self):
        parsed = parse_903_folder(INGEST / "ssda903" / "2016")
        assert parsed.info.year == 2016  # latest episode date 15 Dec 2015
        assert {t: parsed.tables[t].num_rows for t in parsed.tables} == {
            "cla_children": 4,
            "cla_episodes": 4,
            "cla_reviews": 2,
            "cla_uasc": 1,
            "cla_oc2": 1,
            "cla_oc3": 1,
            "cla_ad1": 1,
            "cla_placed_adoption": 1,
            "cla_prev_perm": 1,
            "cla_missing": 1,
            "cla_sw_episodes": 2,
        }
        assert parsed.rows_read["cla_reviews"] == 3  # one rejected: its date is 31 February

    def test_a_social_workers_id_is_pseudonymised_but_its_kind_is_kept(self):
        parsed = parse_903_folder(INGEST / "ssda903" / "2016")
        episodes = rows(parsed, "cla_sw_episodes")
        # SW (a registration) or XX (a stand-in): two letters that name no one.
        assert [(e["sw_id"], e["sw_id_prefix"]) for e in episodes] == [
            (pseudonym("SW001"), "SW"),
            (pseudonym("SW002"), "SW"),
        ]

    def test_excel_forms_encodings_and_blank_lines(self):
        parsed = parse_903_folder(INGEST / "ssda903" / "2016")
        episodes = rows(parsed, "cla_episodes")
        a1 = pseudonym("A1")
        assert [(e["child_id"], e["decom"], e["dec"]) for e in episodes] == [
            (a1, D(2015, 4, 20), D(2015, 9, 1)),  # dd/mm/yyyy, in a Windows-1252 file
            (a1, D(2015, 9, 1), None),  # 42248: the date as Excel's serial number
            (pseudonym("B2"), D(2014, 11, 1), D(2015, 12, 15)),  # 1/11/2014 and 15-Dec-2015
            (pseudonym("C3"), D(2015, 4, 10), D(2015, 8, 1)),  # "2015-04-10 00:00:00"
        ]
        # The blank line 3 is not a row, but the rows after it keep their file row numbers.
        assert [e[LOCATION] for e in episodes] == ["row 2", "row 4", "row 5", "row 6"]
        assert [e["home_post"] for e in episodes] == ["DN1", "DN1", "DN4", None]
        children = rows(parsed, "cla_children")
        # "A1 " with a trailing space is the same child as "A1"; the header had a BOM and
        # padded names; "MWBC " is trimmed.
        assert [c["child_id"] for c in children] == [
            a1,
            pseudonym("B2"),
            pseudonym("C3"),
            pseudonym("D4"),
        ]
        assert children[1]["ethnicity"] == "MWBC"
        assert [r["review_code"] for r in rows(parsed, "cla_reviews")] == ["PN1", "PN2"]

    def test_problems_are_listed_with_their_rows(self):
        parsed = parse_903_folder(INGEST / "ssda903" / "2016")
        assert rules(parsed) == [
            ("cla_children", "file", "", "COLUMNS_IGNORED"),
            ("cla_episodes", "file", "", "COLUMNS_IGNORED"),
            ("cla_reviews", "row 4", "REVIEW", "DATE_FORMAT"),
            ("cla_reviews", "row 4", "REVIEW", "KEY_MISSING"),
        ]
        ignored = {p.value for p in parsed.problems.items if p.rule == "COLUMNS_IGNORED"}
        assert ignored == {"NAME", "NOTE"}  # the names of the columns, never their values
        assert "Alfie" not in str(parsed.problems.table.to_pylist())

    def test_partial_previous_permanence_date_is_kept_as_text(self):
        (perm,) = rows(parse_903_folder(INGEST / "ssda903" / "2016"), "cla_prev_perm")
        assert (perm["perm_date"], perm["perm_date_text"], perm["la_perm"]) == (
            None,
            "zz/06/2014",
            "371",
        )

    def test_every_table_is_recognised_by_its_columns_not_its_name(self, tmp_path):
        for n, path in enumerate(sorted((INGEST / "ssda903" / "2016").glob("*.csv"))):
            shutil.copy(path, tmp_path / f"export_{n}.csv")
        renamed = parse_903_folder(tmp_path)
        original = parse_903_folder(INGEST / "ssda903" / "2016")
        for table in original.tables:
            assert (
                renamed.tables[table]
                .drop_columns([LOCATION])
                .equals(original.tables[table].drop_columns([LOCATION]))
            ), table

    def test_the_xml_return_gives_the_same_tables_as_the_csv_files(self):
        xml = ssda903.parse_xml(INGEST / "ssda903_xml" / "SSDA903_2016.xml", la_code="999", ids=IDS)
        csv = parse_903_folder(INGEST / "ssda903" / "2016")
        assert xml.info == csv.info
        assert set(xml.tables) == set(csv.tables)
        for table in csv.tables:
            assert (
                xml.tables[table]
                .drop_columns([LOCATION])
                .equals(csv.tables[table].drop_columns([LOCATION]))
            ), table
        assert rows(xml, "cla_uasc")[0][LOCATION] == "EXPSSDA903/CHILD[3]"
        assert rows(xml, "cla_reviews")[1][LOCATION] == "EXPSSDA903/CHILD[1]/HEADER/AREVIEW[2]"
        assert (
            "cla_reviews",
            "EXPSSDA903/CHILD[1]/HEADER/AREVIEW[3]",
            "REVIEW",
            "KEY_MISSING",
        ) in (rules(xml))

    def test_a_folder_without_episodes_needs_the_year(self, tmp_path):
        shutil.copy(INGEST / "ssda903" / "2016" / "oc3.csv", tmp_path)
        texts = [read_csv(tmp_path / "oc3.csv")]
        with pytest.raises(ValueError, match="no SSDA903 Episodes table"):
            ssda903.parse_csv(texts, la_code="999", ids=IDS)
        parsed = ssda903.parse_csv(texts, la_code="999", ids=IDS, year=2016)
        assert parsed.tables["cla_oc3"].num_rows == 1

    def test_samples_round_trip(self):
        if not SAMPLES.exists():
            pytest.skip(f"shared samples not found at {SAMPLES}")
        parsed = parse_903_folder(SAMPLES / "ssda903")
        counts = {t: parsed.tables[t].num_rows for t in parsed.tables}
        assert counts["cla_episodes"] == 5050  # every row of the sample's episodes file
        assert counts["cla_children"] == 2675
        assert counts["cla_reviews"] == 12582
        # Nothing rejected; the sample's made-up codes ("XXX" reasons) are blanked and listed.
        assert all(parsed.rows_read[t] == counts[t] for t in counts)
        unknown = [p for p in parsed.problems.items if p.rule == "CODE_UNKNOWN"]
        assert {(p.table, p.field) for p in unknown} >= {
            ("cla_placed_adoption", "REASON_PLACED_CEASED")
        }
        assert parsed.tables["cla_placed_adoption"]["ceased_reason"].null_count == 29


class TestCinCensus:
    def test_every_element_of_a_2025_return(self):
        parsed = cin_census.parse(INGEST / "cin" / "CIN_Census_2025.xml", ids=IDS)
        assert (parsed.info.la_code, parsed.info.year) == ("999", 2025)
        k1, k2, k3 = pseudonym("K1"), pseudonym("K2"), pseudonym("K3")
        children = rows(parsed, "cin_children")
        assert [
            (c["child_id"], c["sex"], c["birth_date"], c["expected_birth_date"], c["death_date"])
            for c in children
        ] == [
            (k1, "F", D(2015, 3, 27), None, None),
            (k2, "U", None, D(2025, 5, 1), None),  # unborn
            (k3, "M", D(2008, 11, 30), None, D(2024, 12, 1)),
        ]
        assert [d["disability"] for d in rows(parsed, "cin_disabilities")] == ["HAND", "HEAR"]
        referrals = rows(parsed, "cin_referrals")
        assert [r["referral_nfa"] for r in referrals] == [False, True, False]  # false, 1, 0
        assert referrals[0]["icpc_date"] == D(2024, 6, 6)
        assert referrals[0]["referral_source"] == "5D"
        (assessment,) = rows(parsed, "cin_assessments")
        assert assessment["internal_review_date"] == D(2024, 5, 20)
        # Each factor carries its assessment's start and authorisation dates.
        assert [
            (f["assessment_start_date"], f["assessment_authorised_date"], f["factor"])
            for f in rows(parsed, "cin_assessment_factors")
        ] == [
            (D(2024, 5, 8), D(2024, 6, 1), "24A"),
            (D(2024, 5, 8), D(2024, 6, 1), "18C"),
        ]
        assert [(p["start_date"], p["end_date"]) for p in rows(parsed, "cin_plan_dates")] == [
            (D(2024, 6, 10), D(2024, 8, 1))
        ]
        assert [
            (r["plan_start_date"], r["review_date"]) for r in rows(parsed, "cin_plan_reviews")
        ] == [
            (D(2024, 6, 6), D(2024, 9, 1)),
            (D(2024, 6, 6), D(2025, 1, 10)),
        ]
        # The 2024-25 census has no pre-proceedings block: its table is empty, not missing.
        assert rows(parsed, "cin_pre_proceedings") == []
        assert rules(parsed) == []

    def test_a_2017_return_with_gender_current(self):
        parsed = cin_census.parse(INGEST / "cin" / "CIN_Census_2017.xml", ids=IDS)
        assert rows(parsed, "cin_children")[0]["sex"] == "2"
        # 24A (child criminal exploitation) was not a factor in 2017: kept, with a warning.
        assert [(p.field, p.value, p.rule, str(p.severity)) for p in parsed.problems.items] == [
            ("AssessmentFactors", "24A", "CODE_YEAR", "warning")
        ]
        assert [f["factor"] for f in rows(parsed, "cin_assessment_factors")] == ["18A", "24A"]

    def test_upns_never_reach_the_tables(self):
        parsed = cin_census.parse(INGEST / "cin" / "CIN_Census_2025.xml", ids=IDS)
        text = str([t.to_pylist() for t in parsed.tables.values()])
        assert "A123456789012" not in text and "X98765432123B" not in text and "K1" not in text

    def test_a_namespaced_return(self, tmp_path):
        source = (INGEST / "cin" / "CIN_Census_2025.xml").read_text()
        path = tmp_path / "census.xml"
        path.write_text(source.replace("<Message>", '<Message xmlns="http://example.org/cin">'))
        namespaced = cin_census.parse(path, ids=IDS)
        plain = cin_census.parse(INGEST / "cin" / "CIN_Census_2025.xml", ids=IDS)
        for table in plain.tables:
            assert namespaced.tables[table].equals(plain.tables[table]), table

    def test_unknown_elements_are_listed_once_with_a_count(self, tmp_path):
        source = (INGEST / "cin" / "CIN_Census_2025.xml").read_text()
        path = tmp_path / "census.xml"
        path.write_text(source.replace("<ReferralNFA>", "<LocalFlag>x</LocalFlag><ReferralNFA>"))
        parsed = cin_census.parse(path, ids=IDS)
        (problem,) = parsed.problems.items
        assert (problem.rule, problem.field, problem.value, problem.location) == (
            "XML_UNKNOWN_ELEMENT",
            "LocalFlag",
            "3",
            "Message/Children/Child[1]/CINdetails[1]/LocalFlag",
        )

    def test_a_repeated_element_is_listed_and_the_last_loaded(self, tmp_path):
        source = (INGEST / "cin" / "CIN_Census_2025.xml").read_text()
        path = tmp_path / "census.xml"
        path.write_text(
            source.replace(
                "<Ethnicity>WBRI</Ethnicity>",
                "<Ethnicity>WIRI</Ethnicity><Ethnicity>WBRI</Ethnicity>",
            )
        )
        parsed = cin_census.parse(path, ids=IDS)
        assert [(p.rule, p.location, p.value) for p in parsed.problems.items] == [
            ("XML_REPEATED", "Message/Children/Child[1]/ChildCharacteristics/Ethnicity", "WBRI")
        ]
        assert rows(parsed, "cin_children")[0]["ethnicity"] == "WBRI"

    def test_read_in_parallel_the_same_as_in_one_go(self):
        from cscmonitor.returns.xmlstream import read_records

        path = INGEST / "cin" / "CIN_Census_2025.xml"
        one = read_records(path, cin_census.CHILD_GROUP, at="Message/Children", workers=1)
        two = read_records(path, cin_census.CHILD_GROUP, at="Message/Children", workers=2)
        for table in one.tables:
            key = [(LOCATION, "ascending")]
            assert two.tables[table].sort_by(key).equals(one.tables[table].sort_by(key)), table

    def test_shares_cut_at_records_or_else_every_reader_reads_all(self, tmp_path):
        from cscmonitor.returns.xmlstream import cut, read_records

        path = INGEST / "cin" / "CIN_Census_2025.xml"
        shares = cut(path, "Child", "Message/Children", 2)
        # K1 fills the first half of the file: the cut is before K2.
        assert shares is not None and [s.records for s in shares] == [1, 2]
        assert (shares[1].before, shares[1].opening) == (1, b"<Message><Children>")
        # "<Child>" in a comment would be counted as a record: that share's reader finds
        # fewer records than counted, and the file is read the safe way instead.
        tricky = tmp_path / "census.xml"
        tricky.write_text(
            path.read_text().replace("<CINdetails>", "<!-- <Child> --><CINdetails>", 1)
        )
        one = read_records(tricky, cin_census.CHILD_GROUP, at="Message/Children", workers=1)
        two = read_records(tricky, cin_census.CHILD_GROUP, at="Message/Children", workers=2)
        key = [(LOCATION, "ascending")]
        for table in one.tables:
            assert two.tables[table].sort_by(key).equals(one.tables[table].sort_by(key)), table

    def test_a_large_return_is_typed_by_several_processes_the_same(self, monkeypatch):
        from cscmonitor.returns import xmlstream

        path = INGEST / "cin" / "CIN_Census_2025.xml"
        alone = cin_census.parse(path, ids=IDS)
        monkeypatch.setattr(xmlstream, "PARALLEL_BYTES", 0)  # every file is "large"
        shared = cin_census.parse(path, ids=IDS)
        key = [(LOCATION, "ascending")]
        for table in alone.tables:
            assert shared.tables[table].sort_by(key).equals(alone.tables[table].sort_by(key))
        assert shared.rows_read == alone.rows_read
        assert shared.problems.table.equals(alone.problems.table)

    @pytest.mark.parametrize("year", [2021, 2024])
    def test_samples_round_trip(self, year):
        path = SAMPLES / "cin_census" / f"CIN_Census_{year}.xml"
        if not path.exists():
            pytest.skip(f"shared sample not found at {path}")
        parsed = cin_census.parse(path, ids=IDS)
        assert parsed.info.la_code == "201"
        referrals = rows(parsed, "cin_referrals")
        assert None not in [r["referral_nfa"] for r in referrals]  # 0/1 and true/false
        stray = [p for p in parsed.problems.items if p.rule == "XML_STRAY_TEXT"]
        assert [(p.location, p.value) for p in stray] == [
            ("Message/Children/Child[1]/ChildIdentifiers/UPNunknown", "PersonBirthDate")
        ]
        assert all(parsed.rows_read[t] == parsed.tables[t].num_rows for t in parsed.tables)


class TestDocumentedFormats:
    def parse(self, form, folder: str, year: int | None = None):
        texts = [read_csv(p) for p in sorted((INGEST / folder).glob("*.csv"))]
        return form.parse(texts, la_code="999", ids=IDS, year=year)

    def test_workforce_workers_and_vacancies_are_one_return(self):
        (parsed,) = self.parse(workforce.CSV, "workforce")
        assert (parsed.info.year, parsed.info.period_start, parsed.info.period_end) == (
            2016,
            D(2015, 10, 1),
            D(2016, 9, 30),
        )
        assert [
            (v["date"], v["vacant_fte"], v["agency_cover_fte"])
            for v in rows(parsed, "sw_vacancies")
        ] == [
            (D(2016, 3, 31), 4.5, 3.0),
            (D(2016, 9, 30), 3.0, 2.5),
        ]
        workers = rows(parsed, "sw_workers")
        assert [w["worker_id"] for w in workers] == [
            pseudonym(w) for w in ("SW001", "SW002", "SW003")
        ]
        assert workers[2]["reason_left"] == "RES"

    def test_workforce_caseloads_are_the_cases_in_post_on_the_census_date(self):
        (parsed,) = self.parse(workforce.CSV, "workforce")
        # SW001 and SW002 are in post on 30 Sep 2016 with cases; SW003 left in March.
        assert [
            (c["worker_id"], c["start_date"], c["census_date"], c["agency"], c["fte"], c["cases"])
            for c in rows(parsed, "sw_caseloads")
        ] == [
            (pseudonym("SW001"), D(2014, 1, 1), D(2016, 9, 30), False, 1.0, 18),
            (pseudonym("SW002"), D(2016, 2, 1), D(2016, 9, 30), True, 0.5, 9),
        ]

    def test_early_help_episodes(self):
        (parsed,) = self.parse(early_help.CSV, "early_help")
        assert (parsed.info.kind, parsed.info.year) == ("early_help", 2016)
        episodes = rows(parsed, "eh_episodes")
        assert [(e["lead_agency"], e["closure_reason"]) for e in episodes] == [
            ("SCHOOL", "NEEDS_MET"),
            ("HEALTH", "STEP_UP"),
            ("LA_EARLY_HELP", None),
        ]
        assert episodes[0]["assessment_completed_date"] == D(2015, 5, 20)

    def test_virtual_school_records(self):
        (parsed,) = self.parse(virtual_school.CSV, "virtual_school")
        assert (parsed.info.year, parsed.info.period_start) == (2016, D(2015, 9, 1))
        schools = rows(parsed, "vs_schools")
        assert [(s["urn"], s["ofsted_grade"], s["phase"]) for s in schools] == [
            ("106789", 2, "PRIMARY"),
            ("106790", None, "SECONDARY"),
        ]
        assert [(p["quality_rating"], p["audit_date"]) for p in rows(parsed, "vs_peps")] == [
            ("GOOD", D(2015, 11, 1)),
            (None, None),
            ("RI", D(2015, 12, 1)),
        ]
        assert rows(parsed, "vs_exclusions")[0]["kind"] == "SUSPENSION"  # written lower case
        assert [a["attended_sessions"] for a in rows(parsed, "vs_attendance")] == [371, 320]

    def test_files_of_two_years_in_one_folder_are_two_returns(self, tmp_path):
        shutil.copy(INGEST / "workforce" / "workers_2016.csv", tmp_path / "a.csv")
        (tmp_path / "b.csv").write_text(
            "WORKER_ID,AGENCY,ROLE,REGISTERED,FTE,START_DATE,LEFT_DATE,REASON_LEFT,CASES\n"
            "SW001,0,5,1,1.0,01/01/2014,,,15\n"
        )
        texts = [read_csv(tmp_path / "a.csv"), read_csv(tmp_path / "b.csv")]
        parsed = workforce.CSV.parse(texts, la_code="999", ids=IDS)
        assert [p.info.year for p in parsed] == [2014, 2016]

    def test_a_second_file_of_one_table_and_year_is_refused(self, tmp_path):
        shutil.copy(INGEST / "early_help" / "early_help_2016.csv", tmp_path / "a.csv")
        shutil.copy(INGEST / "early_help" / "early_help_2016.csv", tmp_path / "b.csv")
        texts = [read_csv(tmp_path / "a.csv"), read_csv(tmp_path / "b.csv")]
        with pytest.raises(ValueError, match=r"b\.csv: a second eh_episodes file"):
            early_help.CSV.parse(texts, la_code="999", ids=IDS)
