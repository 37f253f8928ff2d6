"""`cscmonitor serve` and `cscmonitor users`. Mounted on the main app by `cli.py`:

from cscmonitor.web.cli import serve, users_app
app.command()(serve)
app.add_typer(users_app, name="users")
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cscmonitor.settings import Settings

err = Console(stderr=True)

users_app = typer.Typer(
    help="Web app accounts: create the first administrator, list accounts.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $CSCMONITOR_DATA_DIR or ./data)."),
]


def _settings(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Run the web app (refuses outside development without CSCMONITOR_SECRET_KEY)."""
    import threading

    import uvicorn

    from cscmonitor.web.app import create_app, warm_up
    from cscmonitor.web.config import InsecureSettings, WebSettings

    settings = WebSettings()
    try:
        app = create_app(settings, _settings(data_dir))
    except InsecureSettings as exc:
        raise _fail(str(exc)) from None
    err.print(
        f"cscmonitor web app ({settings.environment}): http://{host}:{port}/", highlight=False
    )
    # The first dashboard costs a few seconds of computing: done while uvicorn starts.
    threading.Thread(target=warm_up, args=(app,), daemon=True).start()
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)


@users_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, . _ -")],
    role: Annotated[
        str,
        typer.Option(help="admin, trust_analyst, trust_manager, council_officer or viewer."),
    ] = "admin",
    full_name: Annotated[str | None, typer.Option("--name", help="The person's name.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an account; the password is asked for (or read from CSCMONITOR_NEW_PASSWORD)."""
    import os

    from cscmonitor.records import db
    from cscmonitor.records.accounts import create_user, unit
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.errors import RecordsError

    password = os.environ.get("CSCMONITOR_NEW_PASSWORD") or getpass.getpass("Password: ")
    if not os.environ.get("CSCMONITOR_NEW_PASSWORD") and getpass.getpass("Again: ") != password:
        raise _fail("the passwords differ")
    engine = db.make_engine(db.database_url(_settings(data_dir)))
    db.upgrade(engine)
    try:
        with unit(engine) as session:
            user = create_user(
                session,
                Actor(f"cscmonitor users create ({getpass.getuser()})"),
                username,
                full_name or username,
                role,
                password,
            )
            made = (user.username, user.role, user.active)
    except RecordsError as exc:
        raise _fail(str(exc)) from None
    finally:
        engine.dispose()
    waits = (
        "" if made[2] else "; it signs in once an administrator approves its role in the web app"
    )
    err.print(f"account {made[0]} created with role {made[1]}{waits}", highlight=False)


@users_app.command("list")
def list_accounts(data_dir: DataDir = None) -> None:
    """List the accounts: username, role, active, last sign-in."""
    from cscmonitor.records import db
    from cscmonitor.records.accounts import list_users, unit

    engine = db.make_engine(db.database_url(_settings(data_dir)))
    db.upgrade(engine)
    with unit(engine) as session:
        for user in list_users(session):
            last = f"{user.last_signin_at:%Y-%m-%d %H:%M}" if user.last_signin_at else "never"
            state = "active" if user.active else "inactive"
            demo = " (demo)" if user.demo else ""
            print(f"{user.username}\t{user.role}\t{state}{demo}\t{last}")
    engine.dispose()
