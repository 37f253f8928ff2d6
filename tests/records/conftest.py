"""Every records test runs on SQLite and on PostgreSQL, each in a database of its own.

PostgreSQL comes from `CSCMONITOR_TEST_DATABASE_URL` (e.g.
`postgresql+psycopg://postgres@127.0.0.1:5432/test`); each test gets a fresh schema there,
dropped afterwards, so tests never see each other's rows. Without the variable the
PostgreSQL half is skipped, saying so.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cscmonitor.records import contracts, db, yamlio
from cscmonitor.records.audit import Actor
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Base, Contract
from cscmonitor.terms import load_packaged_contract

TEST_DATABASE_URL = "CSCMONITOR_TEST_DATABASE_URL"
TESTER = Actor("Test Runner")


def _postgres_url() -> str:
    url = os.environ.get(TEST_DATABASE_URL)
    if not url:
        pytest.skip(
            f"PostgreSQL half skipped: set {TEST_DATABASE_URL} "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'records.db'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema goes in the URL, so the CLI can be pointed at the same database.
    in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = db.make_engine(in_schema.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Records:
    """A migrated, empty records database and ways to work in it."""

    engine: Engine

    def unit(self, actor: Actor = TESTER) -> AbstractContextManager[Session]:
        """One transaction, as a service caller (CLI, web) would open it."""
        return db.transaction(self.engine, actor)

    def counts(self) -> dict[str, int]:
        """Rows in every table, to show that a refused change changed nothing."""
        with Session(self.engine) as session:
            return {
                table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables
            }

    def contract(self, session: Session) -> Contract:
        return contracts.get_contract(session)

    @contextmanager
    def refused(self, match: str, actor: Actor = TESTER) -> Iterator[Session]:
        """A unit of work that must fail with a RecordsError matching `match`, changing nothing."""
        before = self.counts()
        with pytest.raises(RecordsError, match=match), self.unit(actor) as session:
            yield session
        assert self.counts() == before, "a refused change left rows behind"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "records.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def records(empty_engine: Engine, migrated_sqlite: Path) -> Records:
    database = empty_engine.url.database
    if empty_engine.dialect.name == "sqlite" and database:
        shutil.copyfile(migrated_sqlite, database)
    else:
        db.upgrade(empty_engine)
    return Records(empty_engine)


@pytest.fixture
def doncaster(records: Records) -> Records:
    """The records database holding just the Doncaster contract (basket version 1)."""
    with records.unit() as session:
        contracts.create_contract(session, load_packaged_contract("doncaster-2014"))
    return records


@functools.cache
def _demo_file() -> yamlio.RecordsFile:
    return yamlio.parse(yamlio.demo_text(), "demo.yaml")


@pytest.fixture
def demo(records: Records) -> Records:
    """The records database holding the demo records of the seed."""
    with records.unit() as session:
        yamlio.import_records(session, _demo_file(), "demo.yaml")
    return records
