"""The kinds of statutory return: a closed set for the built-in formats, open to a plug-in."""

from __future__ import annotations

from enum import StrEnum


class ReturnKind(StrEnum):
    """A return's kind; the value is what the warehouse's `returns.kind` column holds."""

    CIN_CENSUS = "cin"
    SSDA903 = "ssda903"
    WORKFORCE = "workforce"
    EARLY_HELP = "early_help"
    VIRTUAL_SCHOOL = "virtual_school"

    @classmethod
    def add(cls, value: str) -> ReturnKind:
        """The kind of a format registered from outside the package (a plug-in).

        It is a `ReturnKind` like the built-ins (`ReturnKind(value)` finds it), though not
        listed when iterating the enum: the registry of formats is the list of kinds.
        """
        if value in cls._value2member_map_:
            return cls(value)
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        cls._value2member_map_[value] = member
        return member

    @property
    def label(self) -> str:
        """The return's name as people write it (from its registered format)."""
        from cscmonitor.returns.catalog import FORMATS  # the registry imports the kinds

        return FORMATS[self].label
