"""DOCX: an editable Word document with real headings, lists and tables, charts as pictures
with alt text, the marking in every page's header, and page references as PAGEREF fields.

Each PAGEREF field's shown result is the page its bookmark is on in the document's paged
layout (`render.paged`, the PDF's), written when the file is made: the document opens with
real numbers, never "?", and without asking to update its fields. Word recomputes them for
its own pagination when the reader updates fields (F9)."""

from __future__ import annotations

import io
import re
from itertools import count
from typing import TYPE_CHECKING, Any

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from cscmonitor.reports.document import (
    Anchor,
    Bullets,
    Document,
    Facts,
    Figure,
    Heading,
    PageRef,
    Paragraph,
    Run,
    Table,
)
from cscmonitor.reports.render import register
from cscmonitor.reports.render.paged import anchor_pages
from cscmonitor.reports.render.stamp import document_time, restamp

if TYPE_CHECKING:
    from cscmonitor.wording import Tone

SHADES: dict[Tone, str] = {"green": "CCE2D8", "amber": "FCD6C3", "red": "F4CDC6", "grey": "E5E6E7"}
GREY = RGBColor(0x48, 0x49, 0x49)
LINK = "1D70B8"


def bookmark_name(anchor: str) -> str:
    """Word bookmarks are letters, digits and underscores, at most 40 characters."""
    return ("_" + re.sub(r"[^A-Za-z0-9]", "_", anchor))[:40]


class _Writer:
    def __init__(self, document: Document) -> None:
        self.source = document
        self.doc: Any = new_docx()
        self.ids = count(1)
        refs = any(
            getattr(b, "refs", ()) or any(i.refs for i in getattr(b, "items", ()))
            for b in document.blocks
        )
        # Laid out only when there is a page to refer to.
        self.pages = anchor_pages(document) if refs else {}

    def _bookmark(self, paragraph: DocxParagraph, anchor: str) -> None:
        number = str(next(self.ids))
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), number)
        start.set(qn("w:name"), bookmark_name(anchor))
        end.set(qn("w:id"), number)
        paragraph._p.insert(0, start)
        paragraph._p.append(end)

    @staticmethod
    def _field(paragraph: DocxParagraph, instruction: str, shown: str) -> None:
        def char(kind: str) -> None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            paragraph.add_run()._r.append(element)

        char("begin")
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = f" {instruction} "
        paragraph.add_run()._r.append(text)
        char("separate")
        paragraph.add_run(shown)
        char("end")

    def _refs(self, paragraph: DocxParagraph, refs: tuple[PageRef, ...]) -> None:
        if not refs:
            return
        paragraph.add_run(" (")
        for i, ref in enumerate(refs):
            if i:
                paragraph.add_run("; ")
            paragraph.add_run(f"{ref.label}, {'pp.' if ref.end else 'p.'} ")
            self._pageref(paragraph, ref.start)
            if ref.end:
                paragraph.add_run("–")
                self._pageref(paragraph, ref.end)
        paragraph.add_run(")")

    @staticmethod
    def _runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
        """People's words with their looks; a link is a real hyperlink to its target."""
        for run in runs:
            if run.href is None:
                added = paragraph.add_run(run.text)
                added.italic = run.emphasis or None
                added.bold = run.strong or None
                continue
            link = OxmlElement("w:hyperlink")
            link.set(
                qn("r:id"),
                paragraph.part.relate_to(run.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True),
            )
            element = OxmlElement("w:r")
            looks = OxmlElement("w:rPr")
            for tag, value in (("w:color", LINK), ("w:u", "single")):
                look = OxmlElement(tag)
                look.set(qn("w:val"), value)
                looks.append(look)
            for tag, wanted in (("w:b", run.strong), ("w:i", run.emphasis)):
                if wanted:
                    looks.append(OxmlElement(tag))
            element.append(looks)
            text = OxmlElement("w:t")
            text.set(qn("xml:space"), "preserve")
            text.text = run.text
            element.append(text)
            link.append(element)
            paragraph._p.append(link)

    def _pageref(self, paragraph: DocxParagraph, anchor: str) -> None:
        if anchor not in self.pages:
            raise ValueError(f"a page reference to {anchor!r}, which the layout does not hold")
        self._field(paragraph, f"PAGEREF {bookmark_name(anchor)} \\h", str(self.pages[anchor]))

    def heading(self, block: Heading) -> None:
        paragraph = self.doc.add_heading(block.text, level=min(block.level, 9))
        if block.new_page:
            paragraph.paragraph_format.page_break_before = True
        if block.anchor:
            self._bookmark(paragraph, block.anchor)

    def paragraph(self, block: Paragraph) -> None:
        paragraph = self.doc.add_paragraph()
        if block.runs:
            self._runs(paragraph, block.runs)
            self._refs(paragraph, block.refs)
            return
        run = paragraph.add_run(block.text)
        match block.style:
            case "lead" | "signature":
                run.bold = True
            case "note":
                run.font.color.rgb = GREY
                run.font.size = Pt(9)
            case "quote":
                paragraph.style = self.doc.styles["Quote"]
            case "body":
                pass
        self._refs(paragraph, block.refs)

    def bullets(self, block: Bullets) -> None:
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            paragraph = self.doc.add_paragraph("" if item.runs else item.text, style=style)
            self._runs(paragraph, item.runs)
            self._refs(paragraph, item.refs)

    def facts(self, block: Facts) -> None:
        for term, value in block.pairs:
            paragraph = self.doc.add_paragraph()
            paragraph.add_run(f"{term}: ").bold = True
            paragraph.add_run(value)
            paragraph.paragraph_format.space_after = Pt(0)
        self.doc.add_paragraph()

    def table(self, block: Table) -> None:
        self.doc.add_paragraph(block.caption, style="Caption")
        table = self.doc.add_table(rows=1 + len(block.rows), cols=len(block.columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        header = table.rows[0]
        # The header row repeats on every page the table runs onto.
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(flag)
        for cell, name in zip(header.cells, block.columns, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(name)
            run.bold = True
            run.font.size = Pt(8)
        for row, cells in zip(table.rows[1:], block.rows, strict=True):
            for i, (cell, value) in enumerate(zip(row.cells, cells, strict=True)):
                run = cell.paragraphs[0].add_run(value.text)
                run.font.size = Pt(8)
                run.bold = i == 0 and block.row_headers
                if value.tone in SHADES:
                    shade = OxmlElement("w:shd")
                    shade.set(qn("w:val"), "clear")
                    shade.set(qn("w:fill"), SHADES[value.tone])
                    cell._tc.get_or_add_tcPr().append(shade)
        for note in block.notes:
            paragraph = self.doc.add_paragraph()
            run = paragraph.add_run(note)
            run.font.size = Pt(8)
            run.font.color.rgb = GREY

    def figure(self, block: Figure) -> None:
        self.doc.add_picture(io.BytesIO(block.png), width=Mm(min(block.width_mm, 165)))
        picture = self.doc.paragraphs[-1]
        # The alt text, where Word keeps it: the drawing's docPr description.
        for properties in picture._p.iter(qn("wp:docPr")):
            properties.set("descr", block.alt)
            properties.set("title", block.caption)
        self.doc.add_paragraph(
            f"{block.caption} (the table below gives the figures)", style="Caption"
        )

    def anchor(self, block: Anchor) -> None:
        self._bookmark(self.doc.add_paragraph(), block.name)

    def write(self) -> bytes:
        doc, source = self.doc, self.source
        doc.core_properties.title = source.title
        doc.core_properties.author = source.author
        doc.core_properties.subject = source.subject
        doc.core_properties.language = source.lang
        doc.core_properties.comments = source.marking
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.header.paragraphs[0].text = source.marking
        footer = section.footer.paragraphs[0]
        footer.add_run(f"{source.marking} — page ")
        self._field(footer, "PAGE", "1")
        for block in source.blocks:
            match block:
                case Heading():
                    self.heading(block)
                case Paragraph():
                    self.paragraph(block)
                case Bullets():
                    self.bullets(block)
                case Facts():
                    self.facts(block)
                case Table():
                    self.table(block)
                case Figure():
                    self.figure(block)
                case Anchor():
                    self.anchor(block)
        when = document_time(source)
        if when is not None:
            doc.core_properties.created = doc.core_properties.modified = when
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue() if when is None else restamp(out.getvalue(), when)


@register(
    "docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
def render_docx(document: Document) -> bytes:
    return _Writer(document).write()
