"""`cscmonitor report edition`: open, move, sign, download, compare and verify report editions.

Each move says who makes it and in which role (`--as trust_manager --by "Paul Moffat"`); the
role table in `records.editions` decides whether the role may. A refused move prints one line
and exits 2 having changed nothing; `verify` exits 1 naming each break.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cscmonitor.output import Format
from cscmonitor.terminal import DataDir, FormatOption, fail, iso_date, settings_for, stderr

if TYPE_CHECKING:
    from cscmonitor.records.db import Engine, Session
    from cscmonitor.records.editions import EditionView
    from cscmonitor.records.roles import Role
    from cscmonitor.settings import Settings

edition_app = typer.Typer(
    help="Report editions: draft, submitted by the Trust, agreed and signed by the Council, "
    "frozen once signed.",
    no_args_is_help=True,
    add_completion=False,
)

RoleOption = Annotated[
    str,
    typer.Option(
        "--as",
        help="Your role: trust_analyst, trust_manager, council_officer (admin, viewer: no moves).",
    ),
]
By = Annotated[
    str | None, typer.Option("--by", help="Your name, for the audit trail (default: login name).")
]
EditionId = Annotated[int, typer.Argument(min=1, help="The edition's id (see `edition list`).")]
ContractOption = Annotated[
    str | None, typer.Option("--contract", help="Contract name (default: the only one held).")
]


def _role(text: str) -> Role:
    from cscmonitor.records.roles import Role

    try:
        return Role(text)
    except ValueError:
        raise fail(f"--as {text!r} is not a role: {', '.join(r.value for r in Role)}") from None


def _engine(settings: Settings) -> Engine:
    from cscmonitor.records import db

    engine = db.make_engine(db.database_url(settings))
    db.require_schema(engine)
    return engine


@contextmanager
def _failing_as_one_line() -> Iterator[None]:
    from cscmonitor.errors import OneLine
    from cscmonitor.records.errors import RecordsError
    from cscmonitor.terms import ContractError

    try:
        yield
    except (RecordsError, OneLine, ContractError, ValueError, FileNotFoundError) as exc:
        raise fail(str(exc).strip("'\"")) from None


@contextmanager
def _unit(settings: Settings, by: str | None, role: Role | None) -> Iterator[Session]:
    from cscmonitor.records import db
    from cscmonitor.records.audit import Actor

    actor = Actor(by or getpass.getuser(), role.party if role else None)
    with _failing_as_one_line(), db.transaction(_engine(settings), actor) as session:
        yield session


def _say(edition: EditionView) -> None:
    stderr().print(f"edition {edition.id}: {edition.title} is {edition.state}", highlight=False)


@edition_app.command("new")
def new(
    report: Annotated[
        str, typer.Argument(help="quarterly, annual, corporate-parenting or framework.")
    ],
    year: Annotated[int, typer.Option("--contract-year", min=1, help="The contract year.")],
    role: RoleOption,
    quarter: Annotated[
        int | None, typer.Option("--quarter", min=1, max=4, help="Quarterly reports: 1 to 4.")
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish/--internal", help="Publication mode (counts 1–5 as c).")
    ] = False,
    as_at: Annotated[
        dt.date | None,
        typer.Option("--as-at", parser=iso_date, metavar="YYYY-MM-DD", help="The report's date."),
    ] = None,
    contract: ContractOption = None,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Open a new draft edition of a report (refused while another edition of it is open)."""
    from cscmonitor.records import contracts, editions
    from cscmonitor.records.audit import current_actor

    chosen = _role(role)
    with _unit(settings_for(data_dir), by, chosen) as session:
        edition = editions.open_edition(
            session,
            contracts.get_contract(session, contract),
            report,
            year,
            current_actor(session),
            chosen,
            quarter=quarter,
            mode="publication" if publish else "internal",
            as_at=as_at,
        )
        _say(editions.view(edition))


@edition_app.command("list")
def list_editions(
    report: Annotated[str | None, typer.Option("--report", help="Only this report.")] = None,
    year: Annotated[int | None, typer.Option("--contract-year", min=1)] = None,
    contract: ContractOption = None,
    format: FormatOption = Format.TABLE,
    data_dir: DataDir = None,
) -> None:
    """List the editions, oldest first, with their state and who signed."""
    import pandas as pd

    from cscmonitor.output import emit
    from cscmonitor.records import contracts, editions

    with _unit(settings_for(data_dir), None, None) as session:
        held = [
            editions.view(e)
            for e in editions.editions_of(
                session, contracts.get_contract(session, contract), report, year
            )
        ]
    frame = pd.DataFrame(
        [
            {
                "id": e.id,
                "report": e.report,
                "year": e.year,
                "quarter": e.quarter or "",
                "edition": e.number,
                "state": e.state,
                "signed_on": e.signed_on.isoformat() if e.signed_on else "",
                "signed_by": "; ".join(s.name for s in e.signatories),
                "snapshot": e.snapshot_id or "",
            }
            for e in held
        ],
        columns=[
            "id",
            "report",
            "year",
            "quarter",
            "edition",
            "state",
            "signed_on",
            "signed_by",
            "snapshot",
        ],
    )
    emit(frame, format, None, title="Report editions")


def _move(
    edition_id: int, name: str, role: str, by: str | None, reason: str | None, data_dir: Path | None
) -> None:
    from cscmonitor.records import editions
    from cscmonitor.records.audit import current_actor

    chosen = _role(role)
    with _unit(settings_for(data_dir), by, chosen) as session:
        edition = editions.get_edition(session, edition_id)
        actor = current_actor(session)
        match name:
            case editions.SUBMIT:
                editions.submit(session, edition, actor, chosen)
            case editions.AGREE:
                editions.agree(session, edition, actor, chosen)
            case editions.WITHDRAW:
                editions.withdraw(session, edition, actor, chosen, reason)
            case _:
                editions.send_back(session, edition, actor, chosen, reason)
        _say(editions.view(edition))


@edition_app.command()
def submit(
    edition_id: EditionId, role: RoleOption, by: By = None, data_dir: DataDir = None
) -> None:
    """Submit a draft to the Council (a Trust manager)."""
    _move(edition_id, "submit", role, by, None, data_dir)


@edition_app.command("send-back")
def send_back(
    edition_id: EditionId,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes back to draft.")],
    role: RoleOption,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Send an edition back to draft with a reason: the Council sends back what it was sent or
    had agreed; the Trust manager withdraws what the Trust submitted."""
    name = "withdraw" if role == "trust_manager" else "send_back"
    _move(edition_id, name, role, by, reason, data_dir)


@edition_app.command()
def agree(edition_id: EditionId, role: RoleOption, by: By = None, data_dir: DataDir = None) -> None:
    """Agree a submitted edition (a Council officer)."""
    _move(edition_id, "agree", role, by, None, data_dir)


@edition_app.command()
def sign(
    edition_id: EditionId,
    role: RoleOption,
    signatories: Annotated[
        list[str],
        typer.Option(
            "--signatory",
            help="A signatory: a name from the contract's signatories, or name|title|party. "
            "Repeat it; at least one for the council and one for the trust.",
        ),
    ],
    on: Annotated[
        dt.date | None,
        typer.Option("--on", parser=iso_date, metavar="YYYY-MM-DD", help="Default: today."),
    ] = None,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Sign an agreed edition (a Council officer) and freeze its files."""
    from cscmonitor.records.audit import Actor
    from cscmonitor.reports.editions import sign_edition

    settings, chosen = settings_for(data_dir), _role(role)
    with _failing_as_one_line():
        signed = sign_edition(
            settings,
            _engine(settings),
            edition_id,
            Actor(by or getpass.getuser(), chosen.party),
            chosen,
            signatories,
            on or dt.date.today(),
        )
    _say(signed)
    for held in signed.files:
        stderr().print(f"  {held.path}  sha256 {held.sha256}", highlight=False)


def _view(settings: Settings, edition_id: int) -> EditionView:
    from cscmonitor.records import editions

    with _unit(settings, None, None) as session:
        return editions.view(editions.get_edition(session, edition_id))


@edition_app.command()
def download(
    edition_id: EditionId,
    output: Annotated[Path, typer.Option("--output", help="The file to write.")],
    format: Annotated[
        str, typer.Option("--format", help="html, pdf, docx, xlsx, document or figures.")
    ] = "pdf",
    data_dir: DataDir = None,
) -> None:
    """Write a signed edition's frozen file (checked against its hash first)."""
    from cscmonitor.reports.editions import stored

    settings = settings_for(data_dir)
    edition = _view(settings, edition_id)
    if edition.state != "signed":
        raise fail(f"edition {edition_id} is {edition.state}: only a signed edition has files")
    with _failing_as_one_line():
        data = stored(settings, edition, format)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    stderr().print(f"edition {edition_id}: {output}", highlight=False)


@edition_app.command()
def diff(
    edition_id: EditionId,
    every: Annotated[
        bool, typer.Option("--all", help="Show unchanged figures and text too.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """What changed in an edition since the last signed edition of the same report."""
    from cscmonitor.records import editions
    from cscmonitor.reports.editions import changes_since_signed

    settings = settings_for(data_dir)
    with _unit(settings, None, None) as session:
        edition = editions.get_edition(session, edition_id)
        before = editions.last_signed(session, edition)
        if before is None:
            raise fail(f"edition {edition_id} has no signed edition before it to compare with")
        old, new = editions.view(before), editions.view(edition)
    with _failing_as_one_line():
        comparison = changes_since_signed(settings, old, new)
    print(f"edition {new.number} ({new.state}) against edition {old.number} (signed)")
    print("Figures:")
    for f in comparison.changes.figures:
        if every or f.status != "unchanged":
            was = f"{f.before.value}, {f.before.rag}, {f.before.travel}" if f.before else "—"
            now = f"{f.after.value}, {f.after.rag}, {f.after.travel}" if f.after else "—"
            print(f"  {f.status:9} {f.line.code}: {was}  →  {now}")
    print("Text:")
    for t in comparison.changes.text:
        if every or t.status != "unchanged":
            print(f"  {t.status:9} [{t.section}]")
            if t.before is not None:
                print(f"    - {t.before}")
            if t.after is not None:
                print(f"    + {t.after}")


@edition_app.command()
def verify(
    edition_id: Annotated[
        int | None, typer.Argument(min=1, help="One edition (default: every signed one).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check signed editions: stored files against their hashes, each format rendered again
    from the stored document, the snapshot and the records version they were made from."""
    from cscmonitor.records import contracts, editions
    from cscmonitor.reports.editions import verify_edition

    settings = settings_for(data_dir)
    with _unit(settings, None, None) as session:
        if edition_id is not None:
            chosen = [editions.get_edition(session, edition_id)]
        else:
            chosen = [
                e
                for c in contracts.list_contracts(session)
                for e in editions.editions_of(session, c)
            ]
        signed = [
            (editions.view(e), editions.version_held(session, e.records_version or ""))
            for e in chosen
            if e.state == editions.SIGNED
        ]
    if not signed:
        raise fail("no signed edition to verify")
    broken = False
    for edition, held in signed:
        problems = verify_edition(settings, edition, held)
        for problem in problems:
            stderr().print(f"[red]FAILED[/red] {problem}", soft_wrap=True)
        if not problems:
            stderr().print(
                f"[green]ok[/green] edition {edition.id} ({edition.title}): {len(edition.files)} "
                f"files as signed, snapshot {edition.snapshot_id} intact",
                soft_wrap=True,
            )
        broken = broken or bool(problems)
    if broken:
        raise typer.Exit(code=1)
