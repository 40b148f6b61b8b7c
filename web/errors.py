"""JSON errors: every HTTP error the app raises answers ``{"error": ...}`` with its status.

The error's own headers are kept (``Allow`` on a 405, as RFC 9110 requires,
``Retry-After``, ``WWW-Authenticate``…); only its HTML content type is replaced.
"""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    """Answer HTTP errors with a JSON body instead of HTML."""

    @app.errorhandler(HTTPException)
    def _json_error(error: HTTPException) -> ResponseReturnValue:
        """Answer the error as JSON with its status and its own headers."""
        body = {"error": error.name.lower().replace(" ", "_"), "message": error.description}
        headers = [(name, value) for name, value in error.get_headers()
                   if name.lower() != "content-type"]
        return jsonify(body), error.code or 500, headers
