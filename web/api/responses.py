"""``GET /api/v1/responses`` and ``GET /api/v1/responses/{conversation}``: the answers, by API.

The list takes the console's filters (:mod:`web.filters`) and pages by cursor,
newest first; each item is the export's record. Conversations linked to nobody
follow the rule of five as everywhere (:mod:`bot.responses`). A token is an
integration an admin set up, not a viewer: both scopes grant
:data:`~bot.staff.Permission.SEE_IDENTIFIERS`, so items carry ``person`` (the
person's id on their channel, null when linked to nobody). Reading one
conversation is recorded in the audit log, as in the console.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from bot import responses, staff
from bot.staff import Permission
from storage.transcripts import conversation_record
from storage.vocabulary import AuditAction
from web.api import bp
from web.api.auth import caller, requires
from web.api.errors import api_error
from web.api.paging import page_request
from web.filters import parse
from web.positions import from_cursor, to_cursor

LONGEST_ID = 32


@bp.get("/responses")
@requires(Permission.READ)
def list_responses() -> ResponseReturnValue:
    """Return a page of the filtered responses, newest first, and the next page's cursor."""
    from web import current_ecoute

    wanted, paging = parse(request.args), page_request(request.args)
    served = current_ecoute()
    identified = staff.token_may(caller().scope, Permission.SEE_IDENTIFIERS)
    with served.db.reading() as connection:
        found = responses.page(connection, wanted, served.engine.clock(),  # type: ignore[arg-type]
                               limit=paging.limit,
                               older_than=from_cursor(request.args.get("cursor")))
    return jsonify(data=[r.record(identified) for r in found.responses],
                   next_cursor=to_cursor(found.older) if found.older else None)


@bp.get("/responses/<conversation>")
@requires(Permission.READ)
def get_response(conversation: str) -> ResponseReturnValue:
    """Return one conversation's record and transcript, and record the reading."""
    from web import current_ecoute

    served = current_ecoute()
    identified = staff.token_may(caller().scope, Permission.SEE_IDENTIFIERS)
    at = served.engine.clock()
    with served.db.transaction() as session:
        found = responses.detail(session, conversation[:LONGEST_ID], at, identified=identified) \
            if len(conversation) <= LONGEST_ID else None
        if found is None:
            return api_error(404, "not_found", "There is no such conversation.")
        stored = conversation_record(session, found.public_id)
        staff.audit(session, at, staff.token_actor(caller().id), AuditAction.TRANSCRIPT_VIEWED,
                    found.public_id)
    turns = stored.turns if stored else ()
    return jsonify({**found.record(identified),
                    "transcript": [_turn(turn, exact=not found.anonymous) for turn in turns]})


def _turn(turn: Any, *, exact: bool) -> dict[str, Any]:
    """Return one turn of a transcript (without its time when linked to nobody)."""
    return {"at": turn.at.isoformat().replace("+00:00", "Z") if exact else None,
            "said": turn.said, "replies": list(turn.replies)}
