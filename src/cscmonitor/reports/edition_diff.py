"""What changed between two editions of a report: figures and text side by side.

Figures: each basket indicator's value, RAG and direction of travel, read from the document's
basket tables (the tables whose first column is the indicator and which carry a RAG column).
Text: section by section (a section runs from one heading to the next), each paragraph, list
item and label/value pair is unchanged, changed, added or removed, aligned with difflib.
The closing "Edition and sign-off" section differs between any two editions and is left out.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from cscmonitor.reports.document import Bullets, Document, Facts, Heading, Paragraph, Table

EDITION_SECTION = "Edition and sign-off"
Status = Literal["unchanged", "changed", "added", "removed"]
_CODE = re.compile(r"\(([A-Z0-9_]+)\)\s*$")


@dataclass(frozen=True)
class FigureLine:
    """One basket indicator in one table of a document: its figure, RAG and travel as shown."""

    table: str  # the table's caption
    code: str
    indicator: str
    value: str
    rag: str
    travel: str


@dataclass(frozen=True)
class FigureChange:
    before: FigureLine | None
    after: FigureLine | None

    @property
    def line(self) -> FigureLine:
        held = self.after or self.before
        assert held is not None
        return held

    @property
    def status(self) -> Status:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        same = (self.before.value, self.before.rag, self.before.travel) == (
            self.after.value,
            self.after.rag,
            self.after.travel,
        )
        return "unchanged" if same else "changed"


@dataclass(frozen=True)
class TextChange:
    section: str
    status: Status
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EditionChanges:
    figures: tuple[FigureChange, ...]
    text: tuple[TextChange, ...]

    def count(self, status: Status) -> int:
        """How many figures and pieces of text have this status."""
        figures = sum(c.status == status for c in self.figures)
        return figures + sum(c.status == status for c in self.text)


def _column(columns: tuple[str, ...], starts: str) -> int | None:
    return next((i for i, c in enumerate(columns) if c.startswith(starts)), None)


def basket_figures(document: Document) -> tuple[FigureLine, ...]:
    """Every basket table's rows: indicator, its figure (the second column), RAG and travel."""
    found: list[FigureLine] = []
    for table in document.tables():
        if not table.columns or table.columns[0] != "Indicator":
            continue
        rag, travel = _column(table.columns, "RAG"), _column(table.columns, "Direction of travel")
        if rag is None:
            continue
        for row in table.rows:
            name = row[0].text
            code = _CODE.search(name)
            found.append(
                FigureLine(
                    table=table.caption,
                    code=code.group(1) if code else name,
                    indicator=_CODE.sub("", name).strip(),
                    value=row[1].text,
                    rag=row[rag].text,
                    travel=row[travel].text if travel is not None else "",
                )
            )
    return tuple(found)


def figures_json(figures: Iterable[FigureLine]) -> str:
    return json.dumps([asdict(f) for f in figures], indent=1, ensure_ascii=False)


def figures_from_json(text: str) -> tuple[FigureLine, ...]:
    return tuple(FigureLine(**item) for item in json.loads(text))


def _position(figures: Iterable[FigureLine]) -> dict[tuple[int, str], FigureLine]:
    """Figures keyed by (the table's place among basket tables, indicator code): a table's
    caption names its period, which changes between years, so place is the better key."""
    tables: list[str] = []
    keyed = {}
    for figure in figures:
        if figure.table not in tables:
            tables.append(figure.table)
        keyed[(tables.index(figure.table), figure.code)] = figure
    return keyed


def compare_figures(
    before: Iterable[FigureLine], after: Iterable[FigureLine]
) -> tuple[FigureChange, ...]:
    old, new = _position(before), _position(after)
    changes = [FigureChange(old.get(key), figure) for key, figure in new.items()]
    changes += [FigureChange(figure, None) for key, figure in old.items() if key not in new]
    return tuple(changes)


def sections(document: Document) -> list[tuple[str, list[str]]]:
    """The document's text as (section heading, its pieces of text), in reading order; a
    heading used twice gets its number ("Trend (2)") so each section keeps its own place."""
    found: list[tuple[str, list[str]]] = [(document.title, [])]
    seen: dict[str, int] = {}
    for block in document.blocks:
        match block:
            case Heading(text=text):
                seen[text] = seen.get(text, 0) + 1
                found.append((text if seen[text] == 1 else f"{text} ({seen[text]})", []))
            case Paragraph(text=text):
                found[-1][1].append(text)
            case Bullets(items=items):
                found[-1][1].extend(item.text for item in items)
            case Facts(pairs=pairs):
                found[-1][1].extend(f"{label}: {value}" for label, value in pairs)
            case Table():
                pass  # figures are compared as figures
            case _:
                pass
    return [(title, texts) for title, texts in found if title != EDITION_SECTION]


def _pieces(section: str, old: list[str], new: list[str]) -> list[TextChange]:
    changes: list[TextChange] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes += [TextChange(section, "unchanged", t, t) for t in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added))
        changes += [
            TextChange(section, "changed", a, b)
            for a, b in zip(removed[:paired], added[:paired], strict=True)
        ]
        changes += [TextChange(section, "removed", a, None) for a in removed[paired:]]
        changes += [TextChange(section, "added", None, b) for b in added[paired:]]
    return changes


def compare_text(before: Document, after: Document) -> tuple[TextChange, ...]:
    old, new = dict(sections(before)), sections(after)
    changes: list[TextChange] = []
    for title, texts in new:
        changes += _pieces(title, old.get(title, []), texts)
    for title, texts in old.items():
        if title not in dict(new):
            changes += [TextChange(title, "removed", t, None) for t in texts]
    return tuple(changes)


def compare(
    before: Document,
    after: Document,
    before_figures: tuple[FigureLine, ...] | None = None,
    after_figures: tuple[FigureLine, ...] | None = None,
) -> EditionChanges:
    """What changed from `before` (the last signed edition) to `after`; figures stored with a
    signed edition are used in place of reading them from its document when given."""
    figures = compare_figures(
        before_figures if before_figures is not None else basket_figures(before),
        after_figures if after_figures is not None else basket_figures(after),
    )
    return EditionChanges(figures, compare_text(before, after))
