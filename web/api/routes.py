"""The REST API's routes: the statistics, and the OpenAPI document that describes them all."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from bot import metrics
from bot.staff import Permission
from web.api import bp
from web.api.auth import requires

OPENAPI = Path(__file__).with_name("openapi.yaml")


@cache
def openapi_document() -> dict[str, Any]:
    """Return the API's OpenAPI 3.1 document (read once: it ships with the code)."""
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def since_arg() -> datetime | None:
    """Read ``?since=YYYY-MM-DD`` as UTC midnight (None when absent)."""
    raw = request.args.get("since")
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest("since must be a day written YYYY-MM-DD") from None


@bp.get("/stats")
@requires(Permission.READ)
def stats() -> ResponseReturnValue:
    """Return NPS, CSAT and CES (since a day): what ``ecoute stats --format json`` prints."""
    from web import current_ecoute

    since = since_arg()
    with current_ecoute().db.transaction() as session:
        return jsonify(metrics.summary(session, since).to_dict())


@bp.get("/openapi.json")
@requires(Permission.READ)
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI document of this API."""
    return jsonify(openapi_document())
