"""Limits for archives read from outside (ODS and XLSX workbooks, zips).

A few kilobytes of zip can expand to gigabytes. Before anything is expanded the archive's
directory is read and refused when its entries, or their expanded sizes, pass the limits.
The sizes are the archive's own declarations, and they bind: Python's `zipfile` never gives
more bytes than an entry declares (and fails its CRC check when the data is longer), so the
readers behind pandas cannot be made to expand more than was checked here.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 1_000
    max_expanded_bytes: int = 64 << 20


class ArchiveRefused(ValueError):
    """An archive over its limits, or no archive at all; the message names the file."""


def check_archive(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Refuse `path` before it is read if it is no zip or expands past `limits`."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveRefused(f"{path.name}: not a readable zip archive ({exc})") from None
    if len(entries) > limits.max_entries:
        raise ArchiveRefused(
            f"{path.name}: holds {len(entries):,} files; at most {limits.max_entries:,} are read"
        )
    expanded = sum(entry.file_size for entry in entries)
    if expanded > limits.max_expanded_bytes:
        raise ArchiveRefused(
            f"{path.name}: expands to {expanded / 2**20:,.0f} MB; at most "
            f"{limits.max_expanded_bytes / 2**20:,.0f} MB are read (is it a zip bomb?)"
        )
