"""The validation reference page is generated from the rules and code lists, and is current."""

from pathlib import Path

from cscmonitor.returns.catalog import problem_codes
from cscmonitor.returns.checks.reference import validation_markdown


def test_validation_page_is_current():
    page = Path(__file__).parents[2] / "docs" / "validation.md"
    assert page.read_text() == validation_markdown(), (
        "docs/validation.md is stale: run "
        "`python -m cscmonitor.returns.checks.reference > docs/validation.md`"
    )


def test_every_problem_code_is_on_the_page():
    """Reading problems (FILE_UNREADABLE, XML_REPEATED...) and rules: one catalogue, one page."""
    page = validation_markdown()
    codes = problem_codes()
    assert {"FILE_UNREADABLE", "XML_REPEATED", "CLA_DEC_BEFORE_DECOM"} <= set(codes)
    assert [code for code in codes if f"| `{code}` |" not in page] == []
