"""Slack's HTTP endpoint: ``POST /slack/events`` for events, interactivity and slash commands.

Bolt's Flask adapter does the work: it verifies the request signature (signing
secret, 5-minute window; 401 otherwise, before anything is stored), answers
Slack's URL check, and acknowledges at once while the listeners of
:class:`channels.slack.adapter.SlackChannel` run. The blueprint is registered only when
Slack is configured (``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from flask import Blueprint, Flask, Response, request
from slack_bolt.adapter.flask import SlackRequestHandler

from web import Served


def init_app(app: Flask, served: Served) -> None:
    """Mount ``POST /slack/events`` when Slack is configured for HTTP mode."""
    slack = served.settings.slack
    if not (slack.bot_token and slack.signing_secret):
        return
    from channels.slack.setup import slack_channel

    handler = SlackRequestHandler(slack_channel(slack, served.engine).app)
    bp = Blueprint("slack_events", __name__)

    @bp.post("/slack/events")
    def events() -> Response:
        """Hand the request to Bolt (signature check, ack, listeners)."""
        body = request.get_data(cache=True, as_text=True)  # kept for Bolt, which reads it too
        if not _routable(parse_qs(body).get("payload", [None])[0]):
            return Response('{"error": "invalid_payload", "message": "not a Slack payload"}',
                            status=400, mimetype="application/json")
        return handler.handle(request)

    app.register_blueprint(bp)


def _routable(payload: str | None) -> bool:
    """Tell whether an interaction payload has the shape Bolt routes on (Slack's always has).

    Bolt answers 500 for taps whose actions are not objects, before any listener runs.
    """
    if payload is None:
        return True
    try:
        data = json.loads(payload)
    except ValueError:
        return True  # Bolt refuses it itself
    actions = data.get("actions", []) if isinstance(data, dict) else None
    return isinstance(actions, list) and all(isinstance(a, dict) for a in actions)
