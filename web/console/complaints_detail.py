"""``/admin/complaints/<ref>``: one complaint, its history and deadlines, and the staff's actions.

Every role reads the page (each view is in the audit log); it shows the
description and the photo (fetched from Telegram when shown, never stored as a
file), the history with each note and whether it was sent, and the deadlines as
they stand, in business hours. Managers and admins act through one form route,
``POST /admin/complaints/<ref>/events``, which hands the form to
:func:`bot.complaint_actions.apply`: the same rules and audit as the API. A
refused change shows the page again with the reason (400, 404 or 409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import complaint_actions, staff
from bot.complaint_actions import ChangeError, StaffChange
from bot.complaints import AWAITING_ACKNOWLEDGEMENT, MATRIX, OPEN, TRANSITIONS, Reference
from bot.i18n import gettext_for, pick
from bot.staff import Permission
from channels.telegram.files import PhotoUnavailable, fetch_photo
from storage import complaints as store
from storage import staff as accounts
from storage.vocabulary import (
    AuditAction,
    ComplaintStatus,
    Importance,
    RejectionReason,
    Urgency,
)
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.console.complaints import words

bp = blueprint("console_complaints_detail")


def _reference(reference: str) -> str:
    """Return the reference in its stored form, or answer 404."""
    parsed = Reference.parse(reference[:32])
    if parsed is None:
        abort(404)
    return str(parsed)


@bp.get("/complaints/<reference>")
@requires(Permission.READ)
def detail(reference: str) -> ResponseReturnValue:
    """Show a complaint, its deadlines, its history and (to those who may act) its actions."""
    return _page(_reference(reference))


@bp.post("/complaints/<reference>/events")
@requires(Permission.WRITE)
def change(reference: str) -> ResponseReturnValue:
    """Apply the staff member's change, then show the complaint again."""
    reference, served, at = _reference(reference), ecoute(), now()
    language = console_language()
    try:
        wanted = StaffChange.parse({k: v for k, v in request.form.items() if k != "csrf_token"})
        with served.db.transaction() as session:
            complaint_actions.apply(session, served.engine.settings, reference, wanted,
                                    actor=current_user.actor, now=at)
    except ChangeError as error:
        if error.status == 404:
            abort(404)
        return _page(reference, error=error.explain(language), status=error.status)
    _ = gettext_for(language, "console")
    flash(_("The complaint is updated."), "ok")
    return redirect(url_for(".detail", reference=reference), 303)


@bp.get("/complaints/<reference>/photo")
@requires(Permission.READ)
def photo(reference: str) -> ResponseReturnValue:
    """Relay the complaint's photo from Telegram, without keeping it."""
    with ecoute().db.reading() as connection:
        found = store.find(connection, _reference(reference))
    if found is None or not found.photo_file_id or found.channel != "telegram":
        abort(404)
    try:
        body, content_type = fetch_photo(ecoute().settings.telegram, found.photo_file_id)
    except PhotoUnavailable:
        abort(502)
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store",
                                   "X-Content-Type-Options": "nosniff"})


def _page(reference: str, *, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    """Render the complaint's page (recording the view in the audit log)."""
    served, at = ecoute(), now()
    with served.db.transaction() as session:
        found = store.find(session, reference)
        if found is None:
            abort(404)
        history = store.history(session, found.id)
        people = accounts.accounts(session)
        staff.audit(session, at, current_user.actor, AuditAction.COMPLAINT_VIEWED, reference)
    language = console_language()
    names = {a.id: a.email for a in people}
    return render("complaints_detail.html", status, complaint=found, history=history,
                  error=error, words=words(), deadlines=deadlines(found, at),
                  category=_category(found.category, language), names=names,
                  actor=lambda who: _actor(who, names), moves=_moves(found.status),
                  assignable=[(a.id, a.email) for a in people
                              if a.active and staff.may(a.role, Permission.WRITE)],
                  urgencies=list(Urgency), importances=list(Importance),
                  reasons=list(RejectionReason), levels=MATRIX,
                  acts=current_user.may(Permission.WRITE))


def _moves(status: str) -> list[str]:
    """Return the statuses the lifecycle allows next, in the lifecycle's order."""
    allowed = TRANSITIONS[ComplaintStatus(status)]
    return [s.value for s in ComplaintStatus if s in allowed]


def deadlines(found: store.ComplaintRow, at: datetime) -> list[dict[str, Any]]:
    """Return each deadline as it stands: met, time left, missed (business hours), or moot."""
    calendar = ecoute().engine.settings.complaints.calendar
    status = ComplaintStatus(found.status)
    shown = []
    for kind, due, met, applies in (
            ("acknowledge", found.acknowledge_due_at, found.acknowledged_at,
             status in AWAITING_ACKNOWLEDGEMENT),
            ("resolve", found.resolve_due_at, found.resolved_at, status in OPEN)):
        hours: float | None = None
        if met is not None:
            state = "met" if met <= due else "met_late"
        elif not applies:
            state = "moot"
        elif due < at:
            state, hours = "missed", calendar.business_hours_between(due, at)
        else:
            state, hours = "left", calendar.business_hours_between(at, due)
        shown.append({"kind": kind, "due": due, "met": met, "state": state,
                      "hours": round(hours, 1) if hours is not None else None})
    return shown


def _category(category: str, language: str) -> str:
    """Return the category's label in ``language`` (its id when the dialogue no longer has it)."""
    survey = ecoute().catalog.complaint()
    for question in survey.questions if survey else ():
        for option in question.options if question.id == "category" else ():
            if option.id == category:
                return pick(option.label, language)
    return category


def _actor(who: str, names: dict[int, str]) -> str:
    """Return who did a step, as staff read it: an email, the complainant, a token."""
    kind, _, number = who.partition(":")
    _ = gettext_for(console_language(), "console")
    if kind == "staff" and number.isdecimal():
        return names.get(int(number), who)
    if kind == "token":
        return _("API token {id}").format(id=number)
    return {"respondent": _("the complainant"), "cli": _("command line")}.get(who, who)
