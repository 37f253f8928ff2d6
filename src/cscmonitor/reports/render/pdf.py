"""PDF: the HTML laid out on A4 pages by WeasyPrint, with page numbers in the page references."""

from __future__ import annotations

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import register
from cscmonitor.reports.render.paged import laid_out


@register("pdf", ".pdf", "application/pdf")
def render_pdf(document: Document) -> bytes:
    pdf: bytes = laid_out(document).write_pdf(pdf_tags=True)
    return pdf
