"""The Flask application: health, widget API and pages, webhooks, staff console, REST API.

``create_app(served)`` takes the running Écoute it serves (assembled by the
composition root: ``ecoute.wsgi`` for gunicorn, ``ecoute serve``, the tests)
and builds the app around it. Nothing happens at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.engine import DialogueEngine
from bot.surveys import SurveyCatalog
from channels.slack.settings import SlackSettings
from channels.telegram.settings import TelegramSettings
from channels.webhooks import WebhookSettings
from storage.db import Database
from web.settings import WebSettings


class ServedSettings(Protocol):
    """The settings the web app reads."""

    @property
    def default_language(self) -> str: ...
    @property
    def secret_key(self) -> str | None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def allowed_origins(self) -> tuple[str, ...]: ...
    @property
    def rate_limit_storage(self) -> str: ...
    @property
    def telegram(self) -> TelegramSettings: ...
    @property
    def slack(self) -> SlackSettings: ...
    @property
    def web(self) -> WebSettings: ...
    @property
    def invitation_days(self) -> int: ...
    @property
    def webhooks(self) -> WebhookSettings: ...


class Served(Protocol):
    """What the web app serves: the running Écoute's settings, store, catalog and engine."""

    @property
    def settings(self) -> ServedSettings: ...
    @property
    def db(self) -> Database: ...
    @property
    def catalog(self) -> SurveyCatalog: ...
    @property
    def engine(self) -> DialogueEngine: ...
    @property
    def senders(self) -> Mapping[str, object]: ...


def create_app(served: Served) -> Flask:
    """Create the Flask app around the running Écoute it serves."""
    app = Flask(__name__)
    app.extensions["ecoute"] = served
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keys in the order they were built
    if served.settings.secret_key:
        app.config["SECRET_KEY"] = served.settings.secret_key
    if served.settings.web.trusted_proxies:  # only then is X-Forwarded-For believed
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=served.settings.web.trusted_proxies)  # type: ignore[method-assign]

    from web import errors, health, pages, public, security, slack_events, telegram_hook, widget_api

    errors.init_app(app)
    security.init_app(app)  # CSP, nosniff, frame and referrer policies on every answer
    app.register_blueprint(health.bp)  # GET /healthz
    widget_api.init_app(app)  # /api/widget/v1/…
    app.register_blueprint(pages.bp)  # /, /s/<survey>, /widget.js
    app.register_blueprint(public.bp)  # /you-said-we-did and its Atom feed
    app.register_blueprint(telegram_hook.bp)  # POST /telegram/webhook
    slack_events.init_app(app, served)  # POST /slack/events, when Slack is configured
    from web import api, console

    api.init_app(app)  # /api/v1/…: Bearer tokens
    console.init_app(app, served.settings.base_url)  # /admin/…: sessions, CSRF for all forms
    return app


def current_ecoute() -> Served:
    """Return what the app handling the current request serves."""
    from flask import current_app

    return current_app.extensions["ecoute"]  # type: ignore[no-any-return]
