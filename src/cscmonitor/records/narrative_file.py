"""One report's narrative as one file, Markdown or YAML, for people who draft in Word first.

Markdown: front matter naming the contract, report and period, then one `## Title` heading
per section with its key in an HTML comment (a heading without the comment is matched by its
title, so text pasted from Word back under its headings still imports):

    ---
    contract: Doncaster Children's Services Trust
    report: annual
    contract_year: 1
    ---

    ## Covering letter <!-- section: letter -->

    The establishment of the Trust …

    ## Notifiable changes and directions <!-- section: changes -->

    Not applicable

YAML: the same front matter keys and `sections:`, each key's text (a string, '' when empty)
or `{not_applicable: true}`. Export then import gives back exactly what was held, and
importing adds a version only for a section whose text changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy.orm import Session

from cscmonitor.records import narrative
from cscmonitor.records.audit import Actor
from cscmonitor.records.contracts import get_contract
from cscmonitor.records.errors import RecordsError
from cscmonitor.records.models import Contract
from cscmonitor.records.narrative import NOT_APPLICABLE, ReportPeriod
from cscmonitor.records.narrative_sections import FileFormat as FileFormat
from cscmonitor.records.narrative_sections import Section, sections

FRONT = "---"
HEADING = re.compile(r"^##\s+(?P<title>.*?)\s*(?:<!--\s*section:\s*(?P<key>\S+)\s*-->)?\s*$")
HEADER_KEYS = ("contract", "report", "contract_year", "quarter")
# Room for a report's words many times over (the seed's whole review is under 30 KB), and
# under the web app's limit on a form's size (256 KB unless the settings say otherwise).
MAX_FILE_BYTES = 200 * 1024


@dataclass(frozen=True)
class FileSection:
    key: str | None  # None: matched by title when imported
    title: str
    text: str
    not_applicable: bool
    line: int  # where the section starts in the file


@dataclass(frozen=True)
class NarrativeFile:
    contract: str
    period: ReportPeriod
    sections: tuple[FileSection, ...]


def _wanted(contract: Contract, period: ReportPeriod) -> tuple[Section, ...]:
    return sections(period.report, narrative.basket_indicators(contract))


def _header(contract: Contract, period: ReportPeriod) -> dict[str, Any]:
    header: dict[str, Any] = {
        "contract": contract.name,
        "report": period.report.value,
        "contract_year": period.contract_year,
    }
    if period.quarter:
        header["quarter"] = period.quarter
    return header


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000
    ).rstrip("\n")


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a literal block, as people would write it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def export_text(
    session: Session, contract: Contract, period: ReportPeriod, file_format: FileFormat
) -> str:
    """Every section of the report in document order, with its newest text (or none)."""
    held = narrative.latest(session, contract, period)
    wanted = _wanted(contract, period)
    if file_format is FileFormat.YAML:
        body: dict[str, Any] = {}
        for s in wanted:
            v = held.get(s.key)
            body[s.key] = (
                {"not_applicable": True} if v and v.not_applicable else (v.text if v else "")
            )
        return _dump(_header(contract, period) | {"sections": body}) + "\n"
    parts = [FRONT, _dump(_header(contract, period)), FRONT]
    for s in wanted:
        v = held.get(s.key)
        text = NOT_APPLICABLE if v and v.not_applicable else (v.text if v else "")
        parts += ["", f"## {s.title} <!-- section: {s.key} -->"]
        if text:
            parts += ["", text]
    return "\n".join(parts) + "\n"


def _period(header: Any, name: str, lines: dict[str, int]) -> tuple[str, ReportPeriod]:
    def where(key: str) -> str:
        return f"{name} line {lines.get(key, 1)}"

    if not isinstance(header, dict):
        raise RecordsError(f"{name} line 1: the file must begin with contract, report and year")
    for key in header:
        if key not in (*HEADER_KEYS, "sections"):
            raise RecordsError(
                f"{where(str(key))}: {key!r} is not a field here; fields: {', '.join(HEADER_KEYS)}"
            )
    for key in ("contract", "report", "contract_year"):
        if header.get(key) in (None, ""):
            raise RecordsError(f"{name} line 1: {key} is required")
    year, quarter = header["contract_year"], header.get("quarter")
    if not isinstance(year, int) or not (quarter is None or isinstance(quarter, int)):
        raise RecordsError(f"{where('contract_year')}: contract_year and quarter are numbers")
    try:
        period = ReportPeriod.of(str(header["report"]), year, quarter)
    except RecordsError as exc:
        raise RecordsError(f"{where('report')}: {exc}") from None
    return str(header["contract"]), period


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _parse_yaml(text: str, name: str) -> NarrativeFile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RecordsError(
            f"{name} line {line}: not YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    lines = _key_lines(root)
    contract, period = _period(data, name, lines)
    body = data.get("sections")
    if not isinstance(body, dict):
        raise RecordsError(
            f"{name} line {lines.get('sections', 1)}: sections: a mapping of key to text"
        )
    # _period has checked the file is a mapping, so its root node is one.
    assert isinstance(root, yaml.MappingNode)
    key_lines = _key_lines(next((v for k, v in root.value if k.value == "sections"), None))
    found = []
    for key, value in body.items():
        line = key_lines.get(str(key), 1)
        if value is None:
            value = ""
        if isinstance(value, dict) and set(value) == {"not_applicable"}:
            found.append(FileSection(str(key), str(key), "", bool(value["not_applicable"]), line))
        elif isinstance(value, str):
            found.append(FileSection(str(key), str(key), value, False, line))
        else:
            raise RecordsError(
                f"{name} line {line}: {key}: the section's text, or {{not_applicable: true}}"
            )
    return NarrativeFile(contract, period, tuple(found))


def _parse_markdown(text: str, name: str) -> NarrativeFile:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != FRONT:
        raise RecordsError(
            f"{name} line 1: the file must begin with '---' and the contract, report and "
            "contract year (as `export` writes it)"
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT)
    except StopIteration:
        raise RecordsError(f"{name} line 1: the front matter has no closing '---'") from None
    front = "\n".join(lines[1:end])
    try:
        root = yaml.compose(front, Loader=yaml.SafeLoader)
        header = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise RecordsError(f"{name} line {line}: the front matter is not YAML") from None
    offsets = {k: v + 1 for k, v in _key_lines(root).items()}
    if isinstance(header, dict) and "sections" in header:
        raise RecordsError(f"{name} line {offsets['sections']}: 'sections' is for YAML files")
    contract, period = _period(header, name, offsets)
    found: list[FileSection] = []
    current: tuple[str | None, str, int] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        key, title, line = current
        kept = "\n".join(body).strip("\n")
        flagged = kept.strip().rstrip(".").lower() == NOT_APPLICABLE.lower()
        found.append(FileSection(key, title, "" if flagged else kept, flagged, line))

    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        heading = HEADING.match(line)
        if heading:
            close()
            current, body = (heading["key"], heading["title"], number), []
        elif current is None:
            if line.strip():
                raise RecordsError(
                    f"{name} line {number}: text before the first section heading ('## Title')"
                )
        else:
            body.append(line)
    close()
    return NarrativeFile(contract, period, tuple(found))


def parse(text: str, name: str) -> NarrativeFile:
    """A narrative file read; its format from its name (.md or .yaml)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise RecordsError(f"{name}: a narrative file is at most {MAX_FILE_BYTES // 1024} KB")
    match FileFormat.of(name):
        case FileFormat.MARKDOWN:
            return _parse_markdown(text, name)
        case FileFormat.YAML:
            return _parse_yaml(text, name)


def _resolve(
    file: NarrativeFile, wanted: Iterable[Section], name: str
) -> list[tuple[Section, FileSection]]:
    """Each file section with the catalogue's: by key, or by title when the key was lost."""
    by_key = {s.key: s for s in wanted}
    by_title = {" ".join(s.title.lower().split()): s for s in by_key.values()}
    seen: dict[str, int] = {}
    found = []
    for part in file.sections:
        match = (
            by_key.get(part.key)
            if part.key is not None
            else by_title.get(" ".join(part.title.lower().split()))
        )
        if match is None:
            named = repr(part.key) if part.key is not None else f"'{part.title}'"
            raise RecordsError(
                f"{name} line {part.line}: {named} is not a section of {file.period.label}; "
                f"its sections: {', '.join(by_key) or 'none'}"
            )
        if match.key in seen:
            raise RecordsError(
                f"{name} line {part.line}: {match.title} is given twice "
                f"(first at line {seen[match.key]})"
            )
        seen[match.key] = part.line
        found.append((match, part))
    return found


def import_file(
    session: Session, file: NarrativeFile, actor: Actor, name: str, *, mine_only: bool = False
) -> list[str]:
    """Write each section whose text changed, as `actor`; the titles written. A section of
    the other party's that changed is refused (and so is the whole file), unless `mine_only`:
    then the other party's sections are passed over, so a file both parties drafted together
    is imported by each in turn."""
    contract = get_contract(session, file.contract)
    written = []
    for section, part in _resolve(file, _wanted(contract, file.period), name):
        if mine_only and section.party != actor.role:
            continue
        try:
            version = narrative.write(
                session,
                contract,
                file.period,
                section.key,
                part.text,
                actor,
                not_applicable=part.not_applicable,
            )
        except RecordsError as exc:
            raise RecordsError(f"{name} line {part.line}: {exc}") from None
        if version is not None:
            written.append(section.title)
    return written
