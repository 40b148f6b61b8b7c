"""``/admin/conversations/<id>``: a conversation's answers and transcript (alerts link here).

Every role may read it; a viewer never sees who the person is (no external id).
Each view is recorded in the audit log as a transcript view. Free text is shown
escaped, as text, whatever it contains. The response browser links here with its
filters and page in the query string; the page links back to that list (an
alert's link, without them, goes back to the whole list).
"""

from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import staff
from bot.i18n import pick
from bot.staff import Permission
from storage.transcripts import conversation_record
from storage.vocabulary import AuditAction
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.console.responses import list_args
from web.filters import parse

bp = blueprint("console_conversations")


@bp.get("/conversations/<public_id>")
@requires(Permission.READ)
def conversation(public_id: str) -> ResponseReturnValue:
    """Show a conversation's answers and transcript, and record the view."""
    db = ecoute().db
    with db.transaction() as session:
        found = conversation_record(session, public_id[:32])
        if found is None:
            abort(404)
        staff.audit(session, now(), current_user.actor, AuditAction.TRANSCRIPT_VIEWED,
                    found.public_id)
    language = console_language()
    questions = {q.get("id"): pick(q["text"], language)
                 for q in found.definition.get("questions", []) if isinstance(q.get("text"), dict)}
    identified = current_user.may(Permission.SEE_IDENTIFIERS)
    return render("conversation.html", conversation=found, questions=questions,
                  person=found.external_id if identified else None, identified=identified,
                  back=list_args(parse(request.args)))
