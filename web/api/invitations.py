"""``POST /api/v1/invitations``: an outside system triggers a survey for one person.

The body is checked against ``InvitationRequest`` in ``web/api/openapi.yaml`` before
anything is stored. A planned invitation answers 202 ``{"status": "planned",
"invitation": id}``; a skipped one 200 ``{"status": "skipped", "reason": …}``
(``capped``, ``no_consent``, ``stopped``, ``unknown_person``, ``unreachable``). An
unknown survey is a 404, a channel Écoute does not have (or has not configured) a
422, a malformed body or ``Idempotency-Key`` a 400. The same ``Idempotency-Key``
from the same token gets the first answer again and never plans twice.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from bot import invitations
from bot.staff import Permission
from channels.registry import registered
from web.api import bp, idempotency
from web.api.auth import requires
from web.api.errors import api_error
from web.api.routes import openapi_document


@cache
def _validator() -> Draft202012Validator:
    """Return the validator of the request body (its schema has no references)."""
    return Draft202012Validator(openapi_document()["components"]["schemas"]["InvitationRequest"])


@bp.post("/invitations")
@requires(Permission.WRITE)
def create_invitation() -> ResponseReturnValue:
    """Plan a survey invitation for one person, or answer why it was skipped."""
    from web import current_ecoute

    served = current_ecoute()
    body = request.get_json(silent=True)
    refused = _refusal(body)
    if refused is not None:
        return refused
    try:
        named = idempotency.requested()
    except idempotency.MalformedKey:
        return idempotency.refused()
    wanted = invitations.Request(body["survey"], body["channel"], body["external_id"],
                                 body.get("context"), body.get("customer_ref"), named)
    outcome = invitations.invite(
        served.db, served.catalog, wanted, now=served.engine.clock(),
        cap=timedelta(days=served.settings.invitation_days),
        default_language=served.settings.default_language)
    if outcome.invitation is not None:
        return jsonify(status="planned", invitation=outcome.invitation), 202
    return jsonify(status="skipped", reason=str(outcome.skipped)), 200


def _refusal(body: Any) -> ResponseReturnValue | None:
    """Return the error answer for a body that is malformed or names what is not here."""
    from web import current_ecoute

    if not isinstance(body, dict):
        return api_error(400, "bad_request",
                         "Send a JSON object with Content-Type: application/json.")
    error = best_match(_validator().iter_errors(body))
    if error is not None:
        return api_error(400, "bad_request", _describe(error))
    served = current_ecoute()
    channel = registered().get(body["channel"])
    if channel is None:
        return api_error(422, "unknown_channel", f"There is no channel {body['channel']!r}.")
    if not channel.pull and body["channel"] not in served.senders:
        return api_error(422, "channel_not_configured",
                         f"The channel {body['channel']!r} is not configured here.")
    survey = served.catalog.get(body["survey"])
    if survey is None or survey not in served.catalog.offered(channel.internal):
        return api_error(404, "unknown_survey",
                         f"There is no survey {body['survey']!r} for this channel.")
    return None


def _describe(error: ValidationError) -> str:
    """Say what is wrong with the body without echoing what was sent."""
    field = ".".join(str(part) for part in error.absolute_path) or "body"
    if error.validator in ("required", "additionalProperties"):
        return error.message.replace("'", "")
    if error.validator == "type":
        return f"{field} must be of type {error.validator_value}."
    return f"{field} does not satisfy {error.validator} {error.validator_value}."
