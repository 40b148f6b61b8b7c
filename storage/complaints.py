"""Complaints in the store: the gap-free counter, the complaint rows and their history.

:func:`next_number` gives the next number of a year in the caller's transaction
with one atomic statement (``INSERT … ON CONFLICT DO UPDATE … RETURNING``): on
PostgreSQL the counter row stays locked until that transaction ends, so
concurrent writers queue on it and a rolled-back filing gives its number back;
SQLite has one writer at a time. Numbers are therefore unique and gap-free per
year. The meaning (references, priorities, allowed moves) is the core's
(:mod:`bot.complaints`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, or_, select, tuple_, update

from storage.db import Executor, connection_of, insert_for
from storage.models import Complaint, ComplaintCounter, ComplaintEvent
from storage.models.complaints import OPEN_STATUSES


@dataclass(frozen=True)
class NewComplaint:
    """What a filed complaint is made of (its number comes from the counter)."""

    reference: str
    year: int
    number: int
    respondent_id: int | None
    conversation_id: int | None
    channel: str
    language: str
    category: str
    description: str
    own_reference: str | None
    photo_file_id: str | None
    urgency: str
    importance: str
    priority: str
    status: str
    contact_consent: bool
    acknowledge_due_at: datetime
    resolve_due_at: datetime


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint as the core reads it."""

    id: int
    reference: str
    respondent_id: int | None
    channel: str
    language: str
    category: str
    description: str | None
    own_reference: str | None
    photo_file_id: str | None
    urgency: str
    importance: str
    priority: str
    status: str
    contact_consent: bool
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    created_at: datetime
    assignee_id: int | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    """One step of a complaint's history."""

    at: datetime
    actor: str
    status_from: str | None
    status_to: str | None
    reason: str | None
    note: str | None
    visible: bool
    sent_at: datetime | None
    id: int
    kind: str
    assignee_id: int | None
    urgency: str | None
    importance: str | None
    priority: str | None


def next_number(session: Executor, year: int) -> int:
    """Return the next number of ``year`` (1 for the first), in the caller's transaction."""
    table = ComplaintCounter.__table__
    statement = (
        insert_for(session)(table)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return int(connection_of(session).execute(statement).scalar_one())


def add_complaint(session: Executor, new: NewComplaint, *, actor: str, now: datetime) -> int:
    """Store a new complaint and its first event (received); return its id."""
    connection = connection_of(session)
    complaint_id = connection.execute(
        insert(Complaint).values(**new.__dict__, created_at=now, updated_at=now)
        .returning(Complaint.id)
    ).scalar_one()
    add_event(connection, complaint_id, actor=actor, status_from=None, status_to=new.status,
              now=now)
    return int(complaint_id)


def add_event(session: Executor, complaint_id: int, *, actor: str, status_from: str | None,
              status_to: str | None, now: datetime, reason: str | None = None,
              note: str | None = None, visible: bool = False, kind: str = "status",
              **change: str | int | None) -> int:
    """Record one step of a complaint's history; return its id.

    ``change`` holds what an assignment or an adjustment set: ``assignee_id``,
    ``urgency``, ``importance``, ``priority``.
    """
    return int(connection_of(session).execute(insert(ComplaintEvent).values(
        complaint_id=complaint_id, at=now, actor=actor, status_from=status_from,
        status_to=status_to, reason=reason, note=note, visible=visible, kind=kind, **change,
    ).returning(ComplaintEvent.id)).scalar_one())


def find(session: Executor, reference: str) -> ComplaintRow | None:
    """Return the complaint with this reference, if any."""
    row = connection_of(session).execute(
        select(*(getattr(Complaint, f) for f in ComplaintRow.__dataclass_fields__))
        .where(Complaint.reference == reference)
    ).first()
    return ComplaintRow(*row) if row is not None else None


def latest_of(session: Executor, respondent_id: int, limit: int = 3) -> list[ComplaintRow]:
    """Return a person's most recent complaints, newest first."""
    rows = connection_of(session).execute(
        select(*(getattr(Complaint, f) for f in ComplaintRow.__dataclass_fields__))
        .where(Complaint.respondent_id == respondent_id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit)
    ).all()
    return [ComplaintRow(*row) for row in rows]


def history(session: Executor, complaint_id: int) -> list[EventRow]:
    """Return a complaint's events, oldest first."""
    rows = connection_of(session).execute(
        select(*(getattr(ComplaintEvent, f) for f in EventRow.__dataclass_fields__))
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    ).all()
    return [EventRow(*row) for row in rows]


def move(session: Executor, complaint_id: int, *, status: str, now: datetime,
         priority: str | None = None) -> None:
    """Set a complaint's status (and its priority when given), stamping the milestone."""
    values: dict[str, object] = {"status": status, "updated_at": now}
    stamp = {"acknowledged": "acknowledged_at", "resolved": "resolved_at",
             "closed": "closed_at", "rejected": "closed_at"}.get(status)
    if stamp is not None:
        values[stamp] = now
    if priority is not None:
        values["priority"] = priority
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(**values)
    )


def status_of(session: Executor, complaint_id: int) -> tuple[str, str]:
    """Return a complaint's (status, priority), locking its row on PostgreSQL until commit."""
    row = connection_of(session).execute(
        select(Complaint.status, Complaint.priority).where(Complaint.id == complaint_id)
        .with_for_update()
    ).one()
    return row.status, row.priority


# The board: staff assignments and adjustments, the filtered list and the matrix (issue #12)


@dataclass(frozen=True)
class LockedComplaint:
    """A complaint's workflow state, its row locked (PostgreSQL) until the caller commits."""

    id: int
    reference: str
    status: str
    urgency: str
    importance: str
    priority: str
    assignee_id: int | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    created_at: datetime
    respondent_id: int | None
    category: str
    channel: str


def lock(session: Executor, reference: str) -> LockedComplaint | None:
    """Return the complaint with this reference, locking its row until commit (None: none)."""
    row = connection_of(session).execute(
        select(*(getattr(Complaint, f) for f in LockedComplaint.__dataclass_fields__))
        .where(Complaint.reference == reference).with_for_update()
    ).first()
    return LockedComplaint(*row) if row is not None else None


def assign(session: Executor, complaint_id: int, assignee_id: int | None, now: datetime) -> None:
    """Give a complaint to a staff member (None: to nobody)."""
    connection_of(session).execute(update(Complaint).where(Complaint.id == complaint_id)
                                   .values(assignee_id=assignee_id, updated_at=now))


def adjust(session: Executor, complaint_id: int, *, urgency: str, importance: str,
           priority: str, acknowledge_due_at: datetime, resolve_due_at: datetime,
           now: datetime) -> None:
    """Set a complaint's urgency, importance, priority and deadlines, as staff adjusted them."""
    connection_of(session).execute(update(Complaint).where(Complaint.id == complaint_id).values(
        urgency=urgency, importance=importance, priority=priority,
        acknowledge_due_at=acknowledge_due_at, resolve_due_at=resolve_due_at, updated_at=now))


@dataclass(frozen=True)
class ComplaintFilter:
    """What the board shows: each field narrows it (empty, None or False: no narrowing)."""

    statuses: tuple[str, ...] = ()
    priority: str | None = None
    category: str | None = None
    channel: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    urgency: str | None = None
    importance: str | None = None
    overdue_at: datetime | None = None  # only complaints past a deadline at this time


@dataclass(frozen=True)
class Deadlines:
    """The statuses whose deadline is acknowledgement, and those whose deadline is resolution."""

    acknowledge: frozenset[str]
    resolve: frozenset[str]


@dataclass(frozen=True)
class BoardRow:
    """One complaint on the board (never the complainant's words)."""

    id: int
    reference: str
    created_at: datetime
    category: str
    channel: str
    urgency: str
    importance: str
    priority: str
    status: str
    assignee_id: int | None
    acknowledge_due_at: datetime
    resolve_due_at: datetime


def _conditions(wanted: ComplaintFilter, deadlines: Deadlines, *,
                hide_status: bool = False) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of a filter (``hide_status``: so no index on it is used)."""
    found: list[ColumnElement[bool]] = []
    status = Complaint.status.concat("") if hide_status else Complaint.status
    if wanted.statuses:  # written out, so the open ones' partial index serves the board
        found.append(status.in_(
            bindparam("statuses", list(wanted.statuses), expanding=True, literal_execute=True)))
    for name in ("priority", "category", "channel", "urgency", "importance", "assignee_id"):
        value = getattr(wanted, name)
        if value is not None:
            found.append(getattr(Complaint, name) == value)
    if wanted.unassigned:
        found.append(Complaint.assignee_id.is_(None))
    if wanted.overdue_at is not None:
        found.append(or_(
            and_(status.in_(deadlines.acknowledge),
                 Complaint.acknowledge_due_at < wanted.overdue_at),
            and_(status.in_(deadlines.resolve),
                 Complaint.resolve_due_at < wanted.overdue_at)))
    return found


def board(session: Executor, wanted: ComplaintFilter, deadlines: Deadlines, *, limit: int,
          after: tuple[datetime, int] | None = None, older: bool = True) -> list[BoardRow]:
    """Return up to ``limit`` complaints past ``after`` (newest first when ``older``)."""
    key = tuple_(Complaint.created_at, Complaint.id)
    connection = connection_of(session)
    # SQLite without ANALYZE's figures would pick a status index, then sort every open complaint:
    # hiding the status from its indexes leaves it the filing time's, already in order
    hidden = connection.dialect.name == "sqlite" and wanted.statuses == OPEN_STATUSES
    statement = select(*(getattr(Complaint, f) for f in BoardRow.__dataclass_fields__)) \
        .where(*_conditions(wanted, deadlines, hide_status=hidden))
    if after is not None:
        statement = statement.where(key < tuple_(*after) if older else key > tuple_(*after))

    order = (Complaint.created_at.desc(), Complaint.id.desc()) if older \
        else (Complaint.created_at, Complaint.id)
    rows = connection.execute(statement.order_by(*order).limit(limit)).all()
    return [BoardRow(*row) for row in rows]


def matrix(session: Executor, wanted: ComplaintFilter,
           deadlines: Deadlines) -> dict[tuple[str, str], int]:
    """Return how many complaints the filter keeps, per (urgency, importance)."""
    rows = connection_of(session).execute(
        select(Complaint.urgency, Complaint.importance, func.count())
        .where(*_conditions(wanted, deadlines))
        .group_by(Complaint.urgency, Complaint.importance)
    ).all()
    return {(urgency, importance): int(count) for urgency, importance, count in rows}

