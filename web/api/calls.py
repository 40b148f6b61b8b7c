"""``/api/v1/calls``: calls for participants (a product test, a focus group, an interview).

``POST`` opens a call and plans its invitations (201 with the call and how many
were planned or skipped, by reason); ``GET`` lists calls newest first, a page at a
time; ``GET /calls/{id}`` gives one with its counts (confirmed, waiting, declined:
no person's identity); ``POST /calls/{id}/close`` closes it (idempotent). A
malformed body is a 400 saying which field, an unknown call a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue

from bot import calls, staff
from bot.calls import Audience, CallError, Draft
from bot.staff import Permission
from storage import calls as store
from storage.calls import CallRow
from storage.vocabulary import ParticipationStatus
from web.api import bp
from web.api.auth import caller, requires
from web.api.errors import api_error
from web.api.paging import page, page_request

FIELDS = frozenset({"title", "description", "kind", "location", "happens_at", "places",
                    "closes_at", "audience"})


def _when(moment: datetime) -> str:
    """Return a time as the API writes it."""
    return moment.isoformat().replace("+00:00", "Z")


def render(call: CallRow, now: datetime) -> dict[str, Any]:
    """Return a call as the API shows it, with its answers counted."""
    return {"id": call.id, "title": call.title, "description": call.description,
            "kind": call.kind, "location": call.location, "happens_at": _when(call.happens_at),
            "places": call.places, "closes_at": _when(call.closes_at),
            "status": "open" if calls.is_open(call, now) else "closed",
            "audience": call.audience, "created_at": _when(call.created_at),
            "counts": {s.value: call.counts.get(s, 0) for s in ParticipationStatus}}


@bp.get("/calls")
@requires(Permission.READ)
def list_calls() -> ResponseReturnValue:
    """Return the calls, newest first, a page at a time."""
    from web import current_ecoute

    served = current_ecoute()
    asked = page_request(request.args)
    after = asked.after[0] if asked.after else None
    if after is not None and not isinstance(after, int):
        return api_error(400, "bad_request", "cursor is not one this API gave")
    with served.db.reading() as connection:
        found = store.list_calls(connection, after_id=after, limit=asked.limit + 1)
    now = served.engine.clock()
    return jsonify(page(found, asked, lambda c: (c.id,), lambda c: render(c, now)))


@bp.post("/calls")
@requires(Permission.WRITE)
def create_call() -> ResponseReturnValue:
    """Open a call and plan its invitations."""
    from web import current_ecoute

    served = current_ecoute()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "bad_request", "Send a JSON object describing the call.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return api_error(400, "bad_request", f"Unknown field: {', '.join(unknown)}.")
    try:
        opened = calls.open_call(served.db, _draft(body), actor=staff.token_actor(caller().id),
                                 now=served.engine.clock(),
                                 default_language=served.settings.default_language)
    except (_Shape, CallError) as error:
        return api_error(400, "bad_request", str(error))
    with served.db.reading() as connection:
        call = store.find_call(connection, opened.call_id)
    assert call is not None
    answer = jsonify({**render(call, served.engine.clock()),
                      "invitations": {"planned": opened.planned.planned,
                                      "skipped": dict(opened.planned.skipped)}})
    answer.status_code = 201
    answer.headers["Location"] = url_for("api.get_call", call_id=call.id)
    return answer


@bp.get("/calls/<int:call_id>")
@requires(Permission.READ)
def get_call(call_id: int) -> ResponseReturnValue:
    """Return one call with its counts."""
    from web import current_ecoute

    served = current_ecoute()
    with served.db.reading() as connection:
        call = store.find_call(connection, call_id)
    if call is None:
        return api_error(404, "not_found", f"There is no call {call_id}.")
    return jsonify(render(call, served.engine.clock()))


@bp.post("/calls/<int:call_id>/close")
@requires(Permission.WRITE)
def close_call(call_id: int) -> ResponseReturnValue:
    """Close a call (closing a closed call changes nothing)."""
    from web import current_ecoute

    served = current_ecoute()
    now = served.engine.clock()
    calls.close(served.db, call_id, actor=staff.token_actor(caller().id), now=now)
    return get_call(call_id)


class _Shape(ValueError):
    """A body of another shape than the document says (the message names the field)."""


def _draft(body: dict[str, Any]) -> Draft:
    """Read a call from the body, or raise :class:`_Shape` or :class:`CallError` (the field)."""
    texts = {}
    for name in ("title", "description"):
        value = body.get(name)
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise _Shape(f"{name} must be an object of texts by language, e.g. "
                            '{"fr": "…", "en": "…"}')
        texts[name] = value
    places = body.get("places")
    if not isinstance(places, int) or isinstance(places, bool):
        raise _Shape("places must be a whole number")
    kind, location = body.get("kind", "other"), body.get("location")
    if not isinstance(kind, str) or not isinstance(location, str):
        raise _Shape("kind and location must be texts")
    return Draft(texts["title"], texts["description"], kind, location,
                 _moment(body, "happens_at"), places, _moment(body, "closes_at"),
                 Audience.from_json(body.get("audience", {})))


def _moment(body: dict[str, Any], name: str) -> datetime:
    """Read a time with its offset (ISO 8601)."""
    value = body.get(name)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Shape(f"{name} must be a date and time with its offset, e.g. "
                        "2026-12-14T15:30:00Z")
    return moment
