"""No input crashes a parser: any bytes, any XML, any cell either loads or gives a ReturnError."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns import cin_census, ssda903
from cscmonitor.returns.columns import Where, to_bool, to_date, to_number
from cscmonitor.returns.csvfile import read_csv
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.schema import Column, Kind, build

IDS = Pseudonymiser(b"property-tests")
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(content=st.binary(max_size=2000))
def test_any_bytes_as_csv(tmp_path: Path, content: bytes):
    path = tmp_path / "any.csv"
    path.write_bytes(content)
    try:
        text = read_csv(path)
    except ReturnError as exc:
        assert str(path) in str(exc)
        return
    assert text.table.num_rows == len(text.locations)


@FAST
@given(content=st.binary(max_size=2000))
def test_any_bytes_as_xml(tmp_path: Path, content: bytes):
    path = tmp_path / "any.xml"
    path.write_bytes(content)
    try:
        cin_census.parse(path, ids=IDS, la_code="999", year=2016)
    except ReturnError as exc:
        assert str(path) in str(exc)


CIN_TAGS = [
    "Child",
    "ChildIdentifiers",
    "LAchildID",
    "PersonBirthDate",
    "Sex",
    "GenderCurrent",
    "ChildCharacteristics",
    "Ethnicity",
    "Disabilities",
    "Disability",
    "CINdetails",
    "CINreferralDate",
    "ReferralNFA",
    "Assessments",
    "AssessmentActualStartDate",
    "FactorsIdentifiedAtAssessment",
    "AssessmentFactors",
    "ChildProtectionPlans",
    "CPPstartDate",
    "Reviews",
    "CPPreviewDate",
    "Section47",
    "Unknown",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12)
ELEMENTS = st.recursive(
    st.tuples(st.sampled_from(CIN_TAGS), TEXT, st.just([])),
    lambda inner: st.tuples(st.sampled_from(CIN_TAGS), TEXT, st.lists(inner, max_size=4)),
    max_leaves=30,
)


def render(element) -> str:
    tag, text, children = element
    return f"<{tag}>{escape(text)}{''.join(render(c) for c in children)}</{tag}>"


@FAST
@given(
    children=st.lists(ELEMENTS, max_size=5),
    reference=st.sampled_from(["2016-03-31", "", "31/03/2016", "x"]),
)
def test_any_census_shaped_xml(tmp_path: Path, children, reference: str):
    path = tmp_path / "census.xml"
    body = "".join(render(c) for c in children)
    path.write_text(
        "<Message><Header><CollectionDetails><ReferenceDate>"
        f"{reference}</ReferenceDate></CollectionDetails><Source><LEA>999</LEA></Source>"
        f"</Header><Children>{body}</Children></Message>"
    )
    try:
        parsed = cin_census.parse(path, ids=IDS)
    except ReturnError as exc:
        assert "ReferenceDate" in str(exc)
        return
    for name, table in parsed.tables.items():
        assert parsed.rows_read[name] >= table.num_rows


@FAST
@given(cells=st.lists(st.text(max_size=20) | st.none(), max_size=30))
def test_any_cells_type_without_crashing(cells):
    raw = pa.array(cells, pa.string())
    where = Where("f", "t", pa.array([f"row {i}" for i in range(len(cells))], pa.string()))
    for convert in (
        lambda: to_date(raw, where=where, field="D"),
        lambda: to_date(raw, where=where, field="D", partial=True),
        lambda: to_number(raw, pa.int64(), where=where, field="N"),
        lambda: to_number(raw, pa.float64(), where=where, field="N"),
        lambda: to_bool(raw, where=where, field="B"),
    ):
        values, problems = convert()
        assert len(values) == len(cells)
        # Every cell is loaded, blank, or listed: a non-blank cell that did not type is a problem.
        typed = sum(v is not None for v in values.to_pylist())
        non_blank = sum(c is not None and c.strip() != "" for c in cells)
        assert typed + problems.num_rows >= non_blank - sum(
            c is not None and c.strip().lower().startswith("zz") for c in cells
        )


@FAST
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=8), st.text(max_size=12), st.text(max_size=4)), max_size=20
    )
)
def test_any_episode_rows(tmp_path: Path, rows):
    path = tmp_path / "episodes.csv"
    lines = [
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN"
    ]
    for child, decom, rne in rows:
        cells = [child, decom, rne] + [""] * 10
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        parsed = ssda903.parse_csv([read_csv(path)], la_code="999", ids=IDS, year=2016)
    except ReturnError:
        return
    episodes = parsed.tables["cla_episodes"]
    assert parsed.rows_read["cla_episodes"] >= episodes.num_rows


def test_build_with_every_kind_on_odd_cells():
    columns = tuple(Column(k.name, k.value, k) for k in Kind)
    cells = {k.name: pa.array(["", " ", "\t", "zz/zz/2015", "☃", "1e308", "-0"]) for k in Kind}
    typed = build(
        cells,
        columns,
        file="f",
        table="t",
        locations=pa.array([f"row {i}" for i in range(7)]),
        ids=IDS,
    )
    assert typed.table.num_rows == 7
