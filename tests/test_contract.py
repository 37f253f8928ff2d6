"""The contract file: loading, validation errors naming file and field, contract years."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cscmonitor.indicators.registry import Indicator, Polarity
from cscmonitor.periods import Period
from cscmonitor.terms import (
    ContractError,
    ContractTerms,
    PartyRole,
    load_contract,
    load_packaged_contract,
    packaged_contract_names,
    parse_contract,
)
from tests.conftest import make_indicator as shared_indicator

DOCS = Path(__file__).resolve().parents[1] / "docs" / "contract.md"


def make_indicator(code: str, polarity: Polarity = Polarity.LOWER) -> Indicator:
    return shared_indicator(code, polarity=polarity)


REGISTRY = {
    code: make_indicator(code)
    for code in ("REREF_12M", "CPP_REPEAT", "CLA_3PLUS", "SW_AGENCY", "SW_TURNOVER")
} | {"REF_RATE": make_indicator("REF_RATE", Polarity.NEITHER)}

KNOWN = "CLA_3PLUS, CPP_REPEAT, REF_RATE, REREF_12M, SW_AGENCY, SW_TURNOVER"

VALID = """\
name: Test contract
la_code: "371"
start_date: 2014-10-01
contract_year_start_month: 10
parties:
  - role: council
    name: A Council
    signatories:
      - {name: A Person, title: Chief Executive}
  - role: trust
    name: A Trust
basket:
  - indicator: REREF_12M
    baseline: 38
    target: 25
    tolerance: 3
  - indicator: CPP_REPEAT
    baseline: 16
    target: 14
    tolerance: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ContractError) as caught:
        load_contract(path, REGISTRY)
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]
    return [str(p) for p in caught.value.problems]


def test_valid_contract_loads(tmp_path: Path) -> None:
    contract = load_contract(write(tmp_path, VALID), REGISTRY)
    assert contract.name == "Test contract"
    assert contract.la_code == "371"
    assert contract.start_date == dt.date(2014, 10, 1)
    assert [p.role for p in contract.parties] == [PartyRole.COUNCIL, PartyRole.TRUST]
    assert contract.council is not None and contract.council.name == "A Council"
    assert contract.parties[0].signatories[0].title == "Chief Executive"
    assert contract.parties[1].signatories == ()
    assert [e.indicator for e in contract.basket] == ["REREF_12M", "CPP_REPEAT"]
    assert contract.entry("CPP_REPEAT").tolerance == 2
    assert contract.basket[0].reported is None


def test_packaged_doncaster_contract() -> None:
    assert "doncaster-2014" in packaged_contract_names()
    contract = load_packaged_contract("doncaster-2014", REGISTRY)
    assert (contract.la_code, contract.start_date, contract.contract_year_start_month) == (
        "371",
        dt.date(2014, 10, 1),
        10,
    )
    council, trust = contract.parties
    assert council.name == "Doncaster Metropolitan Borough Council"
    assert [(s.name, s.title) for s in council.signatories] == [
        ("Jo Miller", "Chief Executive"),
        ("Ros Jones", "Elected Mayor"),
        ("Cllr Nuala Fennelly", "Lead Member for Children's Services"),
        ("Damian Allen", "Director of Children's Services"),
    ]
    assert trust.role is PartyRole.TRUST
    assert [s.name for s in trust.signatories] == ["Colin Hilton", "Paul Moffat"]
    # The seed's "from" figures are the baselines; its "to" figures are reported for year 1.
    seed = {
        "REREF_12M": (38, 23),
        "CPP_REPEAT": (16, 13),
        "CLA_3PLUS": (11, 7),
        "SW_AGENCY": (18, 10),
        "SW_TURNOVER": (29, 18),
    }
    for entry in contract.basket:
        baseline, year_one = seed[entry.indicator]
        assert entry.baseline == baseline
        assert entry.reported is not None
        assert (entry.reported.baseline, entry.reported.years) == (baseline, {1: year_one})
        assert entry.reported.source == "Annual review to the Secretary of State, 29 January 2016"
        assert entry.target is not None and entry.target < baseline
        assert entry.tolerance is not None and entry.tolerance >= 0
    assert [e.indicator for e in contract.basket] == list(seed)


def test_packaged_contract_fits_the_builtin_registry() -> None:
    contract = load_packaged_contract("doncaster-2014")
    assert len(contract.basket) == 5


def test_docs_example_is_the_packaged_contract() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1
    documented = parse_contract(blocks[0], "docs/contract.md", REGISTRY)
    assert documented == load_packaged_contract("doncaster-2014", REGISTRY)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param(
            "indicator: REREF_12M",
            "indicator: REREF",
            f"basket[0].indicator: unknown indicator 'REREF'; known: {KNOWN}",
            id="unknown indicator",
        ),
        pytest.param(
            "    target: 14\n    tolerance: 2\n",
            "    target: 14\n",
            "basket[1].tolerance: required when a target is set (use 0 for none)",
            id="missing tolerance",
        ),
        pytest.param(
            "tolerance: 2",
            "tolerance: -0.5",
            "basket[1].tolerance: must be ≥ 0",
            id="negative tolerance",
        ),
        pytest.param(
            "contract_year_start_month: 10",
            "contract_year_start_month: 13",
            "contract_year_start_month: must be a month number 1–12, not 13",
            id="month 13",
        ),
        pytest.param(
            "contract_year_start_month: 10",
            "contract_year_start_month: 0",
            "contract_year_start_month: must be a month number 1–12, not 0",
            id="month 0",
        ),
        pytest.param(
            "role: trust",
            "role: mayor",
            "parties[1].role: must be 'council', 'trust' or 'other', not 'mayor'",
            id="unknown party role",
        ),
        pytest.param(
            'la_code: "371"',
            "la_code: 371",
            'la_code: must be quoted text of three digits, e.g. "371", not 371',
            id="unquoted LA code",
        ),
        pytest.param(
            'la_code: "371"',
            'la_code: "37"',
            "la_code: must be the DfE LA code, three digits (e.g. 371), not '37'",
            id="short LA code",
        ),
        pytest.param(
            "    target: 14\n",
            "",
            "basket[1].tolerance: given without a target",
            id="tolerance without target",
        ),
        pytest.param(
            "indicator: CPP_REPEAT",
            "indicator: REF_RATE",
            "basket[1].target: REF_RATE has polarity 'neither', so a target could never be "
            "rated; remove it",
            id="target for polarity neither",
        ),
        pytest.param(
            "indicator: CPP_REPEAT",
            "indicator: REREF_12M",
            "basket: REREF_12M is listed twice (basket[0] and basket[1])",
            id="duplicate indicator",
        ),
        pytest.param(
            "    baseline: 16\n",
            "",
            "basket[1].baseline: required",
            id="missing baseline",
        ),
        pytest.param(
            "baseline: 16",
            "baseline: sixteen",
            "basket[1].baseline: must be a number, not 'sixteen'",
            id="baseline not a number",
        ),
        pytest.param(
            "start_date: 2014-10-01",
            "start_date: 2014-13-01",
            "start_date: must be a date as YYYY-MM-DD, not '2014-13-01'",
            id="impossible date",
        ),
        pytest.param(
            "name: Test contract\n",
            "",
            "name: required",
            id="missing name",
        ),
        pytest.param(
            "    tolerance: 2\n",
            "    tolerance: 2\n    reported:\n      source: somewhere\n",
            "basket[1].reported: give a baseline or at least one year's figure",
            id="reported without figures",
        ),
        pytest.param(
            "    tolerance: 2\n",
            "    tolerance: 2\n    reported:\n      source: somewhere\n      years: {0: 12}\n",
            "basket[1].reported.years: contract years are numbered from 1",
            id="reported year 0",
        ),
    ],
)
def test_each_problem_names_file_and_field(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in VALID
    problems = problems_for(tmp_path, VALID.replace(old, new, 1))
    assert problems == [f"{tmp_path / 'contract.yaml'}: {problem}"]


def test_misspelt_field_is_named_and_its_absence_noticed(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    assert problems_for(tmp_path, VALID.replace("tolerance: 3", "tolerence: 3")) == [
        f"{path}: basket[0].tolerance: required when a target is set (use 0 for none)",
        f"{path}: basket[0].tolerence: not a contract field; check the spelling",
    ]


def test_empty_basket(tmp_path: Path) -> None:
    text = VALID[: VALID.index("basket:")] + "basket: []\n"
    assert problems_for(tmp_path, text) == [
        f"{tmp_path / 'contract.yaml'}: basket: must list at least one"
    ]


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("role: trust", "role: mayor").replace("tolerance: 2", "tolerance: -1")
    path = tmp_path / "contract.yaml"
    assert problems_for(tmp_path, text) == [
        f"{path}: parties[1].role: must be 'council', 'trust' or 'other', not 'mayor'",
        f"{path}: basket[1].tolerance: must be ≥ 0",
    ]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    text = VALID.replace("name: A Trust", "name: [A Trust")
    (problem,) = problems_for(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'contract.yaml'}: line ")
    assert "not valid YAML" in problem


@pytest.mark.parametrize(("text", "found"), [("", "nothing"), ("- 1\n- 2\n", "a list")])
def test_file_must_be_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    assert problems_for(tmp_path, text) == [
        f"{tmp_path / 'contract.yaml'}: must be a mapping of contract fields, not {found}"
    ]


def test_missing_file_is_a_contract_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"missing\.yaml: cannot be read"):
        load_contract(tmp_path / "missing.yaml", REGISTRY)


def test_codes_come_from_the_injected_registry(tmp_path: Path) -> None:
    own = {"XYZ": make_indicator("XYZ")}
    text = VALID.replace("REREF_12M", "XYZ").replace("CPP_REPEAT", "XYZ2")
    with pytest.raises(ContractError) as caught:
        load_contract(write(tmp_path, text), own)
    assert [p.field for p in caught.value.problems] == ["basket[1].indicator"]
    assert caught.value.problems[0].message == "unknown indicator 'XYZ2'; known: XYZ"


def contract_starting(start: str, month: int) -> ContractTerms:
    text = VALID.replace("start_date: 2014-10-01", f"start_date: {start}").replace(
        "contract_year_start_month: 10", f"contract_year_start_month: {month}"
    )
    return parse_contract(text, "contract.yaml", REGISTRY)


def period(start: str, end: str) -> Period:
    return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_october_contract_years() -> None:
    contract = contract_starting("2014-10-01", 10)
    assert contract.baseline_period() == period("2013-10-01", "2014-09-30")
    assert contract.contract_year(1) == period("2014-10-01", "2015-09-30")
    assert contract.contract_year(2) == period("2015-10-01", "2016-09-30")
    assert contract.contract_year(5) == period("2018-10-01", "2019-09-30")


@pytest.mark.parametrize(
    ("day", "year"),
    [
        ("2014-10-01", 1),
        ("2015-09-30", 1),
        ("2015-10-01", 2),
        ("2016-02-29", 2),
        ("2016-09-30", 2),
        ("2016-10-01", 3),
    ],
)
def test_october_contract_year_containing(day: str, year: int) -> None:
    contract = contract_starting("2014-10-01", 10)
    assert contract.contract_year_number(dt.date.fromisoformat(day)) == year
    assert contract.contract_year_containing(dt.date.fromisoformat(day)) == contract.contract_year(
        year
    )


def test_january_contract_years_are_calendar_years() -> None:
    contract = contract_starting("2016-01-01", 1)
    assert contract.baseline_period() == period("2015-01-01", "2015-12-31")
    assert contract.contract_year(1) == period("2016-01-01", "2016-12-31")
    assert contract.contract_year(2) == period("2017-01-01", "2017-12-31")
    assert contract.contract_year_containing(dt.date(2017, 12, 31)) == contract.contract_year(2)
    assert contract.contract_year_number(dt.date(2018, 1, 1)) == 3


def test_a_start_mid_year_gives_a_short_first_year() -> None:
    contract = contract_starting("2014-12-06", 10)
    assert contract.baseline_period() == period("2013-12-06", "2014-12-05")
    assert contract.contract_year(1) == period("2014-12-06", "2015-09-30")
    assert contract.contract_year(2) == period("2015-10-01", "2016-09-30")
    assert contract.contract_year_number(dt.date(2015, 9, 30)) == 1
    assert contract.contract_year_number(dt.date(2015, 10, 1)) == 2


def test_leap_day_baseline() -> None:
    contract = contract_starting("2016-03-01", 3)
    assert contract.baseline_period() == period("2015-03-01", "2016-02-29")


def test_no_year_before_the_start() -> None:
    contract = contract_starting("2014-10-01", 10)
    with pytest.raises(ValueError, match="before the contract started"):
        contract.contract_year_number(dt.date(2014, 9, 30))
    with pytest.raises(ValueError, match="numbered from 1"):
        contract.contract_year(0)
