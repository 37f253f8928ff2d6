"""Every warehouse table, from every return format: a new format adds its tables here."""

from __future__ import annotations

from cscmonitor.returns import cin_census, early_help, ssda903, virtual_school, workforce
from cscmonitor.returns.schema import TableSpec

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        *cin_census.TABLES,
        *ssda903.TABLES,
        *workforce.TABLES,
        *early_help.TABLES,
        *virtual_school.TABLES,
    )
}
