"""The staff console under ``/admin/``: sign-in, dashboard, responses, accounts, tokens,
webhooks, audit, transcripts.

:func:`init_app` sets what every console page relies on:

- **Sessions** are Flask's signed cookies, ``HttpOnly`` and ``SameSite=Lax``, and
  ``Secure`` whenever the request came over HTTPS or ``ECOUTE_BASE_URL`` is https.
  Flask-Login keeps who is signed in, with session protection "strong" (a session
  moved to another address or browser is dropped). The secret that signs them is
  ``ECOUTE_SECRET_KEY`` when set, else a key derived from the installation's secret
  (kept in the database: every worker and every restart signs alike).
- **CSRF**: Flask-WTF checks every state-changing request of the app, except the
  machine-to-machine routes that authenticate otherwise (the widget API, the
  Telegram and Slack webhooks, the REST API's Bearer tokens).
- Errors in console pages are pages, not JSON.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import SQLAlchemyError

from bot import staff

# Blueprints whose requests are authenticated otherwise than by a session cookie.
CSRF_EXEMPT = ("widget_api", "telegram_hook", "slack_events", "api")


class Sessions(SecureCookieSessionInterface):
    """Signed cookie sessions, ``Secure`` on HTTPS requests even when not configured so."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Mark the cookie Secure when configured, or when this request came over HTTPS."""
        return super().get_cookie_secure(app) or request.is_secure

    def get_signing_serializer(self, app: Flask):  # type: ignore[no-untyped-def]
        """Sign with ``ECOUTE_SECRET_KEY``, else with a key derived from the stored secret.

        Derived on the first request, not when the app is made: the store may not be
        migrated yet then (``/healthz`` says so). Every worker derives the same key.
        """
        if not app.secret_key:
            served = app.extensions["ecoute"]
            try:
                app.secret_key = served.engine.keyring.digest("session", "flask")
            except SQLAlchemyError:  # the store is down: no session now (/healthz says so)
                return None
        return super().get_signing_serializer(app)


def init_app(app: Flask, base_url: str) -> None:
    """Mount the console's blueprints, sessions, sign-in and CSRF protection on ``app``."""
    from web.console import (
        accounts,
        announcements,
        audit,
        auth,
        calls,
        complaints,
        complaints_detail,
        conversations,
        dashboard,
        home,
        ideas,
        improvements,
        responses,
        tokens,
        webhooks,
    )

    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=base_url.startswith("https://"),
                      SESSION_COOKIE_NAME="ecoute_session", WTF_CSRF_TIME_LIMIT=None)
    app.session_interface = Sessions()
    logins = LoginManager(app)
    logins.session_protection = "strong"
    logins.login_view = "console_auth.sign_in"
    logins.login_message = None  # type: ignore[assignment]
    logins.user_loader(_load_member)
    csrf = CSRFProtect(app)
    for module in (auth, home, accounts, tokens, audit, conversations, dashboard, responses,
                   webhooks, calls, improvements, complaints, complaints_detail, announcements,
                   ideas):
        app.register_blueprint(module.bp)
    from web.console import complaint_analytics
    app.register_blueprint(complaint_analytics.bp)
    for name in CSRF_EXEMPT:
        if name in app.blueprints:
            csrf.exempt(app.blueprints[name])


def _load_member(user_id: str) -> object | None:
    """Return the signed-in staff member, or None once the account is disabled or gone."""
    from web.console.access import StaffMember, ecoute

    account = staff.active_account(ecoute().db, int(user_id)) if user_id.isdecimal() else None
    return StaffMember(account) if account else None
