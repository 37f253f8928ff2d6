"""The change view between two editions and the document's JSON, on documents made by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cscmonitor.reports.document import (
    Anchor,
    Bullets,
    Cell,
    Document,
    Facts,
    Figure,
    Heading,
    Item,
    PageRef,
    Paragraph,
    Run,
    Table,
)
from cscmonitor.reports.document_json import TYPES, from_json, to_json
from cscmonitor.reports.edition_diff import (
    FigureLine,
    basket_figures,
    compare,
    figures_from_json,
    figures_json,
)

COLUMNS = ("Indicator", "Contract year 1", "Target", "RAG", "Direction of travel since baseline")


def _basket(*rows: tuple[str, str, str, str]) -> Table:
    return Table(
        key="basket",
        caption="The basket in contract year 1",
        columns=COLUMNS,
        rows=tuple(
            (Cell(name), Cell(value, 1.0), Cell("25%"), Cell(rag, tone="green"), Cell(travel))
            for name, value, rag, travel in rows
        ),
    )


def _document(basket: Table, *blocks) -> Document:
    return Document(title="Annual review", marking="Internal", blocks=(basket, *blocks))


SIGNED = _document(
    _basket(
        ("Re-referrals within 12 months (REREF_12M)", "23.0%", "Green", "Improved"),
        ("Repeat child protection plans (CPP_REPEAT)", "13.0%", "Amber", "No change"),
    ),
    Heading(2, "Summary"),
    Paragraph("Services for children and young people in Doncaster are improving."),
    Paragraph("Re-referrals fell from 38% to 23%."),
    Heading(2, "Finance"),
    Paragraph("A surplus of £49k after the risk share."),
    Heading(2, "Edition and sign-off"),
    Facts((("Edition", "1, signed"),)),
)
LATER = _document(
    _basket(
        ("Re-referrals within 12 months (REREF_12M)", "27.0%", "Red", "Declined"),
        ("Repeat child protection plans (CPP_REPEAT)", "13.0%", "Amber", "No change"),
    ),
    Heading(2, "Summary"),
    Paragraph("Services for children and young people in Doncaster are improving."),
    Paragraph("Re-referrals rose from 23% to 27%."),
    Bullets((Item("The joint commissioning plan starts in year 2."),)),
    Heading(2, "Edition and sign-off"),
    Facts((("Edition", "2, draft: not signed"),)),
)


def test_figures_are_read_from_the_basket_table() -> None:
    assert basket_figures(SIGNED) == (
        FigureLine(
            "The basket in contract year 1",
            "REREF_12M",
            "Re-referrals within 12 months",
            "23.0%",
            "Green",
            "Improved",
        ),
        FigureLine(
            "The basket in contract year 1",
            "CPP_REPEAT",
            "Repeat child protection plans",
            "13.0%",
            "Amber",
            "No change",
        ),
    )
    assert figures_from_json(figures_json(basket_figures(SIGNED))) == basket_figures(SIGNED)


def test_a_changed_figure_and_changed_text_side_by_side() -> None:
    changes = compare(SIGNED, LATER)
    # Figures: re-referrals moved (value, RAG and travel); repeat plans did not.
    assert [(f.line.code, f.status) for f in changes.figures] == [
        ("REREF_12M", "changed"),
        ("CPP_REPEAT", "unchanged"),
    ]
    moved = changes.figures[0]
    assert (moved.before.value, moved.before.rag) == ("23.0%", "Green")
    assert (moved.after.value, moved.after.rag, moved.after.travel) == ("27.0%", "Red", "Declined")
    # Text: the first summary sentence stays; the second is rewritten; a bullet is added; the
    # finance section is gone; the edition's own section is not compared.
    assert [(t.section, t.status, t.before, t.after) for t in changes.text] == [
        (
            "Summary",
            "unchanged",
            "Services for children and young people in Doncaster are improving.",
            "Services for children and young people in Doncaster are improving.",
        ),
        (
            "Summary",
            "changed",
            "Re-referrals fell from 38% to 23%.",
            "Re-referrals rose from 23% to 27%.",
        ),
        ("Summary", "added", None, "The joint commissioning plan starts in year 2."),
        ("Finance", "removed", "A surplus of £49k after the risk share.", None),
    ]
    # 1 figure + 1 paragraph changed; 1 added, 1 removed; 1 figure + 1 paragraph unchanged.
    assert [changes.count(s) for s in ("changed", "added", "removed", "unchanged")] == [2, 1, 1, 2]


def test_an_indicator_added_to_the_basket_is_added() -> None:
    more = dataclasses.replace(
        LATER,
        blocks=(
            _basket(
                ("Re-referrals within 12 months (REREF_12M)", "27.0%", "Red", "Declined"),
                ("Repeat child protection plans (CPP_REPEAT)", "13.0%", "Amber", "No change"),
                ("Three or more placements (PLACE_STAB)", "7.0%", "Green", "Improved"),
            ),
        ),
    )
    assert [(f.line.code, f.status) for f in compare(SIGNED, more).figures][-1] == (
        "PLACE_STAB",
        "added",
    )


EVERY_BLOCK = Document(
    title="Every block",
    marking="For publication",
    subject="s",
    author="a",
    filename="every",
    meta=(("date", "2016-01-29"), ("edition", "1")),
    date=dt.date(2016, 1, 29),
    blocks=(
        Heading(1, "Title", anchor="top", new_page=True),
        Paragraph("Text", (PageRef("a", "a-end", "Appendix A"), PageRef("b", label="B")), "quote"),
        Paragraph(
            "Improving, see the plan",
            runs=(
                Run("Improving", strong=True),
                Run(", see "),
                Run("the plan", href="https://x.example/"),
            ),
            summary=True,
        ),
        Bullets((Item("one", (PageRef("c", label="C"),)), Item("two")), ordered=True),
        Facts((("Date", "29 January 2016"),)),
        Table(
            "t",
            "Caption",
            ("A", "B"),
            ((Cell("x"), Cell("1.5%", 1.5, "0.0%", "red")),),
            row_headers=False,
            notes=("n",),
            summary=True,
            charted=("B",),
        ),
        Figure(bytes(range(256)), "alt", "caption", 120.5),
        Anchor("end"),
    ),
)


def test_every_block_of_a_document_reads_back_the_same() -> None:
    # Every dataclass the document module defines is one of these blocks or their parts.
    assert set(TYPES) == {
        "Cell",
        "PageRef",
        "Heading",
        "Paragraph",
        "Item",
        "Run",
        "Bullets",
        "Facts",
        "Table",
        "Figure",
        "Anchor",
        "Document",
    }
    text = to_json(EVERY_BLOCK)
    assert from_json(text) == EVERY_BLOCK
    assert to_json(from_json(text)) == text
    assert '"__base64__": "AAECAwQF' in text  # the PNG's bytes, as base64
    assert '"__date__": "2016-01-29"' in text  # the document's date, as ISO text


def test_json_that_is_not_a_document_is_refused() -> None:
    with pytest.raises(ValueError, match="no report document"):
        from_json(to_json(EVERY_BLOCK).replace('"__type__": "Document"', '"__type__": "Anchor"'))
    with pytest.raises(ValueError, match="no report document"):
        from_json('{"__type__": "Anchor", "name": "end"}')
    with pytest.raises(ValueError, match="no report document"):
        from_json('{"__type__": "os.system", "command": "true"}')
