"""``/admin/tokens``: admins create REST API tokens (shown once), list and revoke them."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import api_tokens, staff
from bot.i18n import gettext_for
from bot.staff import Permission, StaffError
from storage.vocabulary import TokenScope
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_tokens")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    """Render the tokens page."""
    return render("tokens.html", status, tokens=api_tokens.list_tokens(ecoute().db),
                  scopes=[scope.value for scope in TokenScope], **values)


@bp.get("/tokens")
@requires(Permission.MANAGE_ACCESS)
def tokens() -> ResponseReturnValue:
    """List the tokens, with the form that creates one."""
    return _page()


@bp.post("/tokens")
@requires(Permission.MANAGE_ACCESS)
def create() -> ResponseReturnValue:
    """Create a token and show it, this once (it is stored hashed)."""
    try:
        token, record = api_tokens.issue_token(
            ecoute().db, request.form.get("name", ""), request.form.get("scope", ""),
            created_by=current_user.account.id, actor=current_user.actor, now=now())
    except StaffError as error:
        return _page(400, error=staff.explain(error.refusal, console_language()))
    return _page(201, new_token=token, new_record=record)


@bp.post("/tokens/<int:token_id>/revoke")
@requires(Permission.MANAGE_ACCESS)
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke a token at once."""
    try:
        api_tokens.revoke_token(ecoute().db, token_id, actor=current_user.actor, now=now())
    except StaffError as error:
        flash(staff.explain(error.refusal, console_language()), "error")
    else:
        flash(_("Token revoked."), "done")
    return redirect(url_for("console_tokens.tokens"), 303)
