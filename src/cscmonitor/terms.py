"""The Service Delivery Contract's terms, from its file: parties, contract years and the basket.

A contract is a YAML file validated with pydantic. Every problem is reported with
the file and the field it concerns, e.g. `contract.yaml: basket[2].tolerance: must be ≥ 0`.
The format is documented, with a full example, in `docs/contract.md`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Protocol

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from cscmonitor.indicators import registry as builtin_registry
from cscmonitor.indicators.registry import Indicator, Polarity
from cscmonitor.periods import Period, add_months, twelve_months_to

PACKAGED_CONTRACTS = "contracts"


class IndicatorLookup(Protocol):
    """Where indicator metadata comes from: the registry module, or a dict of code to Indicator.

    `get` either raises KeyError (the registry) or returns None (a dict) for an unknown code.
    """

    def get(self, code: str, /) -> Indicator | None: ...


def lookup_indicator(registry: IndicatorLookup | None, code: str) -> Indicator:
    """The indicator with this code; KeyError naming the known codes if there is none."""
    source: IndicatorLookup = builtin_registry if registry is None else registry
    try:
        found = source.get(code)
    except KeyError as exc:
        raise KeyError(exc.args[0] if exc.args else f"unknown indicator {code!r}") from None
    if found is None:
        known = ""
        if isinstance(source, Mapping) and source:
            known = f"; known: {', '.join(sorted(source))}"
        raise KeyError(f"unknown indicator {code!r}{known}")
    return found


def _registry_from(info: ValidationInfo) -> IndicatorLookup | None:
    context = info.context if isinstance(info.context, Mapping) else {}
    registry: IndicatorLookup | None = context.get("registry")
    return registry


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PartyRole(StrEnum):
    COUNCIL = "council"
    TRUST = "trust"
    OTHER = "other"


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt `tolerence` must not silently vanish.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signatory(_Strict):
    name: Text
    title: Text


class Party(_Strict):
    role: PartyRole
    name: Text
    signatories: tuple[Signatory, ...] = ()


class ReportedFigures(_Strict):
    """Figures the Council published before, kept only to set computed figures beside them."""

    source: Text
    baseline: float | None = None
    years: dict[int, float] = Field(default_factory=dict)

    @field_validator("years")
    @classmethod
    def _years_count_from_one(cls, years: dict[int, float]) -> dict[int, float]:
        if any(year < 1 for year in years):
            raise PydanticCustomError("contract_year", "contract years are numbered from 1")
        return years

    @model_validator(mode="after")
    def _has_a_figure(self) -> ReportedFigures:
        if self.baseline is None and not self.years:
            raise PydanticCustomError("no_figures", "give a baseline or at least one year's figure")
        return self


class BasketEntry(_Strict):
    """One indicator in the basket, with its contract baseline, target and tolerance."""

    indicator: Text
    # Required but may be null, so a baseline that was never agreed is a statement, not an omission.
    baseline: float | None
    target: float | None = None
    tolerance: float | None = Field(default=None, validate_default=True)
    reported: ReportedFigures | None = None

    @field_validator("indicator")
    @classmethod
    def _known_indicator(cls, code: str, info: ValidationInfo) -> str:
        try:
            lookup_indicator(_registry_from(info), code)
        except KeyError as exc:
            raise PydanticCustomError("unknown_indicator", str(exc.args[0])) from None
        return code

    @field_validator("target")
    @classmethod
    def _target_is_rateable(cls, target: float | None, info: ValidationInfo) -> float | None:
        code = info.data.get("indicator")
        if target is None or code is None:
            return target
        if lookup_indicator(_registry_from(info), code).polarity is Polarity.NEITHER:
            raise PydanticCustomError(
                "target_without_polarity",
                "{code} has polarity 'neither', so a target could never be rated; remove it",
                {"code": code},
            )
        return target

    @field_validator("tolerance")
    @classmethod
    def _tolerance_goes_with_target(
        cls, tolerance: float | None, info: ValidationInfo
    ) -> float | None:
        if tolerance is not None and tolerance < 0:
            raise PydanticCustomError("negative_tolerance", "must be ≥ 0")
        # Only judge the pairing when the target itself was valid.
        if "target" not in info.data:
            return tolerance
        target = info.data["target"]
        if target is not None and tolerance is None:
            raise PydanticCustomError(
                "missing_tolerance", "required when a target is set (use 0 for none)"
            )
        if target is None and tolerance is not None:
            raise PydanticCustomError("tolerance_without_target", "given without a target")
        return tolerance


class ContractTerms(_Strict):
    """A Service Delivery Contract: who is party to it, when it runs and what it measures."""

    name: Text
    la_code: str
    parties: tuple[Party, ...]
    start_date: dt.date
    contract_year_start_month: int
    basket: tuple[BasketEntry, ...]

    @field_validator("la_code", mode="before")
    @classmethod
    def _la_code_is_quoted(cls, value: Any) -> Any:
        # YAML reads 371 as a number and 071 as octal 57: insist on quotes.
        if not isinstance(value, str):
            raise PydanticCustomError(
                "la_code",
                'must be quoted text of three digits, e.g. "371", not {value}',
                {"value": repr(value)},
            )
        if not (len(value) == 3 and value.isascii() and value.isdigit()):
            raise PydanticCustomError(
                "la_code",
                "must be the DfE LA code, three digits (e.g. 371), not {value}",
                {"value": repr(value)},
            )
        return value

    @field_validator("contract_year_start_month")
    @classmethod
    def _is_month(cls, month: int) -> int:
        if not 1 <= month <= 12:
            raise PydanticCustomError(
                "month", "must be a month number 1–12, not {month}", {"month": month}
            )
        return month

    @field_validator("parties", "basket")
    @classmethod
    def _not_empty(cls, items: tuple[Any, ...]) -> tuple[Any, ...]:
        # A validator rather than min_length, which also fires when the only item is invalid.
        if not items:
            raise PydanticCustomError("empty", "must list at least one")
        return items

    @field_validator("basket")
    @classmethod
    def _each_indicator_once(cls, basket: tuple[BasketEntry, ...]) -> tuple[BasketEntry, ...]:
        seen: dict[str, int] = {}
        for position, entry in enumerate(basket):
            if entry.indicator in seen:
                raise PydanticCustomError(
                    "duplicate_indicator",
                    "{code} is listed twice (basket[{first}] and basket[{second}])",
                    {"code": entry.indicator, "first": seen[entry.indicator], "second": position},
                )
            seen[entry.indicator] = position
        return basket

    @property
    def council(self) -> Party | None:
        """The first party whose role is council."""
        return next((p for p in self.parties if p.role is PartyRole.COUNCIL), None)

    def entry(self, code: str) -> BasketEntry:
        """The basket entry for an indicator code."""
        for entry in self.basket:
            if entry.indicator == code:
                return entry
        raise KeyError(f"{code} is not in the basket of {self.name!r}")

    def baseline_period(self) -> Period:
        """The 12 months before the contract started."""
        return twelve_months_to(self.start_date - dt.timedelta(days=1))

    def _first_anniversary(self) -> dt.date:
        """The first start of a contract year after `start_date`: where year 2 begins."""
        candidate = dt.date(self.start_date.year, self.contract_year_start_month, 1)
        if candidate <= self.start_date:
            candidate = dt.date(self.start_date.year + 1, self.contract_year_start_month, 1)
        return candidate

    def contract_year(self, n: int) -> Period:
        """Contract year `n`, from 1; year 1 starts at `start_date` and ends with its contract year.

        When `start_date` is not the first of `contract_year_start_month`, year 1 is shorter
        than 12 months; later years always run 12 months from the first of that month.
        """
        if n < 1:
            raise ValueError(f"contract years are numbered from 1, not {n}")
        year_two = self._first_anniversary()
        start = self.start_date if n == 1 else add_months(year_two, 12 * (n - 2))
        return Period(start, add_months(year_two, 12 * (n - 1)) - dt.timedelta(days=1))

    def contract_year_number(self, day: dt.date) -> int:
        """The number of the contract year containing `day`."""
        if day < self.start_date:
            raise ValueError(f"{day} is before the contract started ({self.start_date})")
        year_two = self._first_anniversary()
        if day < year_two:
            return 1
        months = (day.year - year_two.year) * 12 + day.month - year_two.month
        return 2 + months // 12

    def contract_year_containing(self, day: dt.date) -> Period:
        """The contract year containing `day`."""
        return self.contract_year(self.contract_year_number(day))


@dataclass(frozen=True)
class ContractProblem:
    """One problem in a contract file; `field` is empty when it concerns the whole file."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ContractError(ValueError):
    """A contract file that cannot be used; `problems` lists each one with file and field."""

    def __init__(self, problems: list[ContractProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _field_path(loc: tuple[int | str, ...]) -> str:
    """`('basket', 2, 'tolerance')` as `basket[2].tolerance`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _message(error: ErrorDetails) -> str:
    """Pydantic's message, reworded where a contract author would find it unclear."""
    ctx = error.get("ctx", {})
    match error["type"]:
        case "missing":
            return "required"
        case "extra_forbidden":
            return "not a contract field; check the spelling"
        case "enum" | "literal_error":
            return f"must be {ctx['expected']}, not {error['input']!r}"
        case "float_parsing" | "float_type":
            return f"must be a number, not {error['input']!r}"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"must be a whole number, not {error['input']!r}"
        case "date_parsing" | "date_from_datetime_parsing" | "date_type":
            return f"must be a date as YYYY-MM-DD, not {error['input']!r}"
        case _:
            return error["msg"]


def _problems(source: str, error: ValidationError) -> list[ContractProblem]:
    return [
        ContractProblem(source, _field_path(tuple(e["loc"])), _message(e))
        for e in error.errors(include_url=False)
    ]


class _ContractLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so pydantic reports a bad date against its field."""


# PyYAML builds dates itself and raises a bare ValueError, without file or field, for 2014-13-01.
_ContractLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_contract(
    text: str, source: str = "contract.yaml", registry: IndicatorLookup | None = None
) -> ContractTerms:
    """Parse and validate contract YAML; `source` names the file in error messages."""
    try:
        data = yaml.load(text, Loader=_ContractLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContractError(
            [ContractProblem(source, "", f"{where}not valid YAML: {problem}")]
        ) from None
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise ContractError(
            [ContractProblem(source, "", f"must be a mapping of contract fields, not {found}")]
        )
    try:
        return ContractTerms.model_validate(data, context={"registry": registry})
    except ValidationError as exc:
        raise ContractError(_problems(source, exc)) from None


def load_contract(path: str | Path, registry: IndicatorLookup | None = None) -> ContractTerms:
    """Read and validate a contract file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError([ContractProblem(str(path), "", f"cannot be read: {exc}")]) from None
    return parse_contract(text, str(path), registry)


def packaged_contract_names() -> list[str]:
    """Names of the example contracts shipped with cscmonitor, e.g. `doncaster-2014`."""
    folder = resources.files("cscmonitor").joinpath(PACKAGED_CONTRACTS)
    return sorted(
        f.name.removesuffix(".yaml") for f in folder.iterdir() if f.name.endswith(".yaml")
    )


def load_packaged_contract(name: str, registry: IndicatorLookup | None = None) -> ContractTerms:
    """One of the example contracts shipped with cscmonitor, by name."""
    if name not in packaged_contract_names():
        known = ", ".join(packaged_contract_names())
        raise KeyError(f"no packaged contract {name!r}; packaged: {known}")
    resource = resources.files("cscmonitor").joinpath(PACKAGED_CONTRACTS, f"{name}.yaml")
    return parse_contract(
        resource.read_text(encoding="utf-8"), f"cscmonitor/contracts/{name}.yaml", registry
    )
