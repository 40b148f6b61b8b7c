"""The REST API's routes: the statistics, and the OpenAPI document that describes them all."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from bot import dashboard
from bot.staff import Permission
from storage.filters import ResponseFilter
from web import filters
from web.api import bp
from web.api.auth import requires

OPENAPI = Path(__file__).with_name("openapi.yaml")


@cache
def openapi_document() -> dict[str, Any]:
    """Return the API's OpenAPI 3.1 document (read once: it ships with the code)."""
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def stats_filter() -> ResponseFilter:
    """Read the statistics' filter: ``web.filters``' parameters, ``since`` kept as ``from``."""
    args = dict(request.args)
    alias = "since" in args and "from" not in args
    if alias:
        args["from"] = args.pop("since")
    try:
        wanted = filters.parse(args)
    except BadRequest as error:
        if alias and str(error.description).startswith("from "):
            raise BadRequest("since" + str(error.description)[4:]) from None
        raise
    if wanted.band or wanted.has_comment is not None or wanted.text:
        raise BadRequest("stats take from, to, channel, survey, context and service only")
    return wanted


@bp.get("/stats")
@requires(Permission.READ)
def stats() -> ResponseReturnValue:
    """Return NPS, CSAT and CES for the filters: what ``ecoute stats --format json`` prints."""
    from web import current_ecoute

    served = current_ecoute()
    wanted = stats_filter()
    with served.db.transaction() as session:
        return jsonify(dashboard.summary(session, wanted, served.engine.clock()).to_dict())


@bp.get("/openapi.json")
@requires(Permission.READ)
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI document of this API."""
    return jsonify(openapi_document())
