"""The Flask application: health check, widget API and pages, Telegram and Slack webhooks.

``create_app()`` builds everything from the environment; tests pass their own
:class:`ecoute.wiring.Ecoute`. Nothing happens at import time.
"""

from __future__ import annotations

from flask import Flask

from ecoute.wiring import Ecoute, build


def create_app(ecoute: Ecoute | None = None) -> Flask:
    """Create the Flask app around an :class:`Ecoute` (built from the environment if None)."""
    app = Flask(__name__)
    ecoute = ecoute or build()
    app.extensions["ecoute"] = ecoute
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keys in the order they were built
    if ecoute.settings.secret_key:
        app.config["SECRET_KEY"] = ecoute.settings.secret_key

    from web import errors, health, pages, slack_events, telegram_hook, widget_api

    errors.init_app(app)
    app.register_blueprint(health.bp)  # GET /healthz
    widget_api.init_app(app)  # /api/widget/v1/…
    app.register_blueprint(pages.bp)  # /, /s/<survey>, /widget.js
    app.register_blueprint(telegram_hook.bp)  # POST /telegram/webhook
    slack_events.init_app(app, ecoute)  # POST /slack/events, when Slack is configured
    return app


def current_ecoute() -> Ecoute:
    """Return the :class:`Ecoute` of the app handling the current request."""
    from flask import current_app

    return current_app.extensions["ecoute"]  # type: ignore[no-any-return]
