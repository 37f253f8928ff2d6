"""PDF: the HTML laid out on A4 pages by WeasyPrint, with page numbers in the page references."""

from __future__ import annotations

from cscmonitor.reports.document import Document
from cscmonitor.reports.render import register
from cscmonitor.reports.render.html import html_text
from cscmonitor.reports.render.stamp import document_time, font_time, w3c


@register("pdf", ".pdf", "application/pdf")
def render_pdf(document: Document) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF output needs.
    import weasyprint

    html = weasyprint.HTML(string=html_text(document, paged=True), base_url=None)
    # Tagged PDF: headings, tables and figures' alt text reach screen readers.
    when = document_time(document)
    if when is None:
        pdf: bytes = html.write_pdf(pdf_tags=True)
        return pdf
    # A dated document: its dates and its fonts' timestamps are the document's, not the clock's.
    with font_time(when):
        laid_out = html.render(pdf_tags=True)
        laid_out.metadata.created = laid_out.metadata.modified = w3c(when)
        dated: bytes = laid_out.write_pdf(pdf_tags=True)
    return dated
