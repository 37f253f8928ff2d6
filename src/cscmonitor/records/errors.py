"""The one error the records services raise for input that breaks a rule."""

from __future__ import annotations


class RecordsError(ValueError):
    """Input that breaks a rule of the records; the message says which and how to put it right."""
