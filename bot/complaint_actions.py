"""What staff do to a complaint, by any path (console, API): the one function :func:`apply`.

Usage::

    result = complaint_actions.apply(session, settings, "R-2026-0042",
                                     StaffChange(status=ComplaintStatus.ACKNOWLEDGED,
                                                 note="We are on it", visible=True),
                                     actor="staff:3", now=now)

A change may set the status (the lifecycle's moves only: :func:`bot.complaints.check_move`;
a rejection carries its reason), add a note (for the staff, or ``visible`` to the
complainant), assign the complaint (``assignee``: a staff account id; ``unassign``),
and adjust its urgency or importance. Everything runs in the caller's transaction:
a refused change (:class:`ChangeError`) leaves nothing behind.

Each part of a change is one event of the complaint's history, in this order: the
assignment, the adjustment, then the status move or the note (a note given with a
status move is that move's note). :class:`ChangeResult` names the events recorded.
One audit entry names them (never the note's words), and one ``complaint.updated``
webhook event is planned through the signed webhooks (:mod:`bot.webhook_events`).

**Adjusting urgency or importance** recomputes the priority from the matrix (raised
one level again while the complaint is reopened, as reopening raised it). The
deadlines not yet met are recomputed from the filing time with the new priority's
delays, but only ever brought *earlier* (never before now): the date promised to the
complainant stays a promise, so lowering a priority never postpones it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from bot import complaint_desk, complaint_notices, complaints, staff, webhook_events
from bot.context import EngineSettings
from bot.i18n import gettext_for
from storage import complaint_deadlines
from storage import complaints as store
from storage import staff as accounts
from storage.vocabulary import (
    AuditAction,
    ComplaintEventKind,
    ComplaintStatus,
    Importance,
    Priority,
    RejectionReason,
    Urgency,
    WebhookEvent,
)

MAX_NOTE = 4000


class Refusal(StrEnum):
    """Why a change was refused; :data:`STATUS` gives each its HTTP status."""

    UNKNOWN_COMPLAINT = "not_found"
    EMPTY = "empty_change"
    BAD_VALUE = "bad_value"
    EMPTY_NOTE = "empty_note"
    LONG_NOTE = "note_too_long"
    NEEDS_REASON = "reason_required"
    STRAY_REASON = "reason_without_rejection"
    UNKNOWN_ASSIGNEE = "unknown_assignee"
    FORBIDDEN_MOVE = "forbidden_move"


STATUS = {Refusal.UNKNOWN_COMPLAINT: 404, Refusal.FORBIDDEN_MOVE: 409}  # every other: 400


class ChangeError(ValueError):
    """A change refused: ``refusal`` says why, ``str()`` in English, :meth:`explain` in any."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        self.refusal, self.detail = refusal, detail
        super().__init__(self.explain("en"))

    @property
    def status(self) -> int:
        """Return the HTTP status that answers this refusal."""
        return STATUS.get(self.refusal, 400)

    def explain(self, language: str) -> str:
        """Return the sentence saying why, in ``language``."""
        _ = gettext_for(language, "console")
        return {
            Refusal.UNKNOWN_COMPLAINT: _("There is no complaint with this reference."),
            Refusal.EMPTY: _("Nothing to change: give a status, a note, an assignee, "
                             "an urgency or an importance."),
            Refusal.BAD_VALUE: _("This value is not one Écoute knows: {detail}."),
            Refusal.EMPTY_NOTE: _("A note sent to the complainant cannot be empty."),
            Refusal.LONG_NOTE: _("A note has at most 4000 characters."),
            Refusal.NEEDS_REASON: _("A rejection needs a reason: not a complaint, "
                                    "or out of scope."),
            Refusal.STRAY_REASON: _("A reason goes with a rejection only."),
            Refusal.UNKNOWN_ASSIGNEE: _("There is no active manager or admin with this id."),
            Refusal.FORBIDDEN_MOVE: _("This status change is not allowed: {detail}."),
        }[self.refusal].format(detail=self.detail)


@dataclass(frozen=True)
class StaffChange:
    """What a staff member asks: each field None (or False) leaves that part as it is."""

    status: ComplaintStatus | None = None
    note: str | None = None
    visible: bool = False
    assignee: int | None = None
    unassign: bool = False
    urgency: Urgency | None = None
    importance: Importance | None = None
    reason: RejectionReason | None = None

    @classmethod
    def parse(cls, given: Mapping[str, Any]) -> StaffChange:
        """Read a change from form or JSON values (``assignee``: an id; null or "none": nobody)."""
        def pick(name: str, kind: type[StrEnum]) -> Any:
            value = given.get(name)
            if value in (None, ""):
                return None
            try:
                return kind(value)
            except ValueError:
                raise ChangeError(Refusal.BAD_VALUE, f"{name} {str(value)[:40]!r}") from None

        assignee = given.get("assignee", "")
        if assignee == "none":  # the console's "nobody"
            assignee = None
        if isinstance(assignee, str) and assignee.isdecimal():
            assignee = int(assignee)
        if not (assignee in ("", None) or (isinstance(assignee, int)
                                            and not isinstance(assignee, bool))):
            raise ChangeError(Refusal.BAD_VALUE, f"assignee {str(assignee)[:40]!r}")
        note = given.get("note")
        if note is not None and not isinstance(note, str):
            raise ChangeError(Refusal.BAD_VALUE, "note")
        visible = given.get("visible", False)
        if not isinstance(visible, bool):
            visible = str(visible).lower() in ("1", "true", "on", "yes")
        return cls(status=pick("status", ComplaintStatus), note=note, visible=visible,
                   assignee=assignee or None,
                   unassign="assignee" in given and assignee is None,
                   urgency=pick("urgency", Urgency), importance=pick("importance", Importance),
                   reason=pick("reason", RejectionReason))


@dataclass(frozen=True)
class ChangeResult:
    """A change applied: the events recorded (oldest first) and where the complaint stands."""

    reference: str
    event_ids: tuple[int, ...]
    status: ComplaintStatus
    priority: Priority
    assignee: int | None


def apply(session: Session, settings: EngineSettings, reference: str, change: StaffChange, *,
          actor: str, now: datetime) -> ChangeResult:
    """Apply a staff member's change to a complaint, or refuse it whole (:class:`ChangeError`)."""
    note = _checked(change)
    found = store.lock(session, reference)
    if found is None:
        raise ChangeError(Refusal.UNKNOWN_COMPLAINT)
    events: list[int] = []
    assignee = found.assignee_id
    if (change.assignee is not None or change.unassign) and change.assignee != assignee:
        assignee = change.assignee
        events.append(_assign(session, found, assignee, actor=actor, now=now))
    level = _adjust(session, settings, found, change, actor=actor, now=now, events=events)
    status = ComplaintStatus(found.status)
    if change.status is not None:
        try:
            events.append(complaint_desk.step(
                session, found.id, status, level, change.status, actor=actor, now=now,
                note=note, visible=change.visible and note is not None, reason=change.reason))
        except complaints.LifecycleError as error:
            raise ChangeError(Refusal.FORBIDDEN_MOVE, f"{status} → {change.status}") from error
        status = change.status
        level = complaints.raised(level) if status is ComplaintStatus.REOPENED else level
    elif note is not None:
        events.append(store.add_event(session, found.id, actor=actor, status_from=None,
                                      status_to=None, now=now, note=note,
                                      visible=change.visible, kind=ComplaintEventKind.NOTE))
    if not events:
        raise ChangeError(Refusal.EMPTY)
    result = ChangeResult(found.reference, tuple(events), status, level, assignee)
    _after(session, settings, found, change, result, actor=actor, now=now)
    return result


def _checked(change: StaffChange) -> str | None:
    """Refuse what is wrong whatever the complaint; return the note, stripped (None: no note)."""
    note = (change.note or "").strip() or None
    if change.note is not None and note is None and change.visible:
        raise ChangeError(Refusal.EMPTY_NOTE)
    if note is not None and len(note) > MAX_NOTE:
        raise ChangeError(Refusal.LONG_NOTE)
    if change.status is ComplaintStatus.REJECTED and change.reason is None:
        raise ChangeError(Refusal.NEEDS_REASON)
    if change.reason is not None and change.status is not ComplaintStatus.REJECTED:
        raise ChangeError(Refusal.STRAY_REASON)
    if (change.status, note, change.assignee, change.urgency, change.importance) == \
            (None, None, None, None, None) and not change.unassign:
        raise ChangeError(Refusal.EMPTY)
    return note


def _assign(session: Session, found: store.LockedComplaint, assignee: int | None, *,
            actor: str, now: datetime) -> int:
    """Give the complaint to an active manager or admin (or to nobody); return the event id."""
    if assignee is not None:
        account = accounts.account_by_id(session, assignee)
        if account is None or not account.active \
                or not staff.may(account.role, staff.Permission.WRITE):
            raise ChangeError(Refusal.UNKNOWN_ASSIGNEE)
    store.assign(session, found.id, assignee, now)
    return store.add_event(session, found.id, actor=actor, status_from=None, status_to=None,
                           now=now, kind=ComplaintEventKind.ASSIGNMENT, assignee_id=assignee)


def _adjust(session: Session, settings: EngineSettings, found: store.LockedComplaint,
            change: StaffChange, *, actor: str, now: datetime, events: list[int]) -> Priority:
    """Set a new urgency or importance, recompute priority and deadlines; return the priority."""
    urgency = change.urgency or Urgency(found.urgency)
    importance = change.importance or Importance(found.importance)
    if (urgency, importance) == (found.urgency, found.importance):
        return Priority(found.priority)
    level = complaints.priority(urgency, importance)
    if found.status == ComplaintStatus.REOPENED:
        level = complaints.raised(level)
    acknowledge_by, resolve_by = settings.complaints.due(level, found.created_at)
    acknowledge_due = _sooner(found.acknowledge_due_at, acknowledge_by, now,
                              met=found.acknowledged_at is not None)
    resolve_due = _sooner(found.resolve_due_at, resolve_by, now,
                          met=found.resolved_at is not None)
    store.adjust(session, found.id, urgency=urgency, importance=importance, priority=level,
                 acknowledge_due_at=acknowledge_due, resolve_due_at=resolve_due, now=now)
    if (acknowledge_due, resolve_due) != (found.acknowledge_due_at, found.resolve_due_at):
        complaint_deadlines.due_dates_changed(session, found.id, now)  # new reminder points
    events.append(store.add_event(
        session, found.id, actor=actor, status_from=None, status_to=None, now=now,
        kind=ComplaintEventKind.PRIORITY, urgency=urgency, importance=importance,
        priority=level))
    return level


def _sooner(promised: datetime, recomputed: datetime, now: datetime, *, met: bool) -> datetime:
    """Return a deadline brought earlier by a higher priority: never later, never before now."""
    if met:
        return promised
    return min(promised, max(recomputed, now))


def _after(session: Session, settings: EngineSettings, found: store.LockedComplaint,
           change: StaffChange, result: ChangeResult, *, actor: str, now: datetime) -> None:
    """Audit the change, tell the complainant if they should hear of it, fire the webhook."""
    staff.audit(session, now, actor, AuditAction.COMPLAINT_UPDATED, found.reference,
                events=list(result.event_ids), status=result.status.value,
                assignee=result.assignee, urgency=change.urgency, importance=change.importance,
                note=change.note is not None, visible=change.visible)
    for event_id in result.event_ids:  # the complainant hears of the visible ones
        complaint_notices.after_event(session, settings, event_id, now=now)
    changed = store.find(session, found.reference)
    assert changed is not None
    webhook_events.emit(
        session, WebhookEvent.COMPLAINT_UPDATED,
        {**payload(settings, changed), "change": {
            "status_from": found.status if change.status else None,
            "status_to": change.status, "reason": change.reason,
            "note": change.note is not None, "visible": change.visible,
            "assignee_changed": result.assignee != found.assignee_id,
            "priority_from": found.priority, "events": list(result.event_ids)}},
        subject=f"{found.reference}:{result.event_ids[0]}", now=now,
        about_respondent_id=found.respondent_id)


def payload(settings: EngineSettings, complaint: store.ComplaintRow) -> dict[str, Any]:
    """Return what a complaint webhook says of a complaint: never the complainant's words."""
    return {
        "reference": complaint.reference, "category": complaint.category,
        "channel": complaint.channel, "urgency": complaint.urgency,
        "importance": complaint.importance, "priority": complaint.priority,
        "status": complaint.status, "assignee": complaint.assignee_id,
        "acknowledge_due_at": _iso(complaint.acknowledge_due_at),
        "resolve_due_at": _iso(complaint.resolve_due_at),
        "link": f"{settings.console_url}/admin/complaints/{complaint.reference}",
    }


def _iso(moment: datetime) -> str:
    """Return a time as the webhook events write it: UTC, ISO 8601 with a ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def announce_filed(session: Session | Any, settings: EngineSettings, reference: str, *,
                   now: datetime) -> None:
    """Plan the ``complaint.created`` webhook event of a complaint just filed."""
    filed = store.find(session, reference)
    if filed is None:
        return
    webhook_events.emit(session, WebhookEvent.COMPLAINT_CREATED, payload(settings, filed),
                        subject=reference, now=now, about_respondent_id=filed.respondent_id)
