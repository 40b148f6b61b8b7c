"""The deadline scan's queries: the complaints due a look, their reminder points, breaches.

Each complaint carries ``deadline_check_at``, the next moment the scan must look
at it (a reminder point or a deadline), under an index: the scan reads only the
rows that are due (:func:`claim_due`), never the open complaints as a whole.
On PostgreSQL those rows are claimed ``FOR UPDATE SKIP LOCKED``, so two workers
scanning at once take disjoint rows, and the second one finds them moved on.
A breach is a row unique per (complaint, deadline, due date): recording it twice
does nothing (:func:`record_breach` says whether it was new).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, select, update

from storage.complaints import ComplaintRow
from storage.db import Executor, connection_of, insert_for
from storage.models import Complaint, ComplaintBreach, StaffUser
from storage.vocabulary import StaffRole

MANAGERS = (StaffRole.MANAGER, StaffRole.ADMIN)


@dataclass(frozen=True)
class DueComplaint:
    """A complaint the scan must look at: the row the alerts name, its points, its assignee."""

    complaint: ComplaintRow
    acknowledge_remind_at: datetime | None
    resolve_remind_at: datetime | None
    assignee_id: int | None
    assignee_email: str | None


def arm(session: Executor, complaint_id: int, *, acknowledge_remind_at: datetime,
        resolve_remind_at: datetime, check_at: datetime | None) -> None:
    """Store a complaint's reminder points and the next moment the scan must look at it."""
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(
            acknowledge_remind_at=acknowledge_remind_at, resolve_remind_at=resolve_remind_at,
            deadline_check_at=check_at)
    )


def look_again(session: Executor, complaint_id: int, at: datetime | None) -> None:
    """Set when the scan looks at a complaint next (None: no deadline left to watch)."""
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(deadline_check_at=at)
    )


def due_dates_changed(session: Executor, complaint_id: int, now: datetime) -> None:
    """Forget a complaint's reminder points after its due dates changed: the scan recomputes them.

    Whoever moves a complaint's due dates (a new priority, say) calls this in the
    same transaction; the next scan computes the reminders from the new dates.
    """
    connection_of(session).execute(
        update(Complaint).where(Complaint.id == complaint_id).values(
            acknowledge_remind_at=None, resolve_remind_at=None, deadline_check_at=now)
    )


def look_again_all(session: Executor, nexts: list[tuple[int, datetime | None]]) -> None:
    """Set when the scan looks at each (complaint id, moment) next, in one statement."""
    if not nexts:
        return
    table = Complaint.__table__
    connection_of(session).execute(
        update(table).where(table.c.id == bindparam("b_id"))
        .values(deadline_check_at=bindparam("b_at")),
        [{"b_id": complaint_id, "b_at": at} for complaint_id, at in nexts],
    )


def any_due(session: Executor, now: datetime) -> bool:
    """Tell whether some complaint is due a look (a read: it takes no lock)."""
    return bool(connection_of(session).execute(
        select(exists().where(Complaint.deadline_check_at <= now))).scalar())


def claim_due(session: Executor, now: datetime, *, limit: int = 200) -> list[DueComplaint]:
    """Return (and on PostgreSQL lock, skipping locked ones) complaints due a look at ``now``."""
    fields = [getattr(Complaint, f) for f in ComplaintRow.__dataclass_fields__]
    rows = connection_of(session).execute(
        select(*fields, Complaint.acknowledge_remind_at, Complaint.resolve_remind_at,
               Complaint.assignee_id, StaffUser.email)
        .outerjoin(StaffUser, StaffUser.id == Complaint.assignee_id)
        .where(Complaint.deadline_check_at <= now)
        .order_by(Complaint.deadline_check_at, Complaint.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Complaint)
    ).all()
    count = len(fields)
    return [DueComplaint(ComplaintRow(*row[:count]), *row[count:]) for row in rows]


def record_breach(session: Executor, complaint_id: int, *, deadline: str, due_at: datetime,
                  detected_at: datetime, assignee_id: int | None) -> bool:
    """Record a missed deadline once; True if this call recorded it."""
    statement = insert_for(session)(ComplaintBreach).values(
        complaint_id=complaint_id, deadline=deadline, due_at=due_at, detected_at=detected_at,
        assignee_id=assignee_id,
    ).on_conflict_do_nothing(
        index_elements=["complaint_id", "deadline", "due_at"]
    ).returning(ComplaintBreach.id)
    return connection_of(session).execute(statement).first() is not None


def manager_emails(session: Executor) -> tuple[str, ...]:
    """Return the addresses of the active managers and admins (escalations name them)."""
    rows = connection_of(session).execute(
        select(StaffUser.email).where(StaffUser.role.in_(MANAGERS),
                                      StaffUser.disabled_at.is_(None))
        .order_by(StaffUser.email)
    ).scalars()
    return tuple(rows)
