"""The demo's annual review taken the whole way: the Council's and the Trust's words written,
then an edition submitted by the Trust, agreed and signed by the Council, and frozen.

The words are a sample narrative for Doncaster's first contract year, in our own words after
the seed's letter (`records/demo/doncaster-2014-annual-1.md`); each party writes its own
sections as its demo account, and the demo accounts make every move, as people would in the
web app.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from cscmonitor.records import editions
from cscmonitor.records.accounts import actor_of, find_user, unit
from cscmonitor.records.audit import Actor
from cscmonitor.records.contracts import get_contract
from cscmonitor.records.db import Engine, transaction
from cscmonitor.records.editions import EditionView
from cscmonitor.records.narrative_file import import_file, parse
from cscmonitor.records.roles import Role
from cscmonitor.reports.editions import file_name, sign_edition, stored
from cscmonitor.settings import Settings

NARRATIVE = "doncaster-2014-annual-1.md"
# The seed's letter is dated 29 January 2016 and signed for the Council by its Chief
# Executive, with the Trust's Chair among the counter-signatories.
SIGNED_ON = dt.date(2016, 1, 29)
SIGNATORIES = ("Jo Miller", "Colin Hilton")


def narrative_text() -> str:
    return resources.files("cscmonitor.records").joinpath("demo", NARRATIVE).read_text("utf-8")


def _demo_actor(engine: Engine, username: str) -> Actor:
    with unit(engine) as session:
        user = find_user(session, username)
        if user is None:
            raise LookupError(f"the demo account {username} is not there: seed the demo users")
        return actor_of(user)


def write_demo_narrative(engine: Engine) -> list[str]:
    """Each party's sections of the sample narrative, written as its demo account; the
    titles written."""
    held = parse(narrative_text(), f"cscmonitor/records/demo/{NARRATIVE}")
    written: list[str] = []
    for username in ("manager", "council"):  # the Trust's sections, then the Council's
        actor = _demo_actor(engine, username)
        with transaction(engine, actor) as session:
            written += import_file(session, held, actor, NARRATIVE, mine_only=True)
    return written


def sign_demo_review(
    settings: Settings, engine: Engine, out: Path
) -> tuple[EditionView, dict[str, Path]]:
    """Open, submit, agree and sign contract year 1's annual review with the demo accounts;
    the signed edition and its frozen files, copied under `out/signed`."""
    trust, council = _demo_actor(engine, "manager"), _demo_actor(engine, "council")
    with transaction(engine, trust) as session:
        contract = get_contract(session, None)
        edition = editions.open_edition(
            session, contract, "annual", 1, trust, Role.TRUST_MANAGER, as_at=SIGNED_ON
        )
        editions.submit(session, edition, trust, Role.TRUST_MANAGER)
        edition_id = edition.id
    with transaction(engine, council) as session:
        editions.agree(
            session, editions.get_edition(session, edition_id), council, Role.COUNCIL_OFFICER
        )
    signed = sign_edition(
        settings, engine, edition_id, council, Role.COUNCIL_OFFICER, SIGNATORIES, SIGNED_ON
    )
    folder = out / "signed"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for held in signed.files:
        target = folder / file_name(signed, held.format)
        target.write_bytes(stored(settings, signed, held.format))
        files[held.format] = target
    return signed, files
