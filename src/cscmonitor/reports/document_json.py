"""A `Document` as JSON and back, exactly: what a signed edition stores to render again.

Every dataclass of `reports.document` is written as an object naming its type, tuples as
lists, bytes (the charts' PNGs) as base64 and dates as ISO text; reading gives back an equal
document. It works from the dataclasses' own fields, so a field or block added to the
document needs nothing here.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from typing import Any

from cscmonitor.reports import document as model
from cscmonitor.reports.document import Document

TYPE, BYTES, DATE = "__type__", "__base64__", "__date__"
# The document's own dataclasses, by name: nothing else is read back.
TYPES: dict[str, type] = {
    name: value
    for name, value in vars(model).items()
    if isinstance(value, type)
    and dataclasses.is_dataclass(value)
    and value.__module__ == model.__name__
}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if TYPES.get(name) is not type(value):
            raise TypeError(f"{name} is not a document dataclass")
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TYPE: name, **fields}
    if isinstance(value, bytes):
        return {BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {DATE: value.isoformat()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a document holds no {type(value).__name__}")


def _typed(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_typed(v) for v in value)
    if isinstance(value, dict):
        if BYTES in value:
            return base64.b64decode(value[BYTES])
        if DATE in value:
            return dt.date.fromisoformat(value[DATE])
        kind = TYPES[value[TYPE]]
        return kind(**{k: _typed(v) for k, v in value.items() if k != TYPE})
    return value


def to_json(document: Document) -> str:
    """The document as JSON text (keys sorted, so the same document gives the same text)."""
    return json.dumps(_plain(document), sort_keys=True, ensure_ascii=False, indent=1)


def from_json(text: str) -> Document:
    """The document `to_json` wrote."""
    try:
        found = _typed(json.loads(text))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"the JSON holds no report document ({exc})") from None
    if not isinstance(found, Document):
        raise ValueError("the JSON holds no report document")
    return found
