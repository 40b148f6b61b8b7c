"""``GET /healthz``: the process answers and the database is reachable and migrated."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from storage.db import DatabaseError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer ``{"status": "ok"}`` after checking the database, or 503 with the reason."""
    from web import current_ecoute

    try:
        current_ecoute().db.check()
    except DatabaseError as error:
        return jsonify(status="error", error=str(error)), 503
    return jsonify(status="ok")
