"""``POST /api/v1/improvements/{id}/publish``, ``/pause``, ``/resume``, ``/cancel``.

Publishing is idempotent: the first call publishes and plans the announcement
(202); later calls answer the same announcement (200) and plan nothing. Each
answer is the announcement as :func:`announcement_json` gives it (state, progress,
answers), which ``GET /api/v1/improvements/{id}`` includes too. An unknown
improvement is a 404; resuming a cancelled announcement, or pausing one not
published, a 409.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from bot import announcement_effect, announcements, publishing
from bot.announcements import AnnouncementError
from bot.staff import Permission, token_actor
from storage.db import Executor
from web.api import bp
from web.api.auth import caller, requires
from web.api.errors import api_error


def announcement_json(session: Executor, improvement_id: int) -> dict[str, Any] | None:
    """Return an improvement's announcement (state, progress, answers, effect), or None."""
    try:
        found = announcements.status(session, improvement_id)
    except AnnouncementError:
        return None
    effect = announcement_effect.effect(session, improvement_id)
    return {**found.to_dict(), "effect": effect.to_dict() if effect else None}


@bp.post("/improvements/<int:improvement_id>/publish")
@requires(Permission.WRITE)
def publish_improvement(improvement_id: int) -> ResponseReturnValue:
    """Publish an improvement and plan its announcement (once)."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        published = publishing.publish(served.db, improvement_id,
                                       actor=token_actor(caller().id), now=served.engine.clock(),
                                       default_language=served.settings.default_language)
    except AnnouncementError as error:
        return _refused(error)
    return _answer(improvement_id, 202 if published.first else 200)


def _move(improvement_id: int, move: str) -> ResponseReturnValue:
    """Pause, resume or cancel an announcement and answer its state."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        with served.db.transaction() as session:
            announcements.change(session, improvement_id, move,
                                 actor=token_actor(caller().id), now=served.engine.clock())
    except AnnouncementError as error:
        return _refused(error)
    return _answer(improvement_id, 200)


@bp.post("/improvements/<int:improvement_id>/pause")
@requires(Permission.WRITE)
def pause_announcement(improvement_id: int) -> ResponseReturnValue:
    """Stop sending an announcement until it is resumed."""
    return _move(improvement_id, "pause")


@bp.post("/improvements/<int:improvement_id>/resume")
@requires(Permission.WRITE)
def resume_announcement(improvement_id: int) -> ResponseReturnValue:
    """Send a paused announcement again."""
    return _move(improvement_id, "resume")


@bp.post("/improvements/<int:improvement_id>/cancel")
@requires(Permission.WRITE)
def cancel_announcement(improvement_id: int) -> ResponseReturnValue:
    """Cancel an announcement: its pending messages are never sent."""
    return _move(improvement_id, "cancel")


def _answer(improvement_id: int, status: int) -> ResponseReturnValue:
    """Answer the improvement's id and its announcement."""
    from web import current_ecoute

    with current_ecoute().db.transaction() as session:
        body = announcement_json(session, improvement_id)
    return jsonify(improvement=improvement_id, announcement=body), status


def _refused(error: AnnouncementError) -> ResponseReturnValue:
    """Answer why the request cannot be done."""
    return api_error(404 if error.code == "not_found" else 409, error.code, str(error))
