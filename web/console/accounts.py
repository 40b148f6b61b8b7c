"""``/admin/accounts``: admins list, create and disable staff accounts and change their roles."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import staff
from bot.i18n import gettext_for
from bot.staff import Permission, StaffError
from storage.vocabulary import StaffRole
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_accounts")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _back(message: str, category: str = "done") -> ResponseReturnValue:
    """Say what happened on the accounts page."""
    flash(message, category)
    return redirect(url_for("console_accounts.accounts"), 303)


@bp.get("/accounts")
@requires(Permission.MANAGE_ACCESS)
def accounts() -> ResponseReturnValue:
    """List the accounts, with the forms that change them."""
    return render("accounts.html", accounts=staff.list_accounts(ecoute().db),
                  roles=[role.value for role in StaffRole])


@bp.post("/accounts")
@requires(Permission.MANAGE_ACCESS)
def create() -> ResponseReturnValue:
    """Create an account with the email, role and password given."""
    email = request.form.get("email", "")
    try:
        staff.create_account(ecoute().db, email, request.form.get("password", ""),
                             request.form.get("role", ""), actor=current_user.actor, now=now())
    except StaffError as error:
        return _back(staff.explain(error.refusal, console_language()), "error")
    return _back(_("Account created."))


@bp.post("/accounts/<int:account_id>/role")
@requires(Permission.MANAGE_ACCESS)
def change_role(account_id: int) -> ResponseReturnValue:
    """Give an account another role."""
    try:
        staff.set_role(ecoute().db, account_id, request.form.get("role", ""),
                       actor=current_user.actor, now=now())
    except StaffError as error:
        return _back(staff.explain(error.refusal, console_language()), "error")
    return _back(_("Role changed."))


@bp.post("/accounts/<int:account_id>/disable")
@requires(Permission.MANAGE_ACCESS)
def disable(account_id: int) -> ResponseReturnValue:
    """Disable an account at once."""
    try:
        staff.disable_account(ecoute().db, account_id, actor=current_user.actor, now=now())
    except StaffError as error:
        return _back(staff.explain(error.refusal, console_language()), "error")
    return _back(_("Account disabled."))
