"""The REST API's one error style: ``{"error": "not_found", "message": "…"}`` with its status."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException


def api_error(status: int, error: str, message: str,
              headers: dict[str, str] | None = None) -> Response:
    """Return a JSON error response."""
    response = jsonify(error=error, message=message)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def error_response(error: HTTPException) -> Response:
    """Answer any HTTP error of the API in the API's style."""
    kept = {name: value for name, value in error.get_headers()
            if name.lower() not in ("content-type", "content-length")}  # Allow, Retry-After…
    return api_error(error.code or 500, error.name.lower().replace(" ", "_"),
                     error.description or error.name, kept)
