"""The Flask application: health check now; widget, webhooks and admin are blueprints.

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
    if ecoute.settings.secret_key:
        app.config["SECRET_KEY"] = ecoute.settings.secret_key

    from web import errors, health

    errors.init_app(app)
    app.register_blueprint(health.bp)
    from web import pages, widget_api

    widget_api.init_app(app)
    app.register_blueprint(pages.bp)
    from web import slack_events

    slack_events.init_app(app, ecoute)
    from web import telegram_hook

    app.register_blueprint(telegram_hook.bp)
    return app


def current_ecoute() -> Ecoute:
    """Return the :class:`Ecoute` of the app handling the current request."""
    from flask import current_app

    return current_app.extensions["ecoute"]  # type: ignore[no-any-return]
