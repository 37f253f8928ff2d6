"""Errors every layer may raise and every entry point knows, without importing their layers."""

from __future__ import annotations


class OneLine(RuntimeError):
    """An error whose message is all a person needs (a locked database, a damaged table):
    the command line prints it as one line and exits 2, never a traceback."""
