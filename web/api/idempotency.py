"""The ``Idempotency-Key`` header of the API's creating POSTs: read, checked, named per token.

Usage::

    try:
        named = idempotency.requested()   # None when the caller sent no key
    except idempotency.MalformedKey:
        return idempotency.refused()      # 400 {"error": "bad_request", …}

The same key from the same token names one request for good: the core is handed
a digest of both (:func:`bot.invitations.idempotency`, the key itself is never
stored) and answers a repeat with what the first request made.
"""

from __future__ import annotations

import re

from flask import request
from flask.typing import ResponseReturnValue

from bot.invitations import idempotency
from web.api.auth import caller
from web.api.errors import api_error

HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class MalformedKey(ValueError):
    """The ``Idempotency-Key`` sent is not 1 to 255 visible ASCII characters."""


def requested() -> str | None:
    """Return the digest naming this request by its token and key, or None without a key."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise MalformedKey(HEADER)
    return idempotency(f"token:{caller().id}", key)


def refused() -> ResponseReturnValue:
    """Answer a malformed key."""
    return api_error(400, "bad_request", f"{HEADER} must be 1 to 255 visible ASCII characters.")
