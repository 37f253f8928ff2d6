"""Where the records live, the schema's migrations, and one audited transaction per unit of work.

A database that is locked, unreachable or refusing raises `DatabaseUnavailable` with one
line saying why, from every path (sessions, migrations, inspection): the web answers 503,
the command line prints the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, exc, inspect

# The engine and session types, named here so the web and reports take them from the records
# (they never import SQLAlchemy: the layers contract in pyproject.toml).
from sqlalchemy.engine import Engine as Engine
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session as Session

from cscmonitor.errors import OneLine

# Importing `db` installs the audit listeners (`audit`) and the guard that keeps signed report
# editions as they were signed (`editions`): every engine and transaction is made here, so no
# write escapes the trail.
from cscmonitor.records import audit
from cscmonitor.records import editions as _editions  # noqa: F401
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a statement waits for a lock (or a connection) before the database counts as busy:
# SQLite's own default. Audited writes queue behind each other (`audit_head`'s lock), so a
# transaction longer than this elsewhere makes another writer's request a 503.
LOCK_TIMEOUT_SECONDS = 5.0
# SQLite reports a mistake in SQL as an operational error too: only these mean "unavailable".
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "malformed")


class DatabaseUnavailable(OneLine):
    """The records database is locked, cannot be reached or refuses: try again later."""


def _unavailable(context: ExceptionContext) -> None:
    """Replace a driver's operational error (and its traceback of the driver's internals)
    with one line naming the database and the driver's own first line."""
    original = context.original_exception
    if not isinstance(context.sqlalchemy_exception, exc.OperationalError | exc.InterfaceError):
        return
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    sqlite = context.dialect.name == "sqlite"
    if sqlite and not any(word in first.lower() for word in _SQLITE_UNAVAILABLE):
        return
    engine = context.engine
    where = engine.url.render_as_string(hide_password=True) if engine else "the records database"
    raise DatabaseUnavailable(f"records database {where} is unavailable: {first}") from None


def database_url(settings: Settings) -> str:
    """`$CSCMONITOR_DATABASE_URL` when set, else a SQLite file in the data directory."""
    return settings.records_url


def _enforce_sqlite_foreign_keys(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _postgresql_lock_timeout(dbapi_connection: object, _record: object) -> None:
    # Without it a statement waits for a lock for ever, and so does the page that sent it.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_SECONDS * 1000)}")
    cursor.close()
    dbapi_connection.commit()  # type: ignore[attr-defined]


def make_engine(url: str, **options: object) -> Engine:
    """An engine for `url`; a SQLite file's folder is made, and its foreign keys enforced;
    lock waits and connection attempts are bounded; operational errors are one line."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options = {"connect_args": {"timeout": LOCK_TIMEOUT_SECONDS}} | options
        engine = create_engine(url, **options)
        # Without this SQLite ignores ON DELETE CASCADE and dangling references.
        event.listen(engine, "connect", _enforce_sqlite_foreign_keys)
    elif backend == "postgresql":
        connect_args = {"connect_timeout": max(1, int(LOCK_TIMEOUT_SECONDS))}
        options = {"connect_args": connect_args, "pool_timeout": LOCK_TIMEOUT_SECONDS} | options
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _postgresql_lock_timeout)
    else:
        engine = create_engine(url, **options)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _alembic_config() -> Config:
    # Built in code, so nothing depends on an alembic.ini or the working directory.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema up to `revision` (the newest by default), in one transaction."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the schema down to `revision` (nothing by default), in one transaction."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database that `cscmonitor records init` has not set up."""
    if not inspect(engine).has_table("contracts"):
        raise RecordsError(
            f"no records database at {engine.url.render_as_string(hide_password=True)}: "
            "run `cscmonitor records init` first"
        )


@contextmanager
def transaction(engine: Engine, actor: Actor) -> Iterator[Session]:
    """A session whose writes are audited as `actor`'s: all committed, or none on any error."""
    with Session(engine, expire_on_commit=False) as session:
        session.info[audit.ACTOR_KEY] = actor
        with session.begin():
            yield session


@contextmanager
def held_records(settings: Settings) -> Iterator[Session | None]:
    """A read session on the records the settings name, or None when none are held yet (no
    SQLite file, or a database without the schema): reports then go without them."""
    url = database_url(settings)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (
        not parsed.database or not Path(parsed.database).exists()
    ):
        yield None
        return
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("contracts"):
            yield None
            return
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
