"""``/admin/ideas``: employees' ideas; managers and admins tag, merge, decline, make improvements.

Viewers read the list (the service, the day, the supporters' count) without the
signed authors' ids; managers and admins see who signed and decide. Each
decision is an audit entry (:mod:`bot.ideas`); a refusal comes back as a message
on the page, never half done.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from bot import ideas
from bot.i18n import gettext_for
from bot.ideas import IdeaError
from bot.staff import Permission
from storage.vocabulary import IdeaStatus
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_ideas")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


@bp.get("/ideas")
@requires(Permission.READ)
def listing() -> ResponseReturnValue:
    """List the ideas, newest first, optionally of one status."""
    served = ecoute()
    status = request.args.get("status") or None
    language = console_language()
    rows = ideas.listing(served.db, status)
    labels = {row.id: ideas.service_label(served.catalog, row.service, language) for row in rows}
    return render("ideas.html", ideas=rows, services=labels, chosen=status,
                  statuses=[s.value for s in IdeaStatus],
                  open_ideas=[row for row in rows if row.status == IdeaStatus.NEW])


def _back(done: str | None = None, error: IdeaError | None = None) -> Response:
    """Flash what happened and go back to the list."""
    if error is not None:
        flash(ideas.explain(error.refusal, console_language()), "error")
    elif done:
        flash(done, "done")
    return redirect(url_for("console_ideas.listing"), 303)


@bp.post("/ideas/<int(signed=True):idea_id>/tags")
@requires(Permission.WRITE)
def tag(idea_id: int) -> ResponseReturnValue:
    """Replace an idea's tags (comma-separated)."""
    try:
        ideas.tag(ecoute().db, idea_id, request.form.get("tags", ""), actor=current_user.actor,
                  now=now())
    except IdeaError as error:
        return _back(error=error)
    return _back(_("Tags saved."))


@bp.post("/ideas/<int(signed=True):idea_id>/merge")
@requires(Permission.WRITE)
def merge(idea_id: int) -> ResponseReturnValue:
    """Merge a duplicate into another idea (its supporters are carried over)."""
    try:
        into = int(request.form.get("into", ""))
    except ValueError:
        return _back(error=IdeaError("not_found"))
    try:
        ideas.merge(ecoute().db, idea_id, into, actor=current_user.actor, now=now())
    except IdeaError as error:
        return _back(error=error)
    return _back(_("Idea merged: its supporters now back the other one."))


@bp.post("/ideas/<int(signed=True):idea_id>/decline")
@requires(Permission.WRITE)
def decline(idea_id: int) -> ResponseReturnValue:
    """Decline an idea with a reason."""
    try:
        ideas.decline(ecoute().db, idea_id, request.form.get("reason", ""),
                      actor=current_user.actor, now=now())
    except IdeaError as error:
        return _back(error=error)
    return _back(_("Idea declined."))


@bp.post("/ideas/<int(signed=True):idea_id>/improvement")
@requires(Permission.WRITE)
def to_improvement(idea_id: int) -> ResponseReturnValue:
    """Turn an idea into a draft improvement linked to it."""
    try:
        made = ideas.to_improvement(ecoute().db, idea_id, actor=current_user.actor, now=now(),
                                    language=console_language())
    except IdeaError as error:
        return _back(error=error)
    return _back(_("Draft improvement #{id} created from the idea.").format(id=made))
