"""People's simple Markdown as document blocks, and as HTML and DOCX show it, hostile input too."""

from __future__ import annotations

import io

from docx import Document as read_docx

from cscmonitor.reports.document import Block, Bullets, Document, Item, Paragraph, Run
from cscmonitor.reports.markdown import blocks, safe_href
from cscmonitor.reports.render import render


def _document(*parts: Block) -> Document:
    return Document(title="Words", marking="Internal", blocks=parts)


def test_paragraphs_lists_emphasis_strong_and_links() -> None:
    text = (
        "Services in Doncaster are *improving*.\n"
        "See **the report** at [Ofsted](https://reports.ofsted.gov.uk/x?a=1&b=2).\n"
        "\n"
        "- re-referrals down\n"
        "- repeat plans *down*\n"
        "\n"
        "1. transfer the CWD service\n"
        "2. write to [Jo](mailto:jo.miller@doncaster.gov.uk)\n"
    )
    found = blocks(text)
    assert found == (
        Paragraph(
            # The line break inside the paragraph is a space, as Markdown reads it.
            "Services in Doncaster are improving. See the report at Ofsted.",
            runs=(
                Run("Services in Doncaster are "),
                Run("improving", emphasis=True),
                Run(". See "),
                Run("the report", strong=True),
                Run(" at "),
                Run("Ofsted", href="https://reports.ofsted.gov.uk/x?a=1&b=2"),
                Run("."),
            ),
        ),
        Bullets(
            (
                Item("re-referrals down", runs=(Run("re-referrals down"),)),
                Item("repeat plans down", runs=(Run("repeat plans "), Run("down", emphasis=True))),
            )
        ),
        Bullets(
            (
                Item("transfer the CWD service", runs=(Run("transfer the CWD service"),)),
                Item(
                    "write to Jo",
                    runs=(Run("write to "), Run("Jo", href="mailto:jo.miller@doncaster.gov.uk")),
                ),
            ),
            ordered=True,
        ),
    )


def test_a_list_inside_a_list_joins_the_outer_one() -> None:
    (found,) = blocks("- one\n  - one a\n- two\n")
    assert isinstance(found, Bullets)
    assert [i.text for i in found.items] == ["one", "one a", "two"]


def test_only_http_https_and_mailto_links_are_kept() -> None:
    assert safe_href("https://gov.uk") == "https://gov.uk"
    assert safe_href("mailto:a@b.org") == "mailto:a@b.org"
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/admin"):
        assert safe_href(hostile) is None, hostile
    assert safe_href("https:///no-host") is None
    # markdown-it itself refuses javascript: (the link stays text as typed); a relative link
    # it allows keeps only its words here.
    (para,) = blocks("[click](javascript:alert(1)) and [here](/admin) and [ftp](ftp://x.org/f)")
    assert isinstance(para, Paragraph)
    assert all(r.href is None for r in para.runs)
    assert para.text == "[click](javascript:alert(1)) and here and ftp"


def test_raw_html_never_passes_through() -> None:
    hostile = (
        '<script>alert("x")</script>\n\n'
        '<img src=x onerror="alert(1)"> *and* [x](javascript:alert(1))\n\n'
        '[y](https://ok.org/"onmouseover="alert(1))'
    )
    html = render(_document(*blocks(hostile)), "html").decode()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert 'href="javascript:' not in html
    # A quote in a kept link is escaped (percent-encoded by the parser): no new attribute.
    assert '"onmouseover=' not in html
    assert "<em>and</em>" in html


def test_html_shows_emphasis_strong_and_links() -> None:
    html = render(_document(*blocks("*a* **b** [c](https://c.org)")), "html").decode()
    assert '<em>a</em> <strong>b</strong> <a class="words-link" href="https://c.org">c</a>' in html


def test_docx_shows_emphasis_strong_and_real_hyperlinks() -> None:
    document = _document(*blocks("*a* **b** [c](https://c.org)\n\n- *d*"))
    word = read_docx(io.BytesIO(render(document, "docx")))
    paragraph = next(p for p in word.paragraphs if p.text.startswith("a b"))
    looks = [(r.text, bool(r.italic), bool(r.bold)) for r in paragraph.runs]
    assert looks[:3] == [("a", True, False), (" ", False, False), ("b", False, True)]
    # python-docx's runs leave out hyperlinks; the link's text and target are in the XML.
    (link,) = paragraph._p.xpath("./w:hyperlink")
    target = word.part.rels[
        link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    ].target_ref
    assert (link.xpath("string(.)"), target) == ("c", "https://c.org")
    item = next(p for p in word.paragraphs if p.text == "d")
    assert item.style.name == "List Bullet" and item.runs[0].italic


def test_paragraphs_without_runs_render_as_before() -> None:
    html = render(_document(Paragraph("plain <b>text</b>")), "html").decode()
    assert '<p class="body">plain &lt;b&gt;text&lt;/b&gt;</p>' in html


def test_pdf_keeps_the_words_and_the_link() -> None:
    from pypdf import PdfReader

    document = _document(*blocks("Read **the plan** at [Doncaster](https://doncaster.gov.uk)."))
    pdf = PdfReader(io.BytesIO(render(document, "pdf")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Read the plan at Doncaster." in " ".join(text.split())
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in pdf.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    assert "https://doncaster.gov.uk" in links
