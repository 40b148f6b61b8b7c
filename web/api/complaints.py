"""``/api/v1/complaints``: the complaint board, one complaint with its history, staff changes.

- ``GET /complaints`` takes the board's filters (:mod:`web.console.complaints_filters`)
  and pages by cursor, newest first; items never hold the complainant's words.
- ``GET /complaints/{ref}`` adds the description and the history (recorded in the
  audit log, like a view in the console).
- ``POST /complaints/{ref}/events`` (write scope) hands its JSON to
  :func:`bot.complaint_actions.apply`: the console's rules and audit. A refusal is
  400 (bad or missing values), 404 (no such complaint) or 409 (a move the
  lifecycle forbids, e.g. closing a rejected complaint).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from bot import complaint_actions, complaint_desk, staff
from bot.complaint_actions import ChangeError, StaffChange
from bot.complaints import Reference
from bot.staff import Permission
from storage import complaints as store
from storage.vocabulary import AuditAction, ComplaintStatus
from web.api import bp
from web.api.auth import caller, requires
from web.api.errors import api_error
from web.api.paging import page_request
from web.console.complaints_filters import page, parse
from web.positions import from_cursor, to_cursor

FIELDS = frozenset({"status", "note", "visible", "assignee", "urgency", "importance", "reason"})


def _when(moment: datetime | None) -> str | None:
    """Return a time in UTC, ISO 8601 with a ``Z`` (None stays None)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def item(row: store.BoardRow | store.ComplaintRow, now: datetime) -> dict[str, Any]:
    """Return what a list item says of a complaint (never the complainant's words)."""
    due = complaint_desk.due_now(ComplaintStatus(row.status), row.acknowledge_due_at,
                                 row.resolve_due_at)
    return {"reference": row.reference, "created_at": _when(row.created_at),
            "category": row.category, "channel": row.channel, "urgency": row.urgency,
            "importance": row.importance, "priority": row.priority, "status": row.status,
            "assignee": row.assignee_id,
            "acknowledge_due_at": _when(row.acknowledge_due_at),
            "resolve_due_at": _when(row.resolve_due_at),
            "due": None if due is None else {"deadline": due[0], "at": _when(due[1]),
                                             "overdue": due[1] < now}}


def event_record(event: store.EventRow) -> dict[str, Any]:
    """Return one step of a complaint's history."""
    return {"id": event.id, "at": _when(event.at), "actor": event.actor, "kind": event.kind,
            "status_from": event.status_from, "status_to": event.status_to,
            "reason": event.reason, "note": event.note, "visible": event.visible,
            "sent_at": _when(event.sent_at), "assignee": event.assignee_id,
            "urgency": event.urgency, "importance": event.importance,
            "priority": event.priority}


def detail_record(found: store.ComplaintRow, history: list[store.EventRow],
                  now: datetime) -> dict[str, Any]:
    """Return one complaint as the API and ``ecoute complaints show`` give it."""
    return {**item(found, now), "language": found.language,
            "description": found.description, "own_reference": found.own_reference,
            "has_photo": bool(found.photo_file_id), "contact_consent": found.contact_consent,
            "acknowledged_at": _when(found.acknowledged_at),
            "resolved_at": _when(found.resolved_at), "closed_at": _when(found.closed_at),
            "history": [event_record(event) for event in history]}


@bp.get("/complaints")
@requires(Permission.READ)
def list_complaints() -> ResponseReturnValue:
    """Return a page of the filtered complaints, newest first, and the next page's cursor."""
    from web import current_ecoute

    served = current_ecoute()
    now = served.engine.clock()
    query, paging = parse(request.args, now), page_request(request.args)
    with served.db.reading() as connection:
        found = page(connection, query.filter, limit=paging.limit,
                     older_than=from_cursor(request.args.get("cursor")))
    return jsonify(data=[item(row, now) for row in found.rows],
                   next_cursor=to_cursor(found.older) if found.older else None)


@bp.get("/complaints/<reference>")
@requires(Permission.READ)
def get_complaint(reference: str) -> ResponseReturnValue:
    """Return one complaint, its description and its history; record the reading."""
    from web import current_ecoute

    served = current_ecoute()
    now = served.engine.clock()
    parsed = Reference.parse(reference[:32])
    with served.db.transaction() as session:
        found = store.find(session, str(parsed)) if parsed else None
        if found is None:
            return api_error(404, "not_found", "There is no complaint with this reference.")
        history = store.history(session, found.id)
        staff.audit(session, now, staff.token_actor(caller().id), AuditAction.COMPLAINT_VIEWED,
                    found.reference)
    return jsonify(detail_record(found, history, now))


@bp.post("/complaints/<reference>/events")
@requires(Permission.WRITE)
def add_event(reference: str) -> ResponseReturnValue:
    """Apply a change to a complaint as the console does; answer what was recorded."""
    from web import current_ecoute

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "bad_request", "The body must be a JSON object.")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return api_error(400, "bad_request", f"Unknown fields: {', '.join(unknown)[:200]}.")
    served = current_ecoute()
    parsed = Reference.parse(reference[:32])
    try:
        if parsed is None:
            raise ChangeError(complaint_actions.Refusal.UNKNOWN_COMPLAINT)
        with served.db.transaction() as session:
            done = complaint_actions.apply(session, served.engine.settings, str(parsed),
                                           StaffChange.parse(body),
                                           actor=staff.token_actor(caller().id),
                                           now=served.engine.clock())
    except ChangeError as error:
        return api_error(error.status, error.refusal.value, error.explain("en"))
    return jsonify(reference=done.reference, events=list(done.event_ids),
                   status=done.status.value, priority=done.priority.value,
                   assignee=done.assignee), 201
