"""Announcing an improvement from the console: publish, follow the progress live, pause it.

``POST /admin/improvements/<id>/publish`` is the improvement page's Publish button
(managers and admins): it publishes once and shows the announcement's page, which
updates itself (``announcement/live`` answers its fragment, or 304 when nothing
changed, as the dashboard does) with the planned, sent, failed and skipped counts,
the answers so far and the effect. Pause, resume and cancel are forms (CSRF) that
managers and admins see; every change is in the audit log.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import announcement_effect, announcements, publishing
from bot.announcements import AnnouncementError
from bot.i18n import gettext_for
from bot.staff import Permission
from storage import improvements
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_announcements")
MOVES = ("pause", "resume", "cancel")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


@bp.get("/announcements")
@requires(Permission.READ)
def listing() -> ResponseReturnValue:
    """List every announced improvement with its state and progress."""
    with ecoute().db.transaction() as session:
        rows = [(row, announcements.status(session, row.id))
                for row in improvements.announced(session)]
    return render("announcements.html", rows=rows)


@bp.post("/improvements/<int:improvement_id>/publish")
@requires(Permission.WRITE)
def publish(improvement_id: int) -> ResponseReturnValue:
    """Publish an improvement and plan its announcement (pressing twice changes nothing)."""
    try:
        served = ecoute()
        done = publishing.publish(served.db, improvement_id, actor=current_user.actor, now=now(),
                                  default_language=served.settings.default_language)
    except AnnouncementError:
        abort(404)
    flash(_("Published: the announcement is on its way.") if done.first
          else _("This improvement was already published."), "done")
    return redirect(url_for(".announcement", improvement_id=improvement_id), 303)


@bp.post("/improvements/<int:improvement_id>/announcement/<any(pause, resume, cancel):move>")
@requires(Permission.WRITE)
def change(improvement_id: int, move: str) -> ResponseReturnValue:
    """Pause, resume or cancel the announcement."""
    if move not in MOVES:
        abort(404)
    try:
        with ecoute().db.transaction() as session:
            announcements.change(session, improvement_id, move, actor=current_user.actor,
                                 now=now())
    except AnnouncementError as error:
        if error.code == "not_found":
            abort(404)
        flash(_("A cancelled announcement cannot be resumed.") if error.code == "cancelled"
              else _("This improvement is not published yet."), "error")
    return redirect(url_for(".announcement", improvement_id=improvement_id), 303)


def _values(improvement_id: int) -> dict[str, Any]:
    """Read the improvement, its announcement and its effect in one transaction (404 if none)."""
    with ecoute().db.transaction() as session:
        row = improvements.find(session, improvement_id)
        if row is None:
            abort(404)
        try:
            found = announcements.status(session, improvement_id)
        except AnnouncementError:
            found = None
        effect = announcement_effect.effect(session, improvement_id)
    tag = hashlib.sha256(json.dumps(
        [found.to_dict() if found else None, effect.to_dict() if effect else None,
         console_language()], sort_keys=True).encode()).hexdigest()[:16]
    return {"improvement": row, "announced": found, "effect": effect, "tag": f'"{tag}"',
            "moves": MOVES}


@bp.get("/improvements/<int:improvement_id>/announcement")
@requires(Permission.READ)
def announcement(improvement_id: int) -> ResponseReturnValue:
    """Show the announcement's progress, answers and effect (the page updates itself)."""
    return render("announcement.html", **_values(improvement_id))


@bp.get("/improvements/<int:improvement_id>/announcement/live")
@requires(Permission.READ)
def live(improvement_id: int) -> ResponseReturnValue:
    """Answer the progress fragment, or 304 when nothing changed since the reader's copy."""
    values = _values(improvement_id)
    tag = values["tag"]
    if request.if_none_match.contains(tag.strip('"')):
        return Response(status=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
    body, status, headers = render("announcement_figures.html", **values)  # type: ignore[misc]
    return body, status, {**headers, "ETag": tag, "Cache-Control": "no-cache"}
