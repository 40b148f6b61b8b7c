"""``/admin/webhooks``: admins list, create (the secret shown once) and delete outgoing webhooks."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import webhooks
from bot.i18n import gettext_for
from bot.staff import Permission
from bot.webhooks import EVENTS, WebhookError
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_webhooks")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    """Render the webhooks page."""
    return render("webhooks.html", status, webhooks=webhooks.live(ecoute().db), events=EVENTS,
                  **values)


@bp.get("/webhooks")
@requires(Permission.MANAGE_ACCESS)
def listing() -> ResponseReturnValue:
    """List the live webhooks, with the form that creates one."""
    return _page()


@bp.post("/webhooks")
@requires(Permission.MANAGE_ACCESS)
def create() -> ResponseReturnValue:
    """Create a webhook and show its secret, this once."""
    served = ecoute()
    try:
        secret, record = webhooks.create(
            served.db, request.form.get("url", ""), request.form.getlist("events"),
            request.form.get("description", ""), actor=current_user.actor,
            allow_private=served.settings.webhooks.allow_private, now=now())
    except WebhookError as error:
        return _page(400, error=webhooks.explain(error.refusal, console_language()),
                     form=request.form)
    return _page(201, new_secret=secret, new_record=record)


@bp.post("/webhooks/<int:webhook_id>/delete")
@requires(Permission.MANAGE_ACCESS)
def delete(webhook_id: int) -> ResponseReturnValue:
    """Delete a webhook at once (its pending deliveries are cancelled)."""
    try:
        webhooks.delete(ecoute().db, webhook_id, actor=current_user.actor, now=now())
    except WebhookError as error:
        flash(webhooks.explain(error.refusal, console_language()), "error")
    else:
        flash(_("Webhook deleted."), "done")
    return redirect(url_for("console_webhooks.listing"), 303)
