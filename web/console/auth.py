"""Signing in and out, the console's language, and the one-time link that creates the first admin.

A refused sign-in says the same thing whether the email is unknown, the password
wrong or the account disabled; a throttled one says to wait (429).
"""

from __future__ import annotations

from flask import abort, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from bot import staff
from bot.i18n import SUPPORTED, gettext_for
from bot.staff import Permission, SignInOutcome, StaffError
from storage.vocabulary import AuditAction
from web.console.access import (
    StaffMember,
    blueprint,
    console_language,
    ecoute,
    now,
    render,
    requires,
)

bp = blueprint("console_auth")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _next_page() -> str:
    """Return where to go after signing in: a path of this site, else the console's home."""
    wanted = request.values.get("next", "")
    if wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return url_for("console_home.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """Show the sign-in form; check the email and password (throttled)."""
    if current_user.is_authenticated:
        return redirect(_next_page())
    if request.method == "GET":
        return render("sign_in.html", next=_next_page())
    email = request.form.get("email", "")
    attempt = staff.sign_in(ecoute().db, email, request.form.get("password", ""),
                            request.remote_addr or "unknown", now())
    if attempt.outcome is SignInOutcome.THROTTLED:
        error = _("Too many failed attempts: wait 15 minutes, then try again.")
        return render("sign_in.html", 429, error=error, email=email, next=_next_page())
    if attempt.account is None:
        error = _("Wrong email or password, or the account is disabled.")
        return render("sign_in.html", error=error, email=email, next=_next_page())
    destination = _next_page()
    _start_session(attempt.account)
    return redirect(destination, 303)


@bp.post("/sign-out")
@requires(Permission.READ)
def sign_out() -> ResponseReturnValue:
    """Sign out and go back to the sign-in page."""
    staff.record(ecoute().db, now(), current_user.actor, AuditAction.SIGNED_OUT)
    logout_user()
    return redirect(url_for("console_auth.sign_in"), 303)


@bp.post("/language")
@requires(Permission.READ)
def language() -> ResponseReturnValue:
    """Remember the console language the staff member chose."""
    chosen = request.form.get("language", "")
    if chosen not in SUPPORTED:
        abort(400)
    staff.set_language(ecoute().db, current_user.account.id, chosen)
    return redirect(_next_page(), 303)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> ResponseReturnValue:
    """Create the first admin through the one-time link ``ecoute serve`` printed."""
    db = ecoute().db
    if not staff.setup_link_open(db, token, now()):
        abort(404)
    if request.method == "GET":
        return render("setup.html", token=token)
    email, password = request.form.get("email", ""), request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return render("setup.html", 400, token=token, email=email,
                      error=_("The two passwords differ."))
    try:
        account = staff.claim_setup_link(db, token, email, password, now())
    except StaffError as error:
        return render("setup.html", 400, token=token, email=email,
                      error=staff.explain(error.refusal, console_language()))
    _start_session(account)
    return redirect(url_for("console_home.home"), 303)


def _start_session(account: staff.Account) -> None:
    """Sign in on a fresh session: nothing set before (a planted CSRF token) carries over."""
    session.clear()
    login_user(StaffMember(account))
