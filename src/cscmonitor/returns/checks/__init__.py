"""Checks of every return format, registered as declared rules (see `rule`).

Importing this package registers the built-in rules, through the same `register` a
third party would call.
"""

from __future__ import annotations

from cscmonitor.returns.checks import cin_census, early_help, ssda903, virtual_school, workforce
from cscmonitor.returns.checks.rule import RULES, Rule, register, rules_for, run

__all__ = [
    "RULES",
    "Rule",
    "cin_census",
    "early_help",
    "register",
    "rules_for",
    "run",
    "ssda903",
    "virtual_school",
    "workforce",
]
