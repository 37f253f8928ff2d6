"""A contract's records as one YAML file: import sets a contract up, export writes it back.

The file's `contract` section has the shape of the contract file (`docs/contract.md`), and is
checked by the same rules. Everything else goes through the services, so the file obeys the
same rules as the CLI and the web app. Money is in pounds. Records that an approved change
request makes (later basket versions, services transferred in, contract variations) are not
written out: the file holds the request and its history, and import replays that history
through the workflow, which makes them again. `docs/records.md` describes the format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy.orm import Session

from cscmonitor.periods import Period
from cscmonitor.records import (
    basket,
    changes,
    contracts,
    finance,
    inspections,
    models,
    priorities,
    riskshare,
)
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import pence_to_pounds, pounds_to_pence

DEMO = "doncaster-2014"
# Validation context when a model is read from held records (money already in pence).
HELD = {"held": True}


def _pence(value: Any, info: ValidationInfo) -> Any:
    if info.context and info.context.get("held"):
        return value
    return pounds_to_pence(value, None)


def _basis_points(value: Any, info: ValidationInfo) -> Any:
    if info.context and info.context.get("held"):
        return value
    if isinstance(value, bool):
        raise ValueError("must be a percentage")
    percent = Decimal(repr(value) if isinstance(value, float) else str(value))
    points = percent * 100
    if points != points.to_integral_value():
        raise ValueError("give a percentage with at most 2 decimal places")
    return int(points)


def _number(value: float | None) -> float | int | None:
    """38.0 as 38, so a file reads as people wrote it."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _when(at: dt.datetime) -> dt.date | str:
    return at.date() if at.time() == dt.time() else at.isoformat(sep=" ")


# Written in pounds, held in pence; written in %, held in 1/100 %.
Pounds = Annotated[int, BeforeValidator(_pence), PlainSerializer(pence_to_pounds)]
Percent = Annotated[
    int, BeforeValidator(_basis_points), PlainSerializer(lambda bp: _number(bp / 100))
]
Moment = Annotated[dt.datetime, PlainSerializer(_when)]


class _Record(BaseModel):
    """One part of the file. Fields are named as the records and their services name them;
    an alias is the file's word where it differs, so each field is written once: read from
    the file (import), from the held records (export), and passed to the service."""

    # A misspelt key is an error, never silently dropped.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, from_attributes=True
    )

    @classmethod
    def held(cls, record: object) -> Self:
        """The file's view of a held record."""
        return cls.model_validate(record, from_attributes=True, context=HELD)

    def fields(self, *leave_out: str) -> dict[str, Any]:
        """The fields as the services take them (names, not aliases; money in pence)."""
        return {n: getattr(self, n) for n in type(self).model_fields if n not in leave_out}


class Milestone(_Record):
    title: str
    kind: str = "milestone"
    due_date: dt.date | None = Field(None, alias="due")
    status: str = "not_started"
    note: str | None = None


class Service(_Record):
    name: str
    description: str | None = None
    in_scope_from: dt.date
    in_scope_until: dt.date | None = None


class Commentary(_Record):
    indicator: str
    period: str
    author_role: str = Field(alias="role")
    author: str
    text: str

    @model_validator(mode="before")
    @classmethod
    def _from_held(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        return {
            "indicator": data.indicator,
            "period": f"{data.period_start.isoformat()}:{data.period_end.isoformat()}",
            "role": data.author_role,
            "author": data.author,
            "text": data.text,
        }


class ActionUpdate(_Record):
    # Not `on` in the file: YAML 1.1 reads an unquoted `on` as true.
    on: dt.date = Field(alias="date")
    author: str = Field(alias="by")
    note: str
    evidence: str | None = None
    status: str | None = None


class Action(_Record):
    action: str
    owner: str
    due_date: dt.date = Field(alias="due")
    recommendation_number: int | None = Field(None, alias="recommendation")
    status: str = "not_started"
    completed_date: dt.date | None = Field(None, alias="completed")
    updates: tuple[ActionUpdate, ...] = Field((), alias="progress")


class Recommendation(_Record):
    number: int
    text: str


class Inspection(_Record):
    inspectorate: str
    framework: str
    inspection_type: str | None = Field(None, alias="type")
    setting: str
    urn: str | None = None
    start_date: dt.date
    end_date: dt.date | None = None
    published_date: dt.date | None = Field(None, alias="published")
    overall: str | None = None
    judgements: dict[str, str] = Field(default_factory=dict)
    theme: str | None = None
    recommendations: tuple[Recommendation, ...] = ()
    actions: tuple[Action, ...] = ()

    @field_validator("judgements", mode="before")
    @classmethod
    def _judgements_by_area(cls, value: Any) -> Any:
        # Held as rows (area, judgement); the file gives them as a mapping.
        if isinstance(value, dict):
            return value
        return {j.area: j.judgement for j in value}


class Band(_Record):
    up_to_pence: Pounds | None = Field(None, alias="up_to")
    council_share_bp: Percent = Field(alias="council_share")


class RiskShare(_Record):
    name: str
    effective_from: dt.date
    overspend: tuple[Band, ...]
    underspend: tuple[Band, ...]
    trust_overspend_cap_pence: Pounds | None = Field(None, alias="trust_overspend_cap")
    trust_underspend_cap_pence: Pounds | None = Field(None, alias="trust_underspend_cap")

    @model_validator(mode="before")
    @classmethod
    def _from_held(cls, data: Any) -> Any:
        # Held as one list of bands, each with its direction.
        if isinstance(data, dict):
            return data
        return {name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)} | {
            direction: [b for b in data.bands if b.direction == direction]
            for direction in (riskshare.OVERSPEND, riskshare.UNDERSPEND)
        }


class Line(_Record):
    service_area: str
    amount_pence: Pounds = Field(alias="amount")


class Adjustment(_Record):
    kind: str
    amount_pence: Pounds = Field(alias="amount")
    note: str | None = None


class Forecast(_Record):
    quarter: int
    as_at: dt.date
    spend_pence: Pounds = Field(alias="spend")
    note: str | None = None


class Outturn(_Record):
    spend_pence: Pounds = Field(alias="spend")
    note: str | None = None


class Budget(_Record):
    label: str
    period_start: dt.date
    period_end: dt.date
    status: str = "indicative"
    base_pence: Pounds | None = Field(None, alias="base")
    note: str | None = None
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...] = ()
    forecasts: tuple[Forecast, ...] = ()
    outturn: Outturn | None = None


class Finance(_Record):
    risk_share_rules: tuple[RiskShare, ...] = Field((), alias="risk_share")
    budgets: tuple[Budget, ...] = ()


class Move(_Record):
    to_state: str = Field(alias="to")
    actor_role: str = Field(alias="as")
    actor_name: str = Field(alias="by")
    at: Moment
    reason: str


class Change(_Record):
    reference: str
    kind: str
    title: str
    description: str | None = None
    needs_statutory_direction: bool = False
    effective_date: dt.date | None = None
    proposal: dict[str, Any] | None = None
    moves: tuple[Move, ...] = Field((), alias="history")


class PriorityMilestone(_Record):
    title: str
    due_date: dt.date | None = Field(None, alias="due")
    status: str = "not_started"


class PriorityUpdate(_Record):
    on: dt.date = Field(alias="date")
    author: str = Field(alias="by")
    note: str


class Priority(_Record):
    kind: str
    title: str
    description: str | None = None
    leads: tuple[str, ...] = ()
    funder: str | None = None
    funding_pence: Pounds | None = Field(None, alias="funding")
    from_year: int | None = None
    status: str = "active"
    milestones: tuple[PriorityMilestone, ...] = ()
    updates: tuple[PriorityUpdate, ...] = Field((), alias="progress")


class RecordsFile(_Record):
    contract: basket.Basket
    milestones: tuple[Milestone, ...] = ()
    services: tuple[Service, ...] = ()
    finance: Finance = Field(default_factory=lambda: Finance.model_validate({}))
    inspections: tuple[Inspection, ...] = ()
    changes: tuple[Change, ...] = ()
    commentary: tuple[Commentary, ...] = ()
    priorities: tuple[Priority, ...] = ()


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported against its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(text: str, source: str = "records.yaml") -> RecordsFile:
    """Read and check a records file; every problem is reported as `source: field: message`."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RecordsError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RecordsError(f"{source}: must be a mapping with a `contract` section")
    if "contract" not in data and "basket" in data:
        data = {"contract": data}  # a bare contract file sets up just the contract
    try:
        return RecordsFile.model_validate(data)
    except ValidationError as exc:
        raise RecordsError(
            "\n".join(f"{source}: {line}" for line in basket.error_lines(exc))
        ) from None


@contextmanager
def _at(where: str) -> Iterator[None]:
    """Say where in the file a rule was broken."""
    try:
        yield
    except RecordsError as exc:
        raise RecordsError(f"{where}: {exc}") from None


def _proposal_in(change: Change) -> dict[str, Any] | None:
    """A variation's amount is written in pounds but held in pence."""
    if change.proposal is None or change.kind != "contract_variation":
        return change.proposal
    proposal = dict(change.proposal)
    if "amount" in proposal:
        proposal["amount_pence"] = pounds_to_pence(proposal.pop("amount"), "proposal.amount")
    return proposal


def import_records(
    session: Session, records: RecordsFile, source: str = "records.yaml"
) -> models.Contract:
    """Set a contract up from a checked records file, through the services."""
    contract = contracts.create_contract(session, records.contract)
    for i, service in enumerate(records.services):
        with _at(f"{source}: services[{i}]"):
            held = contracts.add_service(session, contract, **service.fields("in_scope_until"))
            if service.in_scope_until is not None:
                contracts.end_service(session, contract, held.name, service.in_scope_until)
    for i, milestone in enumerate(records.milestones):
        with _at(f"{source}: milestones[{i}]"):
            contracts.add_milestone(session, contract, **milestone.fields())
    _import_finance(session, contract, records.finance, source)
    for i, item in enumerate(records.inspections):
        with _at(f"{source}: inspections[{i}]"):
            _import_inspection(session, contract, item)
    for i, change in enumerate(records.changes):
        with _at(f"{source}: changes[{i}] ({change.reference})"):
            request = changes.create_change(
                session,
                contract,
                **change.fields("moves") | {"proposal": _proposal_in(change)},
            )
            for move in change.moves:
                changes.move(
                    session,
                    request,
                    move.to_state,
                    Actor(move.actor_name, move.actor_role),
                    move.reason,
                    move.at,
                )
    for i, note in enumerate(records.commentary):
        with _at(f"{source}: commentary[{i}]"):
            try:
                period = Period.parse(note.period)
            except ValueError as exc:
                raise RecordsError(str(exc)) from None
            basket.add_commentary(session, contract, **note.fields() | {"period": period})
    for i, p in enumerate(records.priorities):
        with _at(f"{source}: priorities[{i}]"):
            held_priority = priorities.add_priority(
                session, contract, **p.fields("milestones", "updates")
            )
            for step in p.milestones:
                priorities.add_milestone(session, held_priority, **step.fields())
            for update in p.updates:
                priorities.add_update(session, held_priority, **update.fields())
    return contract


def _import_finance(
    session: Session, contract: models.Contract, money: Finance, source: str
) -> None:
    for i, rule in enumerate(money.risk_share_rules):
        with _at(f"{source}: finance.risk_share[{i}]"):
            finance.set_risk_share_rule(
                session,
                contract,
                **rule.fields()
                | {
                    direction: [riskshare.Band(**b.fields()) for b in bands]
                    for direction, bands in (
                        ("overspend", rule.overspend),
                        ("underspend", rule.underspend),
                    )
                },
            )
    for i, b in enumerate(money.budgets):
        with _at(f"{source}: finance.budgets[{i}] ({b.label})"):
            budget = finance.add_budget(
                session,
                contract,
                **b.fields("forecasts", "outturn")
                | {
                    "lines": [finance.Line(**x.fields()) for x in b.lines],
                    "adjustments": [finance.Adjustment(**a.fields()) for a in b.adjustments],
                },
            )
            for forecast in b.forecasts:
                finance.add_forecast(session, budget, **forecast.fields())
            if b.outturn is not None:
                finance.set_outturn(session, budget, **b.outturn.fields())


def _import_inspection(session: Session, contract: models.Contract, item: Inspection) -> None:
    inspection = inspections.add_inspection(
        session,
        contract=contract,
        **item.fields("actions")
        | {"recommendations": [(r.number, r.text) for r in item.recommendations]},
    )
    for a in item.actions:
        action = inspections.add_action(session, inspection, **a.fields("updates"))
        for update in a.updates:
            # The file gives the action's current status; a note's status is its history.
            inspections.update_action(session, action, **update.fields(), apply_status=False)


def load(session: Session, path: Path) -> models.Contract:
    """Import a records file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordsError(f"{path}: cannot be read: {exc}") from None
    return import_records(session, parse(text, str(path)), str(path))


def demo_text() -> str:
    """The packaged demo records: the Doncaster contract's governance facts from the seed."""
    return resources.files("cscmonitor.records").joinpath("demo", f"{DEMO}.yaml").read_text("utf-8")


def load_demo(session: Session) -> models.Contract:
    source = f"cscmonitor/records/demo/{DEMO}.yaml"
    return import_records(session, parse(demo_text(), source), source)


# Export ------------------------------------------------------------------------------------


def _prune(value: Any) -> Any:
    """Nothing written for what is not held: no nulls, empty lists or empty mappings."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


def _written(record: _Record) -> dict[str, Any]:
    """A part of the file as written: the file's words, money in pounds."""
    return _prune(record.model_dump(by_alias=True, exclude_none=True))


def _entry(entry: basket.Entry) -> dict[str, Any]:
    reported = None
    if entry.reported is not None:
        reported = {
            "source": entry.reported.source,
            "baseline": _number(entry.reported.baseline),
            "years": {k: _number(v) for k, v in sorted(entry.reported.years.items())},
        }
    # `baseline` stays even when null: the contract requires it.
    return {"indicator": entry.indicator, "baseline": _number(entry.baseline)} | _prune(
        {
            "target": _number(entry.target),
            "tolerance": _number(entry.tolerance),
            "statistical_neighbour": _number(entry.statistical_neighbour),
            "reported": reported,
        }
    )


def _change(held: models.ChangeRequest) -> dict[str, Any]:
    change = Change.held(held)
    proposal = dict(change.proposal) if change.proposal is not None else None
    if proposal is not None and "amount_pence" in proposal:
        proposal["amount"] = pence_to_pounds(int(proposal.pop("amount_pence")))
    if proposal is not None and "basket" in proposal:
        proposal["basket"] = [_entry(e) for e in basket.check_entries(proposal["basket"])]
    written = _written(change.model_copy(update={"proposal": proposal}))
    if not change.needs_statutory_direction:
        del written["needs_statutory_direction"]
    return written


def _service(held: models.Service) -> dict[str, Any]:
    service = Service.held(held)
    if held.ended_by_change_request_id is not None:  # its change ends it again
        service = service.model_copy(update={"in_scope_until": None})
    return _written(service)


def export_records(contract: models.Contract) -> dict[str, Any]:
    """The contract's records as the data of a records file (what `import_records` reads)."""
    first = next(v for v in contract.basket_versions if v.version == 1)
    terms = {
        "name": contract.name,
        "la_code": contract.la_code,
        "start_date": contract.start_date,
        "contract_year_start_month": contract.contract_year_start_month,
        "parties": [
            _prune(
                {
                    "role": p.role,
                    "name": p.name,
                    "signatories": [{"name": s.name, "title": s.title} for s in p.signatories],
                }
            )
            for p in contract.parties
        ],
        "basket": [_entry(e) for e in basket.as_entries(first)],
    }
    return _prune(
        {
            "contract": terms,
            "milestones": [_written(Milestone.held(m)) for m in contract.milestones],
            "services": [
                _service(s)
                for s in contract.services
                if s.change_request_id is None  # the rest are made again by their change
            ],
            "finance": _written(Finance.held(contract)),
            "inspections": [_written(Inspection.held(i)) for i in contract.inspections],
            "changes": [_change(c) for c in contract.change_requests],
            "commentary": [_written(Commentary.held(n)) for n in contract.commentary],
            "priorities": [_written(Priority.held(p)) for p in contract.priorities],
        }
    )


def dump(contract: models.Contract) -> str:
    """The contract's records as YAML text."""
    header = (
        f"# Records of {contract.name}, exported by cscmonitor.\n"
        "# Import with `cscmonitor records import FILE`; the format is in docs/records.md.\n"
    )
    body = yaml.safe_dump(export_records(contract), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def save(contract: models.Contract, path: Path) -> None:
    """Write the contract's records to a YAML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(contract), encoding="utf-8")
