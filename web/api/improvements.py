"""``/api/v1/improvements``: "you said, we did" drafts, their links to feedback, suggestions.

- ``POST /improvements`` ``{"you_said", "we_did", "language"?, "done_on"?, "concerns"?}``
  stores a draft (write); with an ``Idempotency-Key`` (:mod:`web.api.idempotency`, as
  ``POST /invitations``), the same key from the same token gets the same draft again;
- ``GET /improvements`` lists them newest first, paged by cursor (read);
- ``GET /improvements/{id}`` is one, with its link counts (read): its JSON is built
  by :func:`improvement_body`, which the announcement extends with its progress;
- ``POST /improvements/{id}/links`` takes ``{"conversations": [public ids]}``,
  ``{"complaints": [references]}`` or ``{"filter": {the response filters}}`` (write);
- ``GET /improvements/{id}/suggestions`` ranks past feedback close in meaning (read).

A body of another shape, or one the core refuses, is a 400 with the reason; an
unknown improvement a 404. The rules are the core's (:mod:`bot.improvements`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue

from bot import improvements, staff
from bot.improvements import Concerns, Detail, Draft, ImprovementError, Refusal
from bot.staff import Permission
from channels.registry import BUILT_IN
from storage.improvements import ImprovementRow
from web.api import bp, idempotency
from web.api.announcements import announcement_json
from web.api.auth import caller, requires
from web.api.errors import api_error
from web.api.paging import page, page_request
from web.filters import parse

FIELDS = {"you_said", "we_did", "language", "done_on", "concerns"}
LINK_KINDS = {"conversations", "complaints", "filter"}
FILTER_NAMES = {"from", "to", "channel", "survey", "context", "service", "band", "comment", "q"}


def _time(moment: Any) -> str | None:
    """Return a time as the API writes it (UTC, ``Z``), or None."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def improvement_summary(row: ImprovementRow) -> dict[str, Any]:
    """Return an improvement as lists show it."""
    return {"id": row.id, "you_said": row.you_said, "we_did": row.we_did,
            "language": row.language, "done_on": row.done_on.isoformat() if row.done_on else None,
            "concerns": row.concerns, "status": row.status, "created_by": row.created_by,
            "created_at": _time(row.created_at), "published_at": _time(row.published_at)}


def improvement_body(found: Detail, announcement: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
    """Return ``GET /improvements/{id}``'s body: the improvement, its link counts and, once
    published, its announcement (state, progress, answers, effect)."""
    return {**improvement_summary(found.improvement), "announcement": announcement, "links": {
        "total": found.linked,
        "by_channel": [{"channel": c.channel, "conversations": c.conversations,
                        "anonymous": c.anonymous, "complaints": c.complaints}
                       for c in found.counts]}}


def _refused(error: ImprovementError) -> ResponseReturnValue:
    """Answer a refusal: 404 for an unknown improvement, else 400 with the reason."""
    if error.refusal is Refusal.UNKNOWN:
        return api_error(404, "not_found", str(error))
    return api_error(400, error.refusal.value, str(error))


def _draft(body: object) -> Draft:
    """Read a draft from a JSON body (400 when it has another shape)."""
    if not isinstance(body, dict):
        raise _Shape("Send a JSON object with you_said and we_did.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise _Shape(f"Unknown field: {', '.join(unknown)}.")
    said, done = body.get("you_said"), body.get("we_did")
    language, done_on = body.get("language", "en"), body.get("done_on")
    if not isinstance(said, str) or not isinstance(done, str) or not isinstance(language, str) \
            or not (done_on is None or isinstance(done_on, str)):
        raise _Shape("you_said and we_did must be strings; language (en or fr) and done_on "
                     "(YYYY-MM-DD) are optional.")
    try:
        day = date.fromisoformat(done_on) if done_on else None
    except ValueError:
        raise _Shape("done_on must be a day written YYYY-MM-DD.") from None
    return Draft(said, done, language, day, Concerns.read(body.get("concerns")))


class _Shape(Exception):
    """A body of another shape than the document says."""


@bp.post("/improvements")
@requires(Permission.WRITE)
def create_improvement() -> ResponseReturnValue:
    """Store a draft improvement (once per ``Idempotency-Key``: a repeat gets the same one)."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        named = idempotency.requested()
    except idempotency.MalformedKey:
        return idempotency.refused()
    try:
        draft = _draft(request.get_json(silent=True))
        improvement_id = improvements.create(
            served.db, draft, improvements.known(served.engine.catalog, BUILT_IN),
            actor=staff.token_actor(caller().id), now=served.engine.clock(), idempotency=named)
    except _Shape as error:
        return api_error(400, "bad_request", str(error))
    except ImprovementError as error:
        return _refused(error)
    answer = jsonify(improvement_body(improvements.detail(served.db, improvement_id,
                                                          now=served.engine.clock())))
    answer.status_code = 201
    answer.headers["Location"] = url_for("api.get_improvement", improvement_id=improvement_id)
    return answer


@bp.get("/improvements")
@requires(Permission.READ)
def list_improvements() -> ResponseReturnValue:
    """Return the improvements, newest first, a page at a time."""
    from web import current_ecoute

    asked = page_request(request.args)
    before = asked.after[0] if asked.after else None
    if before is not None and not isinstance(before, int):
        return api_error(400, "bad_request", "cursor is not one this API gave")
    found = improvements.listing(current_ecoute().db, before_id=before, limit=asked.limit + 1)
    return jsonify(page(found, asked, lambda r: (r.id,), improvement_summary))


@bp.get("/improvements/<int:improvement_id>")
@requires(Permission.READ)
def get_improvement(improvement_id: int) -> ResponseReturnValue:
    """Return one improvement with its link counts."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        found = improvements.detail(served.db, improvement_id, now=served.engine.clock())
    except ImprovementError as error:
        return _refused(error)
    with served.db.reading() as connection:
        announced = announcement_json(connection, improvement_id)
    return jsonify(improvement_body(found, announced))


@bp.post("/improvements/<int:improvement_id>/links")
@requires(Permission.WRITE)
def link_feedback(improvement_id: int) -> ResponseReturnValue:
    """Link feedback by hand (public ids, references) or by filter; say how many are new."""
    from web import current_ecoute

    served = current_ecoute()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body or set(body) - LINK_KINDS \
            or ("filter" in body and len(body) > 1):
        return api_error(400, "bad_request", "Send {\"conversations\": [...]} and/or "
                         "{\"complaints\": [...]}, or {\"filter\": {...}} alone.")
    actor, now = staff.token_actor(caller().id), served.engine.clock()
    try:
        if "filter" in body:
            added = improvements.link_by_filter(served.db, improvement_id,
                                                _filter(body["filter"]), actor=actor, now=now)
        else:
            added = improvements.link_by_hand(
                served.db, improvement_id, conversations=_names(body, "conversations"),
                complaints=_names(body, "complaints"), actor=actor, now=now)
    except _Shape as error:
        return api_error(400, "bad_request", str(error))
    except ImprovementError as error:
        return _refused(error)
    found = improvements.detail(served.db, improvement_id, now=served.engine.clock())
    return jsonify(added=added, linked=found.linked)


def _names(body: dict[str, Any], kind: str) -> list[str]:
    """Read a list of public ids or references."""
    names = body.get(kind, [])
    if not isinstance(names, list) or not all(isinstance(n, str) and len(n) <= 64
                                              for n in names):
        raise _Shape(f"{kind} must be a list of strings.")
    return names


def _filter(raw: object) -> Any:
    """Read the response filters, named as the list of responses names them."""
    if not isinstance(raw, dict) or set(raw) - FILTER_NAMES or not all(
            isinstance(v, str) for v in raw.values()):
        raise _Shape("filter takes strings named " + ", ".join(sorted(FILTER_NAMES)) + ".")
    return parse(raw)  # a malformed value is a 400 (BadRequest), in the API's style


@bp.get("/improvements/<int:improvement_id>/suggestions")
@requires(Permission.READ)
def list_suggestions(improvement_id: int) -> ResponseReturnValue:
    """Return past feedback close in meaning to the improvement's summary, best first."""
    from web import current_ecoute

    served = current_ecoute()
    try:
        found = improvements.suggest(served.db, improvement_id, now=served.engine.clock(),
                                     catalog=served.catalog)
    except ImprovementError as error:
        return _refused(error)
    return jsonify(data=[{"target": p.target.value, "reference": p.reference, "text": p.text,
                          "language": p.language, "score": p.score} for p in found])
