"""Checks of every return format, as declared rules (see `rule`).

Each format's module in `returns/` names its rules; registering the format (the built-in
ones in `returns.catalog`) registers them through the same `register` a third party calls.
"""

from __future__ import annotations

from typing import Any

from cscmonitor.returns.checks.rule import Rule, register, rules_for, run

__all__ = ["RULES", "Rule", "register", "rules_for", "run"]


def __getattr__(name: str) -> Any:
    # The rules are complete once the registry has registered the built-in formats; it is
    # imported here, on first use, because the formats' modules import their rules from here.
    if name == "RULES":
        from cscmonitor.returns import catalog
        from cscmonitor.returns.checks import rule

        assert catalog.FORMATS
        return rule.RULES
    raise AttributeError(name)
