"""The complainant's side of a complaint in the store: notices, their answers, their messages.

What :mod:`bot.complaint_notices` and :mod:`bot.complaint_thread` read and write:
one history event with its complaint (to tell the complainant about it), the
complaint a person's answer or message belongs to, the resolution's question and
its answers (``resolution_asked_at``, ``closure``, ``handling_score``), the
complainant's own messages in the history, and when each notice was sent.

A notice is the outbox delivery keyed ``complaint-notice:<event id>``:
:func:`record_sent` copies its send time onto the event (``complaint_event.sent_at``).
:func:`claim_unanswered` takes the resolved complaints nobody answered in time with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never close one twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, and_, cast, exists, func, insert, literal, select, update

from storage.db import Executor, connection_of
from storage.models import Complaint, ComplaintEvent, Delivery, StaffUser
from storage.vocabulary import ComplaintStatus, DeliveryStatus, StaffRole

NOTICE_PREFIX = "complaint-notice:"


@dataclass(frozen=True)
class NoticeEvent:
    """One history event and what telling the complainant about it needs of its complaint."""

    event_id: int
    complaint_id: int
    reference: str
    respondent_id: int | None
    channel: str
    language: str
    contact_consent: bool
    status: str
    status_from: str | None
    status_to: str | None
    reason: str | None
    note: str | None
    visible: bool
    at: datetime


@dataclass(frozen=True)
class Theirs:
    """A complaint of one person, as their answers and messages need it."""

    id: int
    reference: str
    status: str
    resolution_asked_at: datetime | None
    closure: str | None
    handling_score: int | None
    closed_at: datetime | None


def notice_key(event_id: int) -> str:
    """Return the outbox key of the notice about one event."""
    return f"{NOTICE_PREFIX}{event_id}"


def event_of(session: Executor, event_id: int) -> NoticeEvent | None:
    """Return one event with its complaint's addressing facts, or None."""
    row = connection_of(session).execute(
        select(ComplaintEvent.id, Complaint.id, Complaint.reference, Complaint.respondent_id,
               Complaint.channel, Complaint.language, Complaint.contact_consent,
               Complaint.status, ComplaintEvent.status_from, ComplaintEvent.status_to,
               ComplaintEvent.reason, ComplaintEvent.note, ComplaintEvent.visible,
               ComplaintEvent.at)
        .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
        .where(ComplaintEvent.id == event_id)
    ).first()
    return NoticeEvent(*row) if row is not None else None


def latest_event_id(session: Executor, complaint_id: int) -> int | None:
    """Return the id of a complaint's newest event."""
    return connection_of(session).scalar(  # type: ignore[no-any-return]
        select(func.max(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == complaint_id))


_THEIRS = (Complaint.id, Complaint.reference, Complaint.status, Complaint.resolution_asked_at,
           Complaint.closure, Complaint.handling_score, Complaint.closed_at)


def theirs(session: Executor, respondent_id: int, *, reference: str | None = None,
           statuses: Collection[str] | None = None) -> Theirs | None:
    """Return the person's newest complaint (with this reference, in these statuses), or None."""
    statement = select(*_THEIRS).where(Complaint.respondent_id == respondent_id)
    if reference is not None:
        statement = statement.where(Complaint.reference == reference)
    if statuses:
        statement = statement.where(Complaint.status.in_(list(statuses)))
    row = connection_of(session).execute(
        statement.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(1)).first()
    return Theirs(*row) if row is not None else None


def awaiting_score(session: Executor, respondent_id: int, since: datetime) -> Theirs | None:
    """Return the person's complaint closed with their yes since ``since`` and not yet rated."""
    row = connection_of(session).execute(
        select(*_THEIRS).where(
            Complaint.respondent_id == respondent_id, Complaint.closure == "confirmed",
            Complaint.handling_score.is_(None), Complaint.closed_at >= since)
        .order_by(Complaint.closed_at.desc(), Complaint.id.desc()).limit(1)).first()
    return Theirs(*row) if row is not None else None


def mark_asked(session: Executor, complaint_id: int, now: datetime) -> None:
    """Remember when the complainant was asked whether the resolution settles it."""
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(resolution_asked_at=now))


def set_closure(session: Executor, complaint_id: int, closure: str) -> None:
    """Record how a resolved complaint was closed (confirmed or unconfirmed)."""
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(closure=closure))


def set_handling_score(session: Executor, complaint_id: int, score: int, now: datetime) -> bool:
    """Store the complainant's rating of the handling once; False if it was given already."""
    result = connection_of(session).execute(
        update(Complaint)
        .where(Complaint.id == complaint_id, Complaint.handling_score.is_(None))
        .values(handling_score=score, updated_at=now))
    return bool(result.rowcount)


def add_message(session: Executor, complaint_id: int, *, actor: str, text: str,
                now: datetime) -> int:
    """Add the complainant's message to the history (no status change, not a staff note)."""
    connection = connection_of(session)
    event_id = connection.execute(insert(ComplaintEvent).values(
        complaint_id=complaint_id, at=now, actor=actor, status_from=None, status_to=None,
        reason=None, note=text, visible=False,
    ).returning(ComplaintEvent.id)).scalar_one()
    connection.execute(update(Complaint).where(Complaint.id == complaint_id)
                       .values(updated_at=now))
    return int(event_id)


def claim_unanswered(session: Executor, asked_before: datetime, limit: int) -> list[str]:
    """Lock and return the references of resolved complaints unanswered since ``asked_before``.

    A complaint counts from when its question was asked, or from its resolution
    when it could not be asked (no consent to contact). Rows another worker holds
    are skipped on PostgreSQL.
    """
    connection = connection_of(session)
    since = func.coalesce(Complaint.resolution_asked_at, Complaint.resolved_at)
    statement = (select(Complaint.reference)
                 .where(Complaint.status == ComplaintStatus.RESOLVED, since <= asked_before)
                 .order_by(Complaint.id).limit(limit))
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(connection.scalars(statement))


def record_sent(session: Executor, since: datetime) -> int:
    """Copy each sent notice's send time onto its event (events from ``since`` on).

    Return how many events were marked.
    """
    key = literal(NOTICE_PREFIX, String) + cast(ComplaintEvent.id, String)
    sent = and_(Delivery.idempotency_key == key, Delivery.status == DeliveryStatus.SENT)
    result = connection_of(session).execute(
        update(ComplaintEvent)
        .where(ComplaintEvent.visible.is_(True), ComplaintEvent.sent_at.is_(None),
               ComplaintEvent.at >= since, exists().where(sent))
        .values(sent_at=select(Delivery.sent_at).where(sent).scalar_subquery()))
    return result.rowcount or 0


def staff_to_alert(session: Executor, complaint_id: int, *, managers: bool) -> tuple[str, ...]:
    """Return the emails of the complaint's assignee and, if asked, of the active managers."""
    assignee = select(Complaint.assignee_id).where(Complaint.id == complaint_id)
    who = StaffUser.id == assignee.scalar_subquery()
    if managers:
        who = who | (StaffUser.role == StaffRole.MANAGER)
    return tuple(connection_of(session).scalars(
        select(StaffUser.email).where(who, StaffUser.disabled_at.is_(None))
        .order_by(StaffUser.email)))
