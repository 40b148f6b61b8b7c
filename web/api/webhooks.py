"""``/api/v1/webhooks``: list (read), create and delete (write) outgoing webhooks.

The secret is in the answer to the POST that creates a webhook, and nowhere
else, ever. A body that is not a JSON object with a ``url`` and ``events``, or
a URL the core refuses (:func:`bot.webhooks.check_url`), answers 400 with the
reason; nothing is stored then.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue

from bot import staff, webhooks
from bot.staff import Permission
from bot.webhooks import WebhookError, WebhookRecord
from web.api import bp
from web.api.auth import caller, requires
from web.api.errors import api_error
from web.api.paging import page, page_request

FIELDS = {"url", "events", "description"}


def render(record: WebhookRecord) -> dict[str, Any]:
    """Return a webhook as the API shows it (never its secret)."""
    return {"id": record.id, "url": record.url, "events": list(record.events),
            "description": record.description, "created_by": record.created_by,
            "created_at": record.created_at.isoformat().replace("+00:00", "Z")}


@bp.get("/webhooks")
@requires(Permission.READ)
def list_webhooks() -> ResponseReturnValue:
    """Return the live webhooks, a page at a time, by id."""
    from web import current_ecoute

    asked = page_request(request.args)
    after = asked.after[0] if asked.after else None
    if after is not None and not isinstance(after, int):
        return api_error(400, "bad_request", "cursor is not one this API gave")
    found = webhooks.live(current_ecoute().db, limit=asked.limit + 1, after=after)
    return jsonify(page(found, asked, lambda r: (r.id,), render))


@bp.post("/webhooks")
@requires(Permission.WRITE)
def create_webhook() -> ResponseReturnValue:
    """Create a webhook; the answer holds its secret, this once."""
    from web import current_ecoute

    served = current_ecoute()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "bad_request", "Send a JSON object with url and events.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return api_error(400, "bad_request", f"Unknown field: {', '.join(unknown)}.")
    url, events = body.get("url"), body.get("events")
    description = body.get("description", "")
    if (not isinstance(url, str) or not isinstance(events, list)
            or not all(isinstance(e, str) for e in events) or not isinstance(description, str)):
        return api_error(400, "bad_request", "url must be a string, events a list of event "
                         "names, description (optional) a string.")
    try:
        secret, record = webhooks.create(
            served.db, url, events, description, actor=staff.token_actor(caller().id),
            allow_private=served.settings.webhooks.allow_private, now=served.engine.clock())
    except WebhookError as error:
        return api_error(400, error.refusal.value, str(error))
    answer = jsonify({**render(record), "secret": secret})
    answer.status_code = 201
    answer.headers["Location"] = url_for("api.delete_webhook", webhook_id=record.id)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.delete("/webhooks/<int:webhook_id>")
@requires(Permission.WRITE)
def delete_webhook(webhook_id: int) -> ResponseReturnValue:
    """Delete a webhook at once: nothing more is sent to it."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        webhooks.delete(served.db, webhook_id, actor=staff.token_actor(caller().id),
                        now=served.engine.clock())
    except WebhookError as error:
        return api_error(404, "not_found", str(error))
    return "", 204
