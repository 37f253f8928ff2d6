"""PDF: the HTML laid out on A4 pages by WeasyPrint, with page numbers in the page references."""

from __future__ import annotations

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import register
from cscmonitor.reports.render.paged import laid_out
from cscmonitor.reports.render.stamp import document_time, font_time, w3c


@register("pdf", ".pdf", "application/pdf")
def render_pdf(document: Document) -> bytes:
    layout = laid_out(document)
    when = document_time(document)
    if when is None:
        pdf: bytes = layout.write_pdf(pdf_tags=True)
        return pdf
    # A dated document: its dates and its fonts' timestamps are the document's, not the clock's.
    with font_time(when):
        layout.metadata.created = layout.metadata.modified = w3c(when)
        dated: bytes = layout.write_pdf(pdf_tags=True)
    return dated
