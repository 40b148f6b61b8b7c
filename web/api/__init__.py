"""The REST API, ``/api/v1/``: Bearer tokens, one JSON error style, paging by cursor.

Every route is guarded by :func:`web.api.auth.requires` with a permission of the
core's table (:data:`bot.staff.SCOPE_GRANTS`): no token, an unknown or a revoked
one answers 401; a read token on a write route 403. Errors are
``{"error": code, "message": sentence}``. The routes are described in
``web/api/openapi.yaml``, served as ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from werkzeug.exceptions import HTTPException

from web.api.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(HTTPException, error_response)


def init_app(app: Flask) -> None:
    """Mount the REST API on ``app``."""
    from web.api import (  # noqa: F401  # the routes attach themselves to ``bp``
        announcements,
        calls,
        complaint_stats,
        complaints,
        improvements,
        invitations,
        responses,
        routes,
        webhooks,
    )

    app.register_blueprint(bp)
