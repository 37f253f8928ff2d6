"""The time a rendered file says it was made, taken from the document, so the same document
renders to the same bytes (a signed edition is rendered again to check its hashes).

A dated document (its `meta` date, `("date", "2016-01-29")`, else its `date`) gives that day,
midnight UTC, to every time a format records: DOCX and XLSX core properties and zip entries,
the PDF's creation and modification dates and its embedded fonts' own timestamps. A document
without a date is stamped by the clock, as any file is.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from cscmonitor.reports.document import Document

DATE = "date"
_CORE = "docProps/core.xml"
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
# fontTools stamps each font subset it writes with the time unless this says otherwise; the
# variable is the process's, so PDF renders that set it take turns.
_EPOCH = "SOURCE_DATE_EPOCH"
_epoch_lock = threading.Lock()


def document_time(document: Document) -> dt.datetime | None:
    """The document's date as a naive UTC time (midnight of a date), or None when undated."""
    text = dict(document.meta).get(DATE)
    if not text:
        return None if document.date is None else dt.datetime.combine(document.date, dt.time())
    if len(text) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    moment = dt.datetime.fromisoformat(text)
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def w3c(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def restamp(package: bytes, when: dt.datetime) -> bytes:
    """A zip package (DOCX, XLSX) with every entry dated `when`, in the same order, and its
    core properties' created and modified times set to `when`."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == _CORE:
                data = _CORE_TIME.sub(rb"\g<1>" + w3c(when).encode() + rb"\g<3>", data)
            stamped = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            stamped.compress_type = entry.compress_type
            stamped.external_attr = entry.external_attr
            target.writestr(stamped, data)
    return out.getvalue()


@contextmanager
def font_time(when: dt.datetime) -> Iterator[None]:
    """Font subsets written meanwhile carry `when` as their modification time."""
    seconds = int(when.replace(tzinfo=dt.UTC).timestamp())
    with _epoch_lock:
        before = os.environ.get(_EPOCH)
        os.environ[_EPOCH] = str(seconds)
        try:
            yield
        finally:
            if before is None:
                del os.environ[_EPOCH]
            else:
                os.environ[_EPOCH] = before
