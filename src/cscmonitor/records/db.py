"""Where the records live, the schema's migrations, and one audited transaction per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cscmonitor.records import audit
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(settings: Settings) -> str:
    """`$CSCMONITOR_DATABASE_URL` when set, else a SQLite file in the data directory."""
    return settings.records_url


def _enforce_sqlite_foreign_keys(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, **options: object) -> Engine:
    """An engine for `url`; a SQLite file's folder is made, and its foreign keys enforced."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **options)
        # Without this SQLite ignores ON DELETE CASCADE and dangling references.
        event.listen(engine, "connect", _enforce_sqlite_foreign_keys)
        return engine
    return create_engine(url, **options)


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
