"""Paging by key for the API's lists: ``?limit=`` and an opaque ``?cursor=``.

A list route fetches ``limit + 1`` rows ordered by a unique key, after the key
the cursor holds, and answers ``{"data": [...], "next_cursor": ...}``: the cursor
is the last row's key, encoded, or null on the last page. Paging by key stays as
fast on the millionth row as on the first, unlike an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from werkzeug.exceptions import BadRequest

T = TypeVar("T")
Key = tuple[str | int, ...]
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class PageRequest:
    """What a list request asks for: how many, and after which key (None: from the start)."""

    limit: int
    after: Key | None


def encode_cursor(key: Key) -> str:
    """Return the opaque cursor of a key."""
    raw = json.dumps(list(key), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> Key:
    """Return the key a cursor holds; a cursor not made here is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API gave") from None
    if not isinstance(key, list) or not all(isinstance(k, str | int) for k in key):
        raise BadRequest("cursor is not one this API gave")
    return tuple(key)


def page_request(args: Mapping[str, str]) -> PageRequest:
    """Read ``limit`` (1 to 200, default 50) and ``cursor`` from the query string."""
    raw = args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    cursor = args.get("cursor")
    return PageRequest(int(raw), decode_cursor(cursor) if cursor else None)


def page(rows: Sequence[T], request: PageRequest, key: Callable[[T], Key],
         render: Callable[[T], Any]) -> dict[str, Any]:
    """Return one page of ``rows`` (fetched as ``limit + 1``) with the next cursor."""
    shown = rows[:request.limit]
    more = len(rows) > request.limit
    return {"data": [render(row) for row in shown],
            "next_cursor": encode_cursor(key(shown[-1])) if more and shown else None}
