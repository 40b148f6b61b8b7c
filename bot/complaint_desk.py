"""Filing complaints and moving them through their lifecycle, with the rules applied.

Usage::

    filed = complaint_desk.file(session, policy, Intake(...), now=now, actor="respondent")
    complaint_desk.move(session, filed.reference, ComplaintStatus.ACKNOWLEDGED,
                        actor="staff:3", now=later, note="We are on it", visible=True)

Everything runs in the caller's transaction: a filing that fails leaves no
number used (the counter rolls back with it), and every change of status is an
event of the complaint's history (who, when, the note, whether the complainant
sees it). The dialogue (:mod:`bot.complaint_intake`), and later the console and
the API, call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import complaints
from bot.complaint_policy import ComplaintPolicy
from bot.complaints import AWAITING_ACKNOWLEDGEMENT, OPEN, Reference
from storage import complaint_deadlines
from storage import complaints as store
from storage.complaints import ComplaintRow, NewComplaint
from storage.db import Executor
from storage.vocabulary import ComplaintStatus, Priority, RejectionReason, Urgency

MAX_DESCRIPTION = 4000


class IntakeError(ValueError):
    """A complaint that cannot be filed as given (empty or too long, unknown category)."""


class UnknownComplaint(LookupError):
    """No complaint has this reference."""


@dataclass(frozen=True)
class Intake:
    """What a person said when filing a complaint."""

    respondent_id: int | None
    conversation_id: int | None
    channel: str
    language: str
    category: str
    description: str
    urgency: Urgency
    contact_consent: bool
    own_reference: str | None = None
    photo_file_id: str | None = None


@dataclass(frozen=True)
class Filed:
    """A filed complaint: its reference, priority and due dates."""

    reference: str
    priority: Priority
    acknowledge_due_at: datetime
    resolve_due_at: datetime


def file(session: Executor, policy: ComplaintPolicy, intake: Intake, *, now: datetime,
         actor: str, categories: frozenset[str] | None = None) -> Filed:
    """File a complaint: number it, prioritise it, set its deadlines, record its first event."""
    description = intake.description.strip()
    if not description:
        raise IntakeError("the description is empty")
    if len(description) > MAX_DESCRIPTION:
        raise IntakeError(f"the description is over {MAX_DESCRIPTION} characters")
    if categories is not None and intake.category not in categories:
        raise IntakeError(f"there is no category {intake.category!r}")
    importance = policy.importance_of(intake.category)
    level = complaints.priority(intake.urgency, importance)
    acknowledge_by, resolve_by = policy.due(level, now)
    year = now.astimezone(policy.calendar.zone).year
    reference = Reference(year, store.next_number(session, year))
    complaint_id = store.add_complaint(session, NewComplaint(
        reference=str(reference), year=reference.year, number=reference.number,
        respondent_id=intake.respondent_id, conversation_id=intake.conversation_id,
        channel=intake.channel, language=intake.language, category=intake.category,
        description=description, own_reference=intake.own_reference,
        photo_file_id=intake.photo_file_id, urgency=Urgency(intake.urgency),
        importance=importance, priority=level, status=ComplaintStatus.RECEIVED,
        contact_consent=intake.contact_consent, acknowledge_due_at=acknowledge_by,
        resolve_due_at=resolve_by,
    ), actor=actor, now=now)
    remind_acknowledge, remind_resolve = policy.reminders(level, now)
    complaint_deadlines.arm(session, complaint_id, acknowledge_remind_at=remind_acknowledge,
                            resolve_remind_at=remind_resolve, check_at=remind_acknowledge)
    return Filed(str(reference), level, acknowledge_by, resolve_by)


def move(session: Executor, reference: str, status: ComplaintStatus, *, actor: str,
         now: datetime, note: str | None = None, visible: bool = False,
         reason: RejectionReason | None = None) -> ComplaintStatus:
    """Move a complaint to ``status`` if the lifecycle allows it; reopening raises its priority."""
    found = store.find(session, reference)
    if found is None:
        raise UnknownComplaint(reference)
    current, level = store.status_of(session, found.id)  # locked until the caller commits
    step(session, found.id, ComplaintStatus(current), Priority(level), status, actor=actor,
         now=now, note=note, visible=visible, reason=reason)
    return ComplaintStatus(status)


def step(session: Executor, complaint_id: int, current: ComplaintStatus, level: Priority,
         status: ComplaintStatus, *, actor: str, now: datetime, note: str | None = None,
         visible: bool = False, reason: RejectionReason | None = None) -> int:
    """Move a locked complaint from ``current`` if the lifecycle allows it; return the event id."""
    complaints.check_move(current, status, reason)
    raised = complaints.raised(level) if status is ComplaintStatus.REOPENED else None
    store.move(session, complaint_id, status=status, now=now, priority=raised)
    if status is ComplaintStatus.REOPENED:  # its resolution deadline is watched again
        complaint_deadlines.look_again(session, complaint_id, now)
    return store.add_event(session, complaint_id, actor=actor, status_from=current,
                           status_to=status, now=now, reason=reason, note=note,
                           visible=visible)


def for_owner(session: Executor, reference: str | None,
              respondent_id: int) -> ComplaintRow | None:
    """Return the complaint only to the person who filed it (None for anyone else, or none)."""
    parsed = Reference.parse(reference)
    if parsed is None:
        return None
    found = store.find(session, str(parsed))
    if found is None or found.respondent_id != respondent_id:
        return None
    return found


def next_due(complaint: ComplaintRow) -> datetime | None:
    """Return the next date the complainant can expect news by (None once it is settled)."""
    status = ComplaintStatus(complaint.status)
    if status in AWAITING_ACKNOWLEDGEMENT:
        return complaint.acknowledge_due_at
    if status in OPEN:
        return complaint.resolve_due_at
    return None


DEADLINES = store.Deadlines(acknowledge=frozenset(AWAITING_ACKNOWLEDGEMENT),
                            resolve=frozenset(OPEN))


def board(session: Executor, wanted: store.ComplaintFilter, *, limit: int,
          after: tuple[datetime, int] | None = None,
          older: bool = True) -> list[store.BoardRow]:
    """Return a page of the board: complaints the filter keeps, by filing time."""
    return store.board(session, wanted, DEADLINES, limit=limit, after=after, older=older)


def matrix(session: Executor, wanted: store.ComplaintFilter) -> dict[tuple[str, str], int]:
    """Return how many complaints the filter keeps in each cell of urgency × importance."""
    return store.matrix(session, wanted, DEADLINES)


def due_now(status: ComplaintStatus, acknowledge_due_at: datetime,
            resolve_due_at: datetime) -> tuple[str, datetime] | None:
    """Return the deadline that stands for a status (``acknowledge`` or ``resolve``), if any."""
    if ComplaintStatus(status) in AWAITING_ACKNOWLEDGEMENT:
        return "acknowledge", acknowledge_due_at
    if ComplaintStatus(status) in OPEN:
        return "resolve", resolve_due_at
    return None
