"""The errors the records services raise: input that breaks a rule, and a record not held."""

from __future__ import annotations


class RecordsError(ValueError):
    """Input that breaks a rule of the records; the message says which and how to put it right."""


class NotFound(RecordsError):
    """The record asked for is not held (the web answers 404; every other `RecordsError` 400)."""
