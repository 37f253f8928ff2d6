"""The table component in Python (web/tables.py) gives the markup govuk-frontend-jinja's
`govukTable` macro gives, for every parameter the pages use."""

from __future__ import annotations

import re
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from cscmonitor.web.tables import govuk_table


def _macro(params: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.PrefixLoader(
            {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
        ),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.from_string(
        '{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}'
        "{{ govukTable(params) }}"
    )
    return template.render(params=params)


def _tags(html: str) -> str:
    """The markup with the whitespace between and inside tags made one form."""
    html = re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html.strip()))
    return re.sub(r"\s+", " ", html)


CASES = [
    {"rows": []},
    {
        "caption": "Contract year 2 <2015-16>",
        "captionClasses": "govuk-table__caption--s",
        "classes": "govuk-body-s",
        "head": [{"text": "Year"}, {"text": "Value", "format": "numeric", "classes": "x"}],
        "rows": [
            [{"text": "2015 & after"}, {"text": 12.5, "format": "numeric"}],
            [],
            [{"html": Markup('<a href="/x">x</a>')}, {"text": None}],
            [{"text": "wide", "colspan": 2}],
            [{}, {"text": 0, "rowspan": 1, "classes": "govuk-body-s"}],
        ],
    },
    {
        "firstCellIsHeader": True,
        "head": [{"html": Markup("<b>a</b>")}, {"text": "b"}],
        "rows": [[{"text": "row", "format": "numeric", "classes": "c"}, {"text": "v"}]],
    },
]


@pytest.mark.parametrize("params", CASES)
def test_the_python_table_is_the_macros_markup(params):
    assert _tags(govuk_table(params)) == _tags(_macro(params))


def test_attributes_are_refused_not_dropped():
    with pytest.raises(ValueError, match="attributes"):
        govuk_table({"attributes": {"id": "t"}, "rows": []})
    with pytest.raises(ValueError, match="attributes"):
        govuk_table({"rows": [[{"text": "a", "attributes": {"id": "c"}}]]})
