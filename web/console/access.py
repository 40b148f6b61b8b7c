"""Who is asking: the signed-in staff member, their permissions, their language, the page.

Every console view is guarded by :func:`requires` with a permission of the core's
table (:data:`bot.staff.GRANTS`): anonymous visitors are sent to sign in, the
wrong role gets 403. :func:`render` gives every console template ``_`` in the
staff member's language (their choice, else the browser's, else the default).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import UserMixin, current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bot import staff
from bot.i18n import SUPPORTED, gettext_for, language_name
from bot.staff import Account, Permission

F = TypeVar("F", bound=Callable[..., Any])


class StaffMember(UserMixin):
    """The signed-in staff member, for Flask-Login."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        """Return the id the session remembers."""
        return str(self.account.id)

    @property
    def actor(self) -> str:
        """Return how the audit log names this staff member."""
        return staff.staff_actor(self.account.id)

    def may(self, permission: Permission) -> bool:
        """Tell whether this member's role grants ``permission``."""
        return staff.may(self.account.role, permission)


def requires(permission: Permission) -> Callable[[F], F]:
    """Guard a view: sign in first, then hold ``permission`` (else 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.may(permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def ecoute() -> Any:
    """Return what the app serves (settings, store, catalog, engine)."""
    from web import current_ecoute

    return current_ecoute()


def now() -> datetime:
    """Return the time on the application's clock."""
    return ecoute().engine.clock()  # type: ignore[no-any-return]


def console_language() -> str:
    """Return the staff member's language, else the browser's, else the configured one."""
    if current_user.is_authenticated and current_user.account.language in SUPPORTED:
        return current_user.account.language  # type: ignore[no-any-return]
    wanted = request.args.get("lang", "")
    if wanted in SUPPORTED:
        return wanted
    best = request.accept_languages.best_match(SUPPORTED)
    return best or ecoute().settings.default_language  # type: ignore[no-any-return]


def render(template: str, status: int = 200, **values: object) -> ResponseReturnValue:
    """Render a console template with ``_``, the language and the member's permissions."""
    language = console_language()
    member = current_user if current_user.is_authenticated else None
    body = render_template(
        f"console/{template}", _=gettext_for(language, "console"), lang=language,
        languages=[(code, language_name(code)) for code in SUPPORTED], member=member,
        Permission=Permission, **values)
    return body, status, {"Content-Type": "text/html; charset=utf-8",
                          "Cache-Control": "no-store"}


def error_page(error: HTTPException) -> ResponseReturnValue:
    """Answer a console error with a page in the member's language."""
    return render("error.html", error.code or 500, code=error.code,
                  expired=isinstance(error, CSRFError))


def blueprint(name: str) -> Blueprint:
    """Return a console blueprint under ``/admin`` whose errors are pages."""
    bp = Blueprint(name, __name__, url_prefix="/admin")
    bp.register_error_handler(HTTPException, error_page)
    return bp
