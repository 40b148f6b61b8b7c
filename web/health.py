"""``GET /healthz``: the process answers and the database is reachable and migrated.

Outside, a failure is only ``{"status": "error"}`` with 503: the reason (which may
name hosts, users or schema revisions) goes to the server's log, once per failure
spell (again when the reason changes or after the store came back), with any
password in a URL masked.
"""

from __future__ import annotations

import logging
import re
import threading

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from storage.db import DatabaseError

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")
_lock = threading.Lock()


def redacted(reason: str) -> str:
    """Return ``reason`` with the password of any URL in it replaced by ``***``."""
    return _PASSWORD.sub(r"\g<head>***@", reason)


def _note(reason: str) -> None:
    """Log a failure's reason unless it is the one this app logged last (empty: healthy)."""
    from flask import current_app

    last = current_app.extensions.setdefault("health_last_reason", [""])
    with _lock:
        if reason == last[0]:
            return
        last[0] = reason
    if reason:
        log.error("health check failed: %s", redacted(reason))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer ``{"status": "ok"}`` after checking the database, or a bare 503."""
    from web import current_ecoute

    try:
        current_ecoute().db.check()
    except DatabaseError as error:
        _note(str(error))
        return jsonify(status="error"), 503
    _note("")
    return jsonify(status="ok")
