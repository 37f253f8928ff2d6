"""`cscmonitor records`: set up, change and list the contract's governance records.

Every command is one transaction: it changes everything it should, or, on any error, prints
the error and exits with status 2 having changed nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cscmonitor.output import Format
from cscmonitor.periods import Period
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.money import format_pounds, pence_to_pounds, pounds_to_pence
from cscmonitor.terminal import DataDir, FormatOption, LazyConsole, settings_for

# `cscmonitor records ... --help` imports this module, so SQLAlchemy, pandas, YAML and Rich are
# imported inside the commands that use them (tests/test_cli.py checks).
if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from cscmonitor.records.audit import Actor
    from cscmonitor.records.changes import Transition
    from cscmonitor.records.models import ActionItem, Inspection

records_app = typer.Typer(
    help="The contract's governance records: contract, basket, inspections, finance, changes.",
    no_args_is_help=True,
    add_completion=False,
)
list_app = typer.Typer(help="List records as a table, CSV or JSON.", no_args_is_help=True)
change_app = typer.Typer(help="Draft change requests and move them through the workflow.")
action_app = typer.Typer(help="Add inspection action-plan items and record their progress.")
finance_app = typer.Typer(help="Record quarterly forecasts and the outturn of a budget.")
records_app.add_typer(list_app, name="list")
records_app.add_typer(change_app, name="change", no_args_is_help=True)
records_app.add_typer(action_app, name="action", no_args_is_help=True)
records_app.add_typer(finance_app, name="finance", no_args_is_help=True)


# soft_wrap: a message stays one line however narrow the terminal, so logs can be searched.
err = LazyConsole(stderr=True, soft_wrap=True)

By = Annotated[
    str | None, typer.Option("--by", help="Your name, for the audit trail (default: login name).")
]
ContractName = Annotated[
    str | None, typer.Option("--contract", help="Contract name (default: the only one held).")
]
Role = Annotated[str, typer.Option("--as", help="The party you act for: council or trust.")]


def _engine(data_dir: Path | None) -> Engine:
    from cscmonitor.records import db

    return db.make_engine(settings_for(data_dir).records_url)


def _actor(by: str | None, role: str | None = None) -> Actor:
    from cscmonitor.records.audit import Actor

    return Actor(by or getpass.getuser(), role)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


@contextmanager
def _unit(data_dir: Path | None, actor: Actor) -> Iterator[Session]:
    """One transaction on an initialised database; a broken rule exits 2 with nothing changed."""
    from sqlalchemy.exc import SQLAlchemyError

    from cscmonitor.records import db

    try:
        engine = _engine(data_dir)
        db.require_schema(engine)
        with db.transaction(engine, actor) as session:
            yield session
    except (RecordsError, db.DatabaseUnavailable) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        # A database that refuses or cannot be reached: its own first line says why.
        cause = getattr(exc, "orig", None) or exc
        raise _fail(f"database: {str(cause).splitlines()[0]}") from None


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RecordsError(f"{what} must be a date as YYYY-MM-DD, not {text!r}") from None


def _date(text: str | None, what: str) -> dt.date | None:
    return None if text is None else _day(text, what)


@records_app.command()
def init(data_dir: DataDir = None) -> None:
    """Create the records database, or upgrade it to the newest schema."""
    from cscmonitor.records import db

    engine = _engine(data_dir)
    try:
        db.upgrade(engine)
    except db.DatabaseUnavailable as exc:
        raise _fail(str(exc)) from None
    where = engine.url.render_as_string(hide_password=True)
    err.print(f"records: {where} at schema {db.schema_revision(engine)}", highlight=False)


@records_app.command("import")
def import_(
    file: Annotated[
        str, typer.Argument(help="A records YAML file, or `doncaster-2014` for the demo records.")
    ],
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Set a contract up from one YAML file: contract, inspections, finance, changes, priorities."""
    from cscmonitor.records import yamlio

    with _unit(data_dir, _actor(by)) as session:
        path = Path(file)
        if not path.exists() and file == yamlio.DEMO:
            contract = yamlio.load_demo(session)
        else:
            contract = yamlio.load(session, path)
        err.print(
            f"imported {contract.name}: {len(contract.inspections)} inspections, "
            f"{len(contract.budgets)} budgets, {len(contract.change_requests)} change requests, "
            f"{len(contract.priorities)} priorities",
            highlight=False,
        )


@records_app.command()
def export(
    file: Annotated[Path, typer.Argument(help="The YAML file to write.")],
    contract: ContractName = None,
    data_dir: DataDir = None,
) -> None:
    """Write a contract's records to one YAML file that `import` reads back."""
    from cscmonitor.records import contracts, yamlio

    with _unit(data_dir, _actor(None)) as session:
        held = contracts.get_contract(session, contract)
        yamlio.save(held, file)
        err.print(f"exported {held.name} to {file}", highlight=False)


@records_app.command("load-ofsted")
def load_ofsted(
    file: Annotated[
        Path | None,
        typer.Argument(help="Ofsted's LA inspection outcomes ODS (default: the one bundled)."),
    ] = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Import Ofsted's published LA inspection outcomes, so every LA's history can be compared."""
    from cscmonitor.records import ofsted

    with _unit(data_dir, _actor(by)) as session:
        loaded = ofsted.load_outcomes(session, file)
    if loaded.already_held:
        err.print(f"{loaded.source}: already held ({loaded.inspections} inspections); unchanged")
    else:
        err.print(
            f"{loaded.source}: {loaded.inspections} inspections and visits with "
            f"{loaded.judgements} judgements for {loaded.local_authorities} local authorities",
            highlight=False,
        )


# Lists -------------------------------------------------------------------------------------


def _show(rows: list[dict[str, Any]], fmt: Format, title: str) -> None:
    if not rows and fmt is Format.TABLE:
        err.print(f"{title}: none")
        return
    import pandas as pd

    from cscmonitor.output import emit

    emit(pd.DataFrame(rows), fmt, None, title=title)


@list_app.command("contracts")
def list_contracts(data_dir: DataDir = None, format: FormatOption = Format.TABLE) -> None:
    """Contracts held, with their parties and the basket in force."""
    from cscmonitor.records import basket, contracts

    with _unit(data_dir, _actor(None)) as session:
        rows = [
            {
                "name": c.name,
                "la_code": c.la_code,
                "start": c.start_date,
                "parties": "; ".join(f"{p.name} ({p.role})" for p in c.parties),
                "basket_version": current.version if (current := basket.current_version(c)) else "",
                "indicators": ", ".join(e.indicator for e in current.entries) if current else "",
                "services_in_scope_today": len(contracts.services_in_scope(c, dt.date.today())),
            }
            for c in contracts.list_contracts(session)
        ]
    _show(rows, format, "Contracts")


def _inspection_row(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.id,
        "la_code": i.la_code,
        "setting": i.setting,
        "framework": i.framework,
        "type": i.inspection_type or "",
        "start": i.start_date,
        "overall": i.overall or "",
        "judgements": "; ".join(f"{j.area}: {j.judgement}" for j in i.judgements),
    }


@list_app.command("inspections")
def list_inspections(
    la: Annotated[str | None, typer.Option("--la", help="DfE LA code, e.g. 371.")] = None,
    framework: Annotated[str | None, typer.Option(help="Framework code, e.g. ILACS.")] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
) -> None:
    """Inspections: a contract's own, or any LA's published outcomes (--la)."""
    from cscmonitor.records import contracts, inspections

    with _unit(data_dir, _actor(None)) as session:
        held = None if la else contracts.get_contract(session, contract)
        found = inspections.find_inspections(
            session, la_code=la, contract=held, framework=framework
        )
        rows = [_inspection_row(i) for i in found]
    _show(rows, format, "Inspections")


def _action_row(a: ActionItem, on: dt.date) -> dict[str, Any]:
    from cscmonitor.records import inspections

    return {
        "id": a.id,
        "inspection": f"{a.inspection.framework} {a.inspection.start_date}",
        "recommendation": a.recommendation_number or "",
        "action": a.action,
        "owner": a.owner,
        "due": a.due_date,
        "status": a.status,
        "overdue": "OVERDUE" if inspections.is_overdue(a, on) else "",
        "latest_note": a.updates[-1].note if a.updates else "",
    }


@list_app.command("actions")
def list_actions(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    on: Annotated[
        str | None, typer.Option("--on", help="Judge overdue as at this date (default: today).")
    ] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
) -> None:
    """Action-plan items with owner, due date and status; overdue ones marked."""
    from cscmonitor.records import contracts, inspections

    with _unit(data_dir, _actor(None)) as session:
        day = _date(on, "--on") or dt.date.today()
        held = contracts.get_contract(session, contract)
        items = (
            inspections.overdue_actions(session, day, held)
            if overdue
            else inspections.actions(session, held)
        )
        rows = [_action_row(a, day) for a in items]
    _show(rows, format, f"Actions (as at {day})")


def _who(transition: Transition) -> str:
    joiner = " + " if transition.together else "/"
    return f"{transition.to_state} ({joiner.join(sorted(transition.parties))})"


@list_app.command("changes")
def list_changes(
    contract: ContractName = None, data_dir: DataDir = None, format: FormatOption = Format.TABLE
) -> None:
    """Change requests with their state, what they change and who must act next."""
    from cscmonitor.records import changes, contracts

    with _unit(data_dir, _actor(None)) as session:
        held = contracts.get_contract(session, contract)
        rows = [
            {
                "reference": r.reference,
                "kind": r.kind,
                "title": r.title,
                "state": r.state,
                "statutory_direction": "needed" if r.needs_statutory_direction else "",
                "change": changes.describe(r),
                "next": ", ".join(_who(t) for t in changes.allowed_moves(r)),
                "last_move": f"{r.moves[-1].at:%Y-%m-%d} {r.moves[-1].actor_name}"
                if r.moves
                else "",
            }
            for r in held.change_requests
        ]
    _show(rows, format, "Change requests")


@list_app.command("budgets")
def list_budgets(
    contract: ContractName = None, data_dir: DataDir = None, format: FormatOption = Format.TABLE
) -> None:
    """Budgets, with outturn (or the latest forecast) before and after the risk share."""
    # People read £42,200,000; a spreadsheet wants 42200000.
    from cscmonitor.records import contracts, finance

    money = format_pounds if format is Format.TABLE else pence_to_pounds
    with _unit(data_dir, _actor(None)) as session:
        held = contracts.get_contract(session, contract)
        rows = []
        for b in held.budgets:
            row: dict[str, Any] = {
                "budget": b.label,
                "status": b.status,
                "set": money(finance.original_pence(b)),
                "with_variations": money(finance.current_pence(b)),
                "adjustments": money(sum(a.amount_pence for a in b.adjustments))
                if b.adjustments
                else "",
            }
            basis, position = "", None
            if b.outturn is not None:
                basis, position = "outturn", finance.outturn_position(held, b)
            elif b.forecasts:
                basis = f"Q{max(f.quarter for f in b.forecasts)} forecast"
                position = finance.forecast_position(held, b)
            if position is not None:
                row |= {
                    "basis": basis,
                    "spend": money(position.spend_pence),
                    "variance": money(position.variance_pence),
                    "council_share": money(position.council_pence),
                    "trust_before": money(position.trust_before_pence),
                    "trust_after": money(position.trust_after_pence),
                }
            rows.append(row)
    _show(rows, format, "Budgets (trust's surplus +, deficit −)")


@list_app.command("audit")
def list_audit(
    entity: Annotated[str | None, typer.Option(help="Only this table, e.g. action_items.")] = None,
    limit: Annotated[int, typer.Option(help="How many of the newest rows.")] = 50,
    data_dir: DataDir = None,
    format: FormatOption = Format.TABLE,
) -> None:
    """The audit trail, newest first: who changed what, when, before and after."""
    import yaml

    from cscmonitor.records import audit

    with _unit(data_dir, _actor(None)) as session:
        rows = [
            {
                "at": e.at,
                "actor": e.actor + (f" ({e.actor_role})" if e.actor_role else ""),
                "action": e.action,
                "entity": f"{e.entity} {e.entity_id}",
                "before": yaml.safe_dump(e.before, default_flow_style=True, width=10_000).strip()
                if e.before
                else "",
                "after": yaml.safe_dump(e.after, default_flow_style=True, width=10_000).strip()
                if e.after
                else "",
            }
            for e in audit.entries(session, entity=entity, limit=limit)
        ]
    _show(rows, format, "Audit trail")


# Change requests ---------------------------------------------------------------------------


def _change(session: Session, contract: str | None, reference: str) -> Any:
    from cscmonitor.records import changes, contracts

    held = contracts.get_contract(session, contract)
    if reference.isdigit() and not any(r.reference == reference for r in held.change_requests):
        for request in held.change_requests:
            if request.id == int(reference):
                return request
    return changes.get_change(held, reference)


@change_app.command("add")
def change_add(
    reference: Annotated[str, typer.Argument(help="The request's reference, e.g. NCR-2016-04.")],
    kind: Annotated[
        str, typer.Option(help="basket_change, service_transfer, contract_variation or other.")
    ],
    title: Annotated[str, typer.Option(help="What the change is, in one line.")],
    proposal: Annotated[
        Path | None,
        typer.Option(help="YAML file with what changes (see docs/records.md; money in pounds)."),
    ] = None,
    effective: Annotated[
        str | None, typer.Option(help="The date the change takes effect (YYYY-MM-DD).")
    ] = None,
    description: Annotated[str | None, typer.Option(help="Why, at more length.")] = None,
    needs_direction: Annotated[
        bool, typer.Option("--needs-direction", help="It needs a Statutory Direction.")
    ] = False,
    contract: ContractName = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Draft a change request (a notifiable change or a contract variation)."""
    import yaml

    from cscmonitor.records import changes, contracts

    with _unit(data_dir, _actor(by)) as session:
        held = contracts.get_contract(session, contract)
        content = None
        if proposal is not None:
            content = yaml.safe_load(proposal.read_text(encoding="utf-8"))
            if not isinstance(content, dict):
                raise RecordsError(f"{proposal}: must hold a mapping")
            if "amount" in content:
                content["amount_pence"] = pounds_to_pence(content.pop("amount"), "amount")
        request = changes.create_change(
            session,
            held,
            reference,
            kind,
            title,
            description=description,
            needs_statutory_direction=needs_direction,
            effective_date=_date(effective, "--effective"),
            proposal=content,
        )
        err.print(f"{request.reference}: {request.state}", highlight=False)


@change_app.command("move")
def change_move(
    reference: Annotated[str, typer.Argument(help="The request's reference (or numeric id).")],
    to_state: Annotated[
        str, typer.Argument(help="The state to move to, e.g. agreed_in_principle.")
    ],
    role: Role,
    reason: Annotated[str, typer.Option(help="Why: recorded with the move.")],
    by: By = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
) -> None:
    """Move a change request, if the workflow lets your party make that move."""
    from cscmonitor.records import changes

    with _unit(data_dir, _actor(by, role)) as session:
        request = _change(session, contract, reference)
        changes.move(session, request, to_state, _actor(by, role), reason)
        pending = changes.awaiting(request)
        if to_state in pending:
            message = f"signed off by the {role}; awaiting {', '.join(sorted(pending[to_state]))}"
        else:
            message = f"now {request.state}"
        err.print(f"{request.reference}: {message}", highlight=False)


# Actions -----------------------------------------------------------------------------------


def _inspection(session: Session, inspection_id: int) -> Inspection:
    from cscmonitor.records.models import Inspection

    found = session.get(Inspection, inspection_id)
    if found is None:
        raise RecordsError(
            f"no inspection {inspection_id}; see `cscmonitor records list inspections`"
        )
    return found


@action_app.command("add")
def action_add(
    inspection_id: Annotated[
        int, typer.Argument(help="The inspection's id (from list inspections).")
    ],
    action: Annotated[str, typer.Option(help="What will be done.")],
    owner: Annotated[str, typer.Option(help="Who is responsible.")],
    due: Annotated[str, typer.Option(help="Due date, YYYY-MM-DD.")],
    recommendation: Annotated[
        int | None, typer.Option(help="The recommendation's number it answers.")
    ] = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Add an item to an inspection's action plan."""
    from cscmonitor.records import inspections

    with _unit(data_dir, _actor(by)) as session:
        item = inspections.add_action(
            session,
            _inspection(session, inspection_id),
            action,
            owner,
            _day(due, "--due"),
            recommendation_number=recommendation,
        )
        err.print(f"action {item.id} added, due {item.due_date}", highlight=False)


@action_app.command("progress")
def action_progress(
    action_id: Annotated[int, typer.Argument(help="The action's id (from list actions).")],
    note: Annotated[str, typer.Option(help="What has happened.")],
    status: Annotated[
        str | None, typer.Option(help="New status: not_started, in_progress or complete.")
    ] = None,
    evidence: Annotated[str | None, typer.Option(help="Where the evidence is.")] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the note (default: today).")
    ] = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Record progress on an action, optionally changing its status."""
    from cscmonitor.records import inspections
    from cscmonitor.records.models import ActionItem

    actor = _actor(by)
    with _unit(data_dir, actor) as session:
        item = session.get(ActionItem, action_id)
        if item is None:
            raise RecordsError(f"no action {action_id}; see `cscmonitor records list actions`")
        inspections.update_action(
            session,
            item,
            _date(on, "--on") or dt.date.today(),
            actor.name,
            note,
            evidence=evidence,
            status=status,
        )
        err.print(f"action {item.id}: {item.status}", highlight=False)


# Finance -----------------------------------------------------------------------------------


@finance_app.command("forecast")
def finance_forecast(
    budget: Annotated[str, typer.Argument(help="The budget's label, e.g. 2015/16.")],
    quarter: Annotated[int, typer.Option(help="Quarter 1–4 of the budget's year.")],
    spend: Annotated[str, typer.Option(help="Forecast outturn for the whole year, in pounds.")],
    as_at: Annotated[str, typer.Option("--as-at", help="Date of the forecast, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option(help="The main pressures.")] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Record a quarter's forecast outturn and show it before and after the risk share."""
    from cscmonitor.records import contracts, finance

    with _unit(data_dir, _actor(by)) as session:
        held = contracts.get_contract(session, contract)
        found = finance.get_budget(held, budget)
        day = _day(as_at, "--as-at")
        finance.add_forecast(session, found, quarter, day, pounds_to_pence(spend, "--spend"), note)
        shown = finance.forecast_position(held, found, quarter)
        err.print(
            f"{found.label} Q{quarter}: variance {format_pounds(shown.variance_pence)}; trust "
            f"{format_pounds(shown.trust_before_pence)} before, "
            f"{format_pounds(shown.trust_after_pence)} after the risk share",
            highlight=False,
        )


@finance_app.command("outturn")
def finance_outturn(
    budget: Annotated[str, typer.Argument(help="The budget's label, e.g. 2015/16.")],
    spend: Annotated[str, typer.Option(help="What the year cost, in pounds.")],
    note: Annotated[str | None, typer.Option(help="A note on the outturn.")] = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
    by: By = None,
) -> None:
    """Record a budget's outturn and show it before and after the risk share."""
    from cscmonitor.records import contracts, finance

    with _unit(data_dir, _actor(by)) as session:
        held = contracts.get_contract(session, contract)
        found = finance.get_budget(held, budget)
        finance.set_outturn(session, found, pounds_to_pence(spend, "--spend"), note)
        shown = finance.outturn_position(held, found)
        err.print(
            f"{found.label} outturn: variance {format_pounds(shown.variance_pence)}; trust "
            f"{format_pounds(shown.trust_before_pence)} before, "
            f"{format_pounds(shown.trust_after_pence)} after the risk share",
            highlight=False,
        )


@records_app.command("commentary")
def commentary(
    indicator: Annotated[str, typer.Argument(help="The basket indicator's code, e.g. REREF_12M.")],
    period: Annotated[str, typer.Option(help="START:END in ISO dates.")],
    text: Annotated[str, typer.Option(help="The commentary.")],
    role: Role,
    by: By = None,
    contract: ContractName = None,
    data_dir: DataDir = None,
) -> None:
    """Add the Trust's or the Council's commentary on an indicator for a period."""
    from cscmonitor.records import basket, contracts

    actor = _actor(by, role)
    with _unit(data_dir, actor) as session:
        try:
            span = Period.parse(period)
        except ValueError as exc:
            raise RecordsError(str(exc)) from None
        held = contracts.get_contract(session, contract)
        basket.add_commentary(session, held, indicator, span, role, actor.name, text)
        err.print(f"commentary on {indicator} for {span.label} added", highlight=False)


# Change points have their own module (records/change_points_cli.py), which reads this one's
# options: imported last so those names exist.
from cscmonitor.records.change_points_cli import change_point_app  # noqa: E402

records_app.add_typer(change_point_app, name="change-point")

# The narrative's files have their own module too, mounted the same way.
from cscmonitor.records.narrative_cli import narrative_app  # noqa: E402

records_app.add_typer(narrative_app, name="narrative")
