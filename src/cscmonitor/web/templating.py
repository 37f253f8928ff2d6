"""Jinja2 pages with the GOV.UK Frontend macros (govuk-frontend-jinja, through a PrefixLoader)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from cscmonitor.web import security
from cscmonitor.web.deps import Visit, WebApp
from cscmonitor.web.performance import SingleFlight
from cscmonitor.web.permissions import Permission
from cscmonitor.web.tables import govuk_table

SERVICE_NAME = "Service Delivery Contract"
# Rendered content kept (`render_once`): a basket's dashboard groupings, indicator and framework
# pages' figures and pages of explain, for a few baskets (contract years, as-at dates,
# governance versions, parties) at once.
FIGURES_ENTRIES = 512

# Navigation: (path, text, permission); an item shows only to roles that hold its permission.
NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    ("/", "Dashboard", Permission.VIEW_PERFORMANCE),
    ("/indicators", "Indicators", Permission.VIEW_PERFORMANCE),
    ("/framework", "National Framework", Permission.VIEW_PERFORMANCE),
    ("/data", "Data", Permission.VIEW_DATA),
    ("/inspections", "Inspections", Permission.VIEW_GOVERNANCE),
    ("/finance", "Finance", Permission.VIEW_GOVERNANCE),
    ("/forecast", "Forecast", Permission.VIEW_GOVERNANCE),
    ("/change-requests", "Change requests", Permission.VIEW_GOVERNANCE),
    ("/reports", "Reports", Permission.EXPORT_REPORTS),
    ("/narrative", "Narrative", Permission.VIEW_GOVERNANCE),
    ("/users", "Users", Permission.MANAGE_USERS),
    ("/audit", "Audit log", Permission.VIEW_AUDIT),
)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("cscmonitor.web", "templates"),
                jinja2.PrefixLoader(
                    {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
                ),
            ]
        ),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates are the installed package's: not checked for changes on every use
        # (each page and macro import would stat its file, about 20 a request).
        auto_reload=False,
    )
    env.globals["SERVICE_NAME"] = SERVICE_NAME
    env.globals["P"] = Permission
    env.globals["error_list"] = error_list
    env.globals["field_error"] = field_error
    env.globals["link"] = link
    # The table component in Python (web/tables.py): the same markup at a tenth of the cost.
    env.globals["govukTable"] = govuk_table
    env.filters["year_items"] = year_items
    env.filters["period_items"] = period_items
    return env


# The pages' figures as markup, by what they are rendered from: the same for every user.
_FIGURES = SingleFlight(FIGURES_ENTRIES)


def render_once(
    template: str, key: tuple[Hashable, ...], context: Callable[[], dict[str, Any]]
) -> Markup:
    """`template` rendered once per `key` and shown as it is to everyone who asks.

    `key` must hold everything the markup is made from: a `BasketYear.key` (the records'
    governance version, the snapshot's id and contents, the imported benchmark releases, the
    party, the year and as-at date) and what the page asked for. `context` is called only to
    render, so the figure model behind it is read only then. The template sees no visitor (no
    `user`, `may` or CSRF token): what differs by user is rendered around it, or is in `key`.
    """
    return _FIGURES.get(
        (template, *key),
        lambda: Markup(environment().get_template(template).render(**context())),
    )


def link(href: str, text: object, *, hidden: str = "", download: bool = False) -> Markup:
    """A GOV.UK link as markup for a component's `html`, with its text escaped."""
    extra = f'<span class="govuk-visually-hidden"> {escape(hidden)}</span>' if hidden else ""
    attribute = " download" if download else ""
    return Markup(
        f'<a class="govuk-link" href="{escape(href)}"{attribute}>{escape(str(text))}{extra}</a>'
    )


def error_list(errors: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The error summary's list: each message linked to its field."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors]


def year_items(years: list[str], selected: int | None) -> list[dict[str, object]]:
    """Contract years as select options, newest first."""
    return [
        {"value": y, "text": f"Year {y}", "selected": str(selected) == y} for y in reversed(years)
    ]


def period_items(periods: list[tuple[str, str]], selected: object) -> list[dict[str, object]]:
    """(value, label) pairs as select options."""
    return [
        {"value": value, "text": text, "selected": str(selected) == value}
        for value, text in periods
    ]


def field_error(errors: list[tuple[str, str]], field: str) -> dict[str, str] | None:
    """A field's error message for its component, or None."""
    for name, message in errors:
        if name == field:
            return {"text": message}
    return None


def csrf_token(app: WebApp, visit: Visit) -> str:
    return security.csrf_token(app.accounts.secret, visit.csrf_seed) if visit.csrf_seed else ""


def render(
    request: Request,
    app: WebApp,
    visit: Visit,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: the template with the visitor, the navigation they may use and a CSRF token."""
    user = visit.user
    path = request.url.path
    navigation = [
        {
            "href": href,
            "text": text,
            "active": path == href or (href != "/" and path.startswith(href)),
        }
        for href, text, permission in NAVIGATION
        if user is not None and user.may(permission)
    ]
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=user,
            navigation=navigation,
            csrf_token=csrf_token(app, visit),
            flash=visit.flash,
            may=(lambda permission: user is not None and user.may(permission)),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
