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
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from cscmonitor.periods import Period
from cscmonitor.records import (
    basket,
    changes,
    contracts,
    finance,
    inspections,
    priorities,
    riskshare,
)
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import (
    Budget,
    ChangeRequest,
    Contract,
    Inspection,
    Priority,
    RiskShareRule,
)
from cscmonitor.records.money import pence_to_pounds, pounds_to_pence

DEMO = "doncaster-2014"


def _pence(value: Any) -> int:
    return pounds_to_pence(value, None)


def _basis_points(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a percentage")
    percent = Decimal(repr(value) if isinstance(value, float) else str(value))
    points = percent * 100
    if points != points.to_integral_value():
        raise ValueError("give a percentage with at most 2 decimal places")
    return int(points)


Pounds = Annotated[int, BeforeValidator(_pence)]  # written in pounds, held in pence
Percent = Annotated[int, BeforeValidator(_basis_points)]  # written in %, held in 1/100 %


class _Strict(BaseModel):
    # A misspelt key is an error, never silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MilestoneIn(_Strict):
    title: str
    kind: str = "milestone"
    due: dt.date | None = None
    status: str = "not_started"
    note: str | None = None


class ServiceIn(_Strict):
    name: str
    description: str | None = None
    in_scope_from: dt.date
    in_scope_until: dt.date | None = None


class CommentaryIn(_Strict):
    indicator: str
    period: str
    role: str
    author: str
    text: str


class ProgressIn(_Strict):
    # Not `on`: YAML 1.1 reads an unquoted `on` as true.
    date: dt.date
    by: str
    note: str
    evidence: str | None = None
    status: str | None = None


class ActionIn(_Strict):
    action: str
    owner: str
    due: dt.date
    recommendation: int | None = None
    status: str = "not_started"
    completed: dt.date | None = None
    progress: tuple[ProgressIn, ...] = ()


class RecommendationIn(_Strict):
    number: int
    text: str


class InspectionIn(_Strict):
    inspectorate: str
    framework: str
    type: str | None = None
    setting: str
    urn: str | None = None
    start_date: dt.date
    end_date: dt.date | None = None
    published: dt.date | None = None
    overall: str | None = None
    judgements: dict[str, str] = Field(default_factory=dict)
    theme: str | None = None
    recommendations: tuple[RecommendationIn, ...] = ()
    actions: tuple[ActionIn, ...] = ()


class BandIn(_Strict):
    up_to: Pounds | None = None
    council_share: Percent


class RiskShareIn(_Strict):
    name: str
    effective_from: dt.date
    overspend: tuple[BandIn, ...]
    underspend: tuple[BandIn, ...]
    trust_overspend_cap: Pounds | None = None
    trust_underspend_cap: Pounds | None = None


class LineIn(_Strict):
    service_area: str
    amount: Pounds


class AdjustmentIn(_Strict):
    kind: str
    amount: Pounds
    note: str | None = None


class ForecastIn(_Strict):
    quarter: int
    as_at: dt.date
    spend: Pounds
    note: str | None = None


class OutturnIn(_Strict):
    spend: Pounds
    note: str | None = None


class BudgetIn(_Strict):
    label: str
    period_start: dt.date
    period_end: dt.date
    status: str = "indicative"
    base: Pounds | None = None
    note: str | None = None
    lines: tuple[LineIn, ...]
    adjustments: tuple[AdjustmentIn, ...] = ()
    forecasts: tuple[ForecastIn, ...] = ()
    outturn: OutturnIn | None = None


class FinanceIn(_Strict):
    risk_share: tuple[RiskShareIn, ...] = ()
    budgets: tuple[BudgetIn, ...] = ()


class MoveIn(_Strict):
    to: str
    party: str = Field(alias="as")
    by: str
    at: dt.datetime
    reason: str


class ChangeIn(_Strict):
    reference: str
    kind: str
    title: str
    description: str | None = None
    needs_statutory_direction: bool = False
    effective_date: dt.date | None = None
    proposal: dict[str, Any] | None = None
    history: tuple[MoveIn, ...] = ()


class PriorityMilestoneIn(_Strict):
    title: str
    due: dt.date | None = None
    status: str = "not_started"


class PriorityUpdateIn(_Strict):
    date: dt.date
    by: str
    note: str


class PriorityIn(_Strict):
    kind: str
    title: str
    description: str | None = None
    leads: tuple[str, ...] = ()
    funder: str | None = None
    funding: Pounds | None = None
    from_year: int | None = None
    status: str = "active"
    milestones: tuple[PriorityMilestoneIn, ...] = ()
    progress: tuple[PriorityUpdateIn, ...] = ()


class RecordsFile(_Strict):
    contract: basket.Basket
    milestones: tuple[MilestoneIn, ...] = ()
    services: tuple[ServiceIn, ...] = ()
    finance: FinanceIn = FinanceIn()
    inspections: tuple[InspectionIn, ...] = ()
    changes: tuple[ChangeIn, ...] = ()
    commentary: tuple[CommentaryIn, ...] = ()
    priorities: tuple[PriorityIn, ...] = ()


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


def _proposal_in(change: ChangeIn) -> dict[str, Any] | None:
    """A variation's amount is written in pounds but held in pence."""
    if change.proposal is None or change.kind != "contract_variation":
        return change.proposal
    proposal = dict(change.proposal)
    if "amount" in proposal:
        proposal["amount_pence"] = pounds_to_pence(proposal.pop("amount"), "proposal.amount")
    return proposal


def import_records(
    session: Session, records: RecordsFile, source: str = "records.yaml"
) -> Contract:
    """Set a contract up from a checked records file, through the services."""
    contract = contracts.create_contract(session, records.contract)
    for i, service in enumerate(records.services):
        with _at(f"{source}: services[{i}]"):
            held = contracts.add_service(
                session,
                contract,
                service.name,
                service.in_scope_from,
                description=service.description,
            )
            if service.in_scope_until is not None:
                contracts.end_service(session, contract, held.name, service.in_scope_until)
    for i, m in enumerate(records.milestones):
        with _at(f"{source}: milestones[{i}]"):
            contracts.add_milestone(
                session,
                contract,
                m.title,
                kind=m.kind,
                due_date=m.due,
                status=m.status,
                note=m.note,
            )
    _import_finance(session, contract, records.finance, source)
    for i, item in enumerate(records.inspections):
        with _at(f"{source}: inspections[{i}]"):
            _import_inspection(session, contract, item)
    for i, change in enumerate(records.changes):
        with _at(f"{source}: changes[{i}] ({change.reference})"):
            request = changes.create_change(
                session,
                contract,
                change.reference,
                change.kind,
                change.title,
                description=change.description,
                needs_statutory_direction=change.needs_statutory_direction,
                effective_date=change.effective_date,
                proposal=_proposal_in(change),
            )
            for move in change.history:
                changes.move(
                    session, request, move.to, Actor(move.by, move.party), move.reason, move.at
                )
    for i, note in enumerate(records.commentary):
        with _at(f"{source}: commentary[{i}]"):
            try:
                period = Period.parse(note.period)
            except ValueError as exc:
                raise RecordsError(str(exc)) from None
            basket.add_commentary(
                session, contract, note.indicator, period, note.role, note.author, note.text
            )
    for i, p in enumerate(records.priorities):
        with _at(f"{source}: priorities[{i}]"):
            held_priority = priorities.add_priority(
                session,
                contract,
                p.kind,
                p.title,
                description=p.description,
                leads=p.leads,
                funder=p.funder,
                funding_pence=p.funding,
                from_year=p.from_year,
                status=p.status,
            )
            for pm in p.milestones:
                priorities.add_milestone(session, held_priority, pm.title, pm.due, pm.status)
            for update in p.progress:
                priorities.add_update(session, held_priority, update.date, update.by, update.note)
    return contract


def _import_finance(session: Session, contract: Contract, money: FinanceIn, source: str) -> None:
    for i, rule in enumerate(money.risk_share):
        with _at(f"{source}: finance.risk_share[{i}]"):
            finance.set_risk_share_rule(
                session,
                contract,
                rule.name,
                rule.effective_from,
                [riskshare.Band(b.up_to, b.council_share) for b in rule.overspend],
                [riskshare.Band(b.up_to, b.council_share) for b in rule.underspend],
                trust_overspend_cap_pence=rule.trust_overspend_cap,
                trust_underspend_cap_pence=rule.trust_underspend_cap,
            )
    for i, b in enumerate(money.budgets):
        with _at(f"{source}: finance.budgets[{i}] ({b.label})"):
            budget = finance.add_budget(
                session,
                contract,
                b.label,
                b.period_start,
                b.period_end,
                [finance.Line(x.service_area, x.amount) for x in b.lines],
                adjustments=[finance.Adjustment(a.kind, a.amount, a.note) for a in b.adjustments],
                base_pence=b.base,
                status=b.status,
                note=b.note,
            )
            for f in b.forecasts:
                finance.add_forecast(session, budget, f.quarter, f.as_at, f.spend, f.note)
            if b.outturn is not None:
                finance.set_outturn(session, budget, b.outturn.spend, b.outturn.note)


def _import_inspection(session: Session, contract: Contract, item: InspectionIn) -> None:
    inspection = inspections.add_inspection(
        session,
        contract=contract,
        inspectorate=item.inspectorate,
        framework=item.framework,
        setting=item.setting,
        start_date=item.start_date,
        end_date=item.end_date,
        published_date=item.published,
        inspection_type=item.type,
        urn=item.urn,
        overall=item.overall,
        judgements=item.judgements,
        theme=item.theme,
        recommendations=[(r.number, r.text) for r in item.recommendations],
    )
    for a in item.actions:
        action = inspections.add_action(
            session,
            inspection,
            a.action,
            a.owner,
            a.due,
            recommendation_number=a.recommendation,
            status=a.status,
            completed_date=a.completed,
        )
        for p in a.progress:
            # The file gives the action's current status; a note's status is its history.
            inspections.update_action(
                session,
                action,
                p.date,
                p.by,
                p.note,
                evidence=p.evidence,
                status=p.status,
                apply_status=False,
            )


def load(session: Session, path: Path) -> Contract:
    """Import a records file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordsError(f"{path}: cannot be read: {exc}") from None
    return import_records(session, parse(text, str(path)), str(path))


def demo_text() -> str:
    """The packaged demo records: the Doncaster contract's governance facts from the seed."""
    return resources.files("cscmonitor.records").joinpath("demo", f"{DEMO}.yaml").read_text("utf-8")


def load_demo(session: Session) -> Contract:
    source = f"cscmonitor/records/demo/{DEMO}.yaml"
    return import_records(session, parse(demo_text(), source), source)


# Export ------------------------------------------------------------------------------------


def _number(value: float | None) -> float | int | None:
    """38.0 as 38, so a file reads as people wrote it."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != [] and v != {}}


def _when(at: dt.datetime) -> dt.date | str:
    return at.date() if at.time() == dt.time() else at.isoformat(sep=" ")


def _entry(entry: basket.Entry) -> dict[str, Any]:
    reported = None
    if entry.reported is not None:
        reported = _drop_none(
            {
                "source": entry.reported.source,
                "baseline": _number(entry.reported.baseline),
                "years": {k: _number(v) for k, v in sorted(entry.reported.years.items())},
            }
        )
    return {"indicator": entry.indicator, "baseline": _number(entry.baseline)} | _drop_none(
        {
            "target": _number(entry.target),
            "tolerance": _number(entry.tolerance),
            "statistical_neighbour": _number(entry.statistical_neighbour),
            "reported": reported,
        }
    )


def _inspection(i: Inspection) -> dict[str, Any]:
    return _drop_none(
        {
            "inspectorate": i.inspectorate,
            "framework": i.framework,
            "type": i.inspection_type,
            "setting": i.setting,
            "urn": i.urn,
            "start_date": i.start_date,
            "end_date": i.end_date,
            "published": i.published_date,
            "overall": i.overall,
            "judgements": {j.area: j.judgement for j in i.judgements},
            "theme": i.theme,
            "recommendations": [{"number": r.number, "text": r.text} for r in i.recommendations],
            "actions": [
                _drop_none(
                    {
                        "action": a.action,
                        "owner": a.owner,
                        "due": a.due_date,
                        "recommendation": a.recommendation_number,
                        "status": a.status,
                        "completed": a.completed_date,
                        "progress": [
                            _drop_none(
                                {
                                    "date": u.on,
                                    "by": u.author,
                                    "note": u.note,
                                    "evidence": u.evidence,
                                    "status": u.status,
                                }
                            )
                            for u in a.updates
                        ],
                    }
                )
                for a in i.actions
            ],
        }
    )


def _budget(b: Budget) -> dict[str, Any]:
    return _drop_none(
        {
            "label": b.label,
            "period_start": b.period_start,
            "period_end": b.period_end,
            "status": b.status,
            "base": None if b.base_pence is None else pence_to_pounds(b.base_pence),
            "note": b.note,
            "lines": [
                {"service_area": x.service_area, "amount": pence_to_pounds(x.amount_pence)}
                for x in b.lines
            ],
            "adjustments": [
                _drop_none(
                    {"kind": a.kind, "amount": pence_to_pounds(a.amount_pence), "note": a.note}
                )
                for a in b.adjustments
            ],
            "forecasts": [
                _drop_none(
                    {
                        "quarter": f.quarter,
                        "as_at": f.as_at,
                        "spend": pence_to_pounds(f.spend_pence),
                        "note": f.note,
                    }
                )
                for f in b.forecasts
            ],
            "outturn": None
            if b.outturn is None
            else _drop_none(
                {"spend": pence_to_pounds(b.outturn.spend_pence), "note": b.outturn.note}
            ),
        }
    )


def _rule(r: RiskShareRule) -> dict[str, Any]:
    def bands(direction: str) -> list[dict[str, Any]]:
        return [
            _drop_none(
                {
                    "up_to": None if b.up_to_pence is None else pence_to_pounds(b.up_to_pence),
                    "council_share": _number(b.council_share_bp / 100),
                }
            )
            for b in r.bands
            if b.direction == direction
        ]

    cap_over, cap_under = r.trust_overspend_cap_pence, r.trust_underspend_cap_pence
    return _drop_none(
        {
            "name": r.name,
            "effective_from": r.effective_from,
            "overspend": bands(riskshare.OVERSPEND),
            "underspend": bands(riskshare.UNDERSPEND),
            "trust_overspend_cap": None if cap_over is None else pence_to_pounds(cap_over),
            "trust_underspend_cap": None if cap_under is None else pence_to_pounds(cap_under),
        }
    )


def _change(c: ChangeRequest) -> dict[str, Any]:
    proposal = dict(c.proposal) if c.proposal is not None else None
    if proposal is not None and "amount_pence" in proposal:
        proposal["amount"] = pence_to_pounds(int(proposal.pop("amount_pence")))
    if proposal is not None and "basket" in proposal:
        proposal["basket"] = [_entry(e) for e in basket.check_entries(proposal["basket"])]
    return _drop_none(
        {
            "reference": c.reference,
            "kind": c.kind,
            "title": c.title,
            "description": c.description,
            "needs_statutory_direction": c.needs_statutory_direction or None,
            "effective_date": c.effective_date,
            "proposal": proposal,
            "history": [
                {
                    "to": m.to_state,
                    "as": m.actor_role,
                    "by": m.actor_name,
                    "at": _when(m.at),
                    "reason": m.reason,
                }
                for m in c.moves
            ],
        }
    )


def _priority(p: Priority) -> dict[str, Any]:
    return _drop_none(
        {
            "kind": p.kind,
            "title": p.title,
            "description": p.description,
            "leads": list(p.leads),
            "funder": p.funder,
            "funding": None if p.funding_pence is None else pence_to_pounds(p.funding_pence),
            "from_year": p.from_year,
            "status": p.status,
            "milestones": [
                _drop_none({"title": m.title, "due": m.due_date, "status": m.status})
                for m in p.milestones
            ],
            "progress": [{"date": u.on, "by": u.author, "note": u.note} for u in p.updates],
        }
    )


def export_records(contract: Contract) -> dict[str, Any]:
    """The contract's records as the data of a records file (what `import_records` reads)."""
    first = next(v for v in contract.basket_versions if v.version == 1)
    terms = {
        "name": contract.name,
        "la_code": contract.la_code,
        "start_date": contract.start_date,
        "contract_year_start_month": contract.contract_year_start_month,
        "parties": [
            _drop_none(
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
    return _drop_none(
        {
            "contract": terms,
            "milestones": [
                _drop_none(
                    {
                        "title": m.title,
                        "kind": m.kind,
                        "due": m.due_date,
                        "status": m.status,
                        "note": m.note,
                    }
                )
                for m in contract.milestones
            ],
            "services": [
                _drop_none(
                    {
                        "name": s.name,
                        "description": s.description,
                        "in_scope_from": s.in_scope_from,
                        "in_scope_until": None
                        if s.ended_by_change_request_id is not None
                        else s.in_scope_until,
                    }
                )
                for s in contract.services
                if s.change_request_id is None  # the rest are made again by their change
            ],
            "finance": _drop_none(
                {
                    "risk_share": [_rule(r) for r in contract.risk_share_rules],
                    "budgets": [_budget(b) for b in contract.budgets],
                }
            ),
            "inspections": [_inspection(i) for i in contract.inspections],
            "changes": [_change(c) for c in contract.change_requests],
            "commentary": [
                {
                    "indicator": n.indicator,
                    "period": f"{n.period_start.isoformat()}:{n.period_end.isoformat()}",
                    "role": n.author_role,
                    "author": n.author,
                    "text": n.text,
                }
                for n in contract.commentary
            ],
            "priorities": [_priority(p) for p in contract.priorities],
        }
    )


def dump(contract: Contract) -> str:
    """The contract's records as YAML text."""
    header = (
        f"# Records of {contract.name}, exported by cscmonitor.\n"
        "# Import with `cscmonitor records import FILE`; the format is in docs/records.md.\n"
    )
    body = yaml.safe_dump(export_records(contract), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def save(contract: Contract, path: Path) -> None:
    """Write the contract's records to a YAML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(contract), encoding="utf-8")
