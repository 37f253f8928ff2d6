"""Report editions as documents: made live while in draft, frozen when signed, verified later.

Signing (`sign_edition`) builds the report's document once from the current snapshot and
records, adds the edition's sign-off (who, when, from which data) and dates it by the signing,
renders it in every format, and stores under `DATA_DIR/editions/<id>/` (folder 700, files
600): each rendering, the document as JSON (`document.json`) and its basket figures
(`figures.json`). The records keep each file's SHA-256, the snapshot and the records version.
`verify_edition` renders the stored document again and compares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cscmonitor.errors import OneLine
from cscmonitor.records import editions as records_editions
from cscmonitor.records import narrative
from cscmonitor.records.audit import Actor
from cscmonitor.records.contracts import Contract
from cscmonitor.records.db import Engine, Session, transaction
from cscmonitor.records.editions import EditionView, Freeze, FrozenFile
from cscmonitor.records.roles import Role
from cscmonitor.reports.context.quarterly import build_quarterly_context
from cscmonitor.reports.context.sources import open_sources
from cscmonitor.reports.disclosure import Mode
from cscmonitor.reports.document import Document, Facts, Heading
from cscmonitor.reports.document_json import from_json, to_json
from cscmonitor.reports.edition_diff import (
    EDITION_SECTION,
    EditionChanges,
    FigureLine,
    basket_figures,
    compare,
    figures_from_json,
    figures_json,
)
from cscmonitor.reports.publish import Report, build_document
from cscmonitor.reports.render import formats, render, renderer
from cscmonitor.reports.render.stamp import DATE
from cscmonitor.returns.issues import ReturnError
from cscmonitor.settings import Settings
from cscmonitor.warehouse import Warehouse
from cscmonitor.wording import day

FOLDER = "editions"
DOCUMENT_FILE, FIGURES_FILE = "document.json", "figures.json"


class DamagedEdition(OneLine):
    """A signed edition's stored file is missing or no longer matches its hash."""


def edition_facts(edition: EditionView) -> tuple[tuple[str, str], ...]:
    """What the document says about its edition: its number and state, and once signed who
    signed it, when, and from which snapshot and records version."""
    if edition.state != records_editions.SIGNED:
        return (("Edition", f"{edition.number}, {edition.state}: not signed"),)
    assert edition.signed_on is not None
    return (
        ("Edition", f"{edition.number}, signed"),
        ("Signed on", day(edition.signed_on)),
        *(("Signed by", s.line()) for s in edition.signatories),
        ("Data snapshot", edition.snapshot_id or "—"),
        ("Records version", edition.records_version or "—"),
    )


def with_edition(document: Document, edition: EditionView) -> Document:
    """The document closing with its edition's section, dated by its signing once signed."""
    meta = [(k, v) for k, v in document.meta if k != DATE]
    meta.append(("edition", str(edition.number)))
    if edition.signed_on is not None:
        meta.append((DATE, edition.signed_on.isoformat()))
    blocks = (*document.blocks, Heading(2, EDITION_SECTION, anchor="edition"))
    return replace(
        document,
        blocks=(*blocks, Facts(edition_facts(edition))),
        meta=tuple(meta),
        date=edition.signed_on or document.date,
    )


def live_document(settings: Settings, edition: EditionView) -> tuple[Document, str]:
    """The edition's document made now from the current snapshot and records, and the
    snapshot's id."""
    with open_sources(settings, edition.year, edition.contract) as sources:
        document = build_document(
            Report(edition.report),
            sources,
            edition.year,
            Mode(edition.mode),
            quarter=edition.quarter,
            as_at=edition.as_at,
        )
        snapshot = sources.snapshot.id
    return with_edition(document, replace(edition, snapshot_id=snapshot)), snapshot


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def store(
    settings: Settings, edition_id: int, files: dict[str, tuple[str, bytes]]
) -> tuple[FrozenFile, ...]:
    """Write {format: (file name, bytes)} to `editions/<id>/` whole or not at all."""
    root = settings.data_dir / FOLDER
    root.mkdir(parents=True, exist_ok=True)
    final = root / str(edition_id)
    staging = root / f".staging-{edition_id}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    held = []
    for format, (name, data) in files.items():
        _write_private(staging / name, data)
        relative = (final / name).relative_to(settings.data_dir).as_posix()
        held.append(FrozenFile(format, _sha256(data), len(data), relative))
    if final.exists():
        # Left by a signing whose transaction did not commit: the edition is not signed.
        shutil.rmtree(final)
    staging.rename(final)
    _sync_dir(root)
    return tuple(held)


def _sync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def freeze(settings: Settings, edition: EditionView) -> Freeze:
    """Make the edition's document, render it in every format and store it all."""
    document, snapshot = live_document(settings, edition)
    files: dict[str, tuple[str, bytes]] = {
        records_editions.DOCUMENT: (DOCUMENT_FILE, to_json(document).encode("utf-8")),
        records_editions.FIGURES: (
            FIGURES_FILE,
            figures_json(basket_figures(document)).encode("utf-8"),
        ),
    }
    for format in formats():
        files[format] = (document.filename + renderer(format).suffix, render(document, format))
    return Freeze(snapshot, store(settings, edition.id, files))


def narrative_check(
    settings: Settings, session: Session, contract: Contract, edition: EditionView
) -> Callable[[], list[str]]:
    """The check signing runs first: the titles of the report's narrative sections that have
    no text and are not marked not applicable (signing is refused while there are any).

    The quarterly pack's sections are those of its exceptions, which only its figures tell:
    the check builds the pack's context from the current snapshot to learn them.
    """

    def missing() -> list[str]:
        exceptions: tuple[str, ...] = ()
        if edition.report == Report.QUARTERLY and edition.quarter is not None:
            with open_sources(settings, edition.year, edition.contract) as sources:
                pack = build_quarterly_context(
                    sources, edition.year, edition.quarter, Mode(edition.mode), as_at=edition.as_at
                )
            exceptions = tuple(panel.code for panel in pack.exceptions)
        return narrative.missing_sections(
            session, contract, edition.report, edition.year, edition.quarter, exceptions=exceptions
        )

    return missing


def sign_edition(
    settings: Settings,
    engine: Engine,
    edition_id: int,
    actor: Actor,
    role: Role,
    signatories: Sequence[str],
    on: dt.date,
) -> EditionView:
    """Sign an agreed edition and freeze its files, in one transaction."""
    with transaction(engine, actor) as session:
        edition = records_editions.get_edition(session, edition_id)
        signers = [records_editions.signer(edition.contract, s) for s in signatories]
        records_editions.sign(
            session,
            edition,
            actor,
            role,
            signers,
            on,
            completeness=narrative_check(
                settings, session, edition.contract, records_editions.view(edition)
            ),
            freeze=lambda about: freeze(settings, about),
        )
        return records_editions.view(edition)


def stored(settings: Settings, edition: EditionView, format: str) -> bytes:
    """A signed edition's stored file, refused when it no longer matches its hash."""
    held = edition.file(format)
    path = settings.data_dir / held.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DamagedEdition(f"edition {edition.id}: {held.path} is missing") from None
    if _sha256(data) != held.sha256:
        raise DamagedEdition(
            f"edition {edition.id}: {held.path} does not match the hash recorded when it was "
            "signed (it was changed since)"
        )
    return data


def file_name(edition: EditionView, format: str) -> str:
    return Path(edition.file(format).path).name


def document_of(settings: Settings, edition: EditionView) -> Document:
    """A signed edition's stored document; any other edition's made now."""
    if edition.state == records_editions.SIGNED:
        return from_json(stored(settings, edition, records_editions.DOCUMENT).decode("utf-8"))
    return live_document(settings, edition)[0]


def figures_of(
    settings: Settings, edition: EditionView, document: Document
) -> tuple[FigureLine, ...]:
    if edition.state == records_editions.SIGNED:
        text = stored(settings, edition, records_editions.FIGURES).decode("utf-8")
        return figures_from_json(text)
    return basket_figures(document)


@dataclass(frozen=True)
class Comparison:
    """An edition beside the last signed edition of the same report."""

    before: EditionView
    after: EditionView
    changes: EditionChanges


def changes_since_signed(settings: Settings, before: EditionView, after: EditionView) -> Comparison:
    """What changed from the last signed edition `before` to `after` (draft or signed)."""
    old, new = document_of(settings, before), document_of(settings, after)
    changes = compare(old, new, figures_of(settings, before, old), figures_of(settings, after, new))
    return Comparison(before, after, changes)


def verify_edition(settings: Settings, edition: EditionView, version_held: bool) -> list[str]:
    """Every way a signed edition no longer is as signed, one line each (none: it verifies).

    Each stored file against its recorded hash; each format rendered again from the stored
    document against the signed file's hash; the snapshot it was made from still held and
    intact; its records version still in the audit log (`version_held`).
    """
    name = f"edition {edition.id} ({edition.title})"
    problems: list[str] = []
    intact: set[str] = set()
    for held in edition.files:
        try:
            stored(settings, edition, held.format)
        except DamagedEdition as exc:
            problems.append(f"{name}: {str(exc).split(': ', 1)[1]}")
        else:
            intact.add(held.format)
    if records_editions.DOCUMENT in intact:
        document = from_json(stored(settings, edition, records_editions.DOCUMENT).decode())
        for held in edition.files:
            if held.format in formats() and _sha256(render(document, held.format)) != held.sha256:
                problems.append(
                    f"{name}: the {held.format} rendered again from the stored document differs "
                    f"from the signed {Path(held.path).name}"
                )
    snapshot = edition.snapshot_id or ""
    warehouse = Warehouse(settings.warehouse_dir)
    try:
        warehouse.verify(warehouse.snapshot(snapshot))
    except FileNotFoundError:
        problems.append(f"{name}: snapshot {snapshot} it was made from is no longer held")
    except ReturnError as exc:
        problems.append(f"{name}: {exc}")
    if not version_held:
        problems.append(
            f"{name}: its records version {edition.records_version} is no longer in the audit "
            "log (cscmonitor audit verify)"
        )
    return problems
