"""`cscmonitor serve` and `cscmonitor users` (registered in cli.COMMANDS)."""

from __future__ import annotations

import errno
import getpass
import socket
from typing import Annotated

import typer

from cscmonitor.terminal import DataDir, fail, settings_for, stderr

users_app = typer.Typer(
    help="Web app accounts: create the first administrator, list accounts.",
    no_args_is_help=True,
    add_completion=False,
)


def serve(
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Run the web app (refuses outside development without CSCMONITOR_SECRET_KEY)."""
    import threading

    import uvicorn

    from cscmonitor.settings import InsecureSettings
    from cscmonitor.web.app import create_app, warm_up

    settings = settings_for(data_dir)
    try:
        settings.check()
    except InsecureSettings as exc:
        raise fail(str(exc)) from None
    # Listen before anything starts, so a busy port is one line and nothing claims to run.
    listening = listen(host, port)
    app = create_app(settings, settings)
    stderr().print(f"cscmonitor web app ({settings.environment}): http://{host}:{port}/")
    # The first dashboard costs a few seconds of computing: done while uvicorn starts.
    threading.Thread(target=warm_up, args=(app,), daemon=True).start()
    config = uvicorn.Config(app, host=host, port=port, proxy_headers=False, server_header=False)
    uvicorn.Server(config).run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or one line saying why it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        reason = (
            "is in use (is cscmonitor already serving? stop it, or choose another --port)"
            if exc.errno == errno.EADDRINUSE
            else f"cannot be used: {exc.strerror}"
        )
        raise fail(f"{host}:{port} {reason}") from None
    return listening


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
    from cscmonitor.records import db
    from cscmonitor.records.accounts import create_user, unit
    from cscmonitor.records.audit import Actor
    from cscmonitor.records.errors import RecordsError

    settings = settings_for(data_dir)
    if settings.new_password is not None:
        password = settings.new_password.get_secret_value()
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise fail("the passwords differ")
    engine = db.make_engine(settings.records_url)
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
        raise fail(str(exc)) from None
    finally:
        engine.dispose()
    waits = (
        "" if made[2] else "; it signs in once an administrator approves its role in the web app"
    )
    stderr().print(f"account {made[0]} created with role {made[1]}{waits}", highlight=False)


@users_app.command("list")
def list_accounts(data_dir: DataDir = None) -> None:
    """List the accounts: username, role, active, last sign-in."""
    from cscmonitor.records import db
    from cscmonitor.records.accounts import list_users, unit

    engine = db.make_engine(settings_for(data_dir).records_url)
    db.upgrade(engine)
    with unit(engine) as session:
        for user in list_users(session):
            last = f"{user.last_signin_at:%Y-%m-%d %H:%M}" if user.last_signin_at else "never"
            state = "active" if user.active else "inactive"
            demo = " (demo)" if user.demo else ""
            print(f"{user.username}\t{user.role}\t{state}{demo}\t{last}")
    engine.dispose()
