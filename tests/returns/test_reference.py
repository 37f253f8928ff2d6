"""The validation reference page is generated from the rules and code lists, and is current."""

from pathlib import Path

from cscmonitor.returns.checks import RULES
from cscmonitor.returns.checks.reference import validation_markdown


def test_validation_page_is_current():
    page = Path(__file__).parents[2] / "docs" / "validation.md"
    assert page.read_text() == validation_markdown(), (
        "docs/validation.md is stale: run "
        "`python -m cscmonitor.returns.checks.reference > docs/validation.md`"
    )


def test_every_rule_is_on_the_page():
    page = validation_markdown()
    assert all(f"`{code}`" in page for code in RULES)
