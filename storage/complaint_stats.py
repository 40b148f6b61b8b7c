"""The rows complaint analytics are made of: each complaint's milestones, and missed deadlines.

A period's complaints are those received in it (``created_at``). For each one the
store returns its category, status, deadlines and milestones: the first response
(the first move out of ``received``, whoever made it and to whichever status),
its resolution, the handling score, and whether it was ever reopened. The core
(:mod:`bot.complaint_stats`) turns them into shares, medians and rates. The
breaches of those complaints come with whoever had each one when it was missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select

from storage.db import Executor, connection_of
from storage.models import Complaint, ComplaintBreach, ComplaintEvent, StaffUser
from storage.vocabulary import ComplaintStatus


@dataclass(frozen=True)
class HandledRow:
    """One complaint's milestones, as analytics need them."""

    category: str
    status: str
    created_at: datetime
    acknowledge_due_at: datetime
    responded_at: datetime | None
    resolve_due_at: datetime
    resolved_at: datetime | None
    handling_score: int | None
    reopened: bool


@dataclass(frozen=True)
class BreachRow:
    """A missed deadline: the complaint, the deadline, when it was due, who had it."""

    reference: str
    category: str
    deadline: str
    due_at: datetime
    detected_at: datetime
    assignee: str | None


def _period(since: datetime | None, until: datetime | None) -> list[object]:
    """Return the conditions of complaints received in [since, until)."""
    conditions: list[object] = []
    if since is not None:
        conditions.append(Complaint.created_at >= since)
    if until is not None:
        conditions.append(Complaint.created_at < until)
    return conditions


def handled(session: Executor, since: datetime | None, until: datetime | None
            ) -> list[HandledRow]:
    """Return the milestones of the complaints received in the period."""
    first = (select(ComplaintEvent.complaint_id, func.min(ComplaintEvent.at).label("at"))
             .where(ComplaintEvent.status_from == ComplaintStatus.RECEIVED)
             .group_by(ComplaintEvent.complaint_id).subquery())
    reopened = exists().where(ComplaintEvent.complaint_id == Complaint.id,
                              ComplaintEvent.status_to == ComplaintStatus.REOPENED)
    rows = connection_of(session).execute(
        select(Complaint.category, Complaint.status, Complaint.created_at,
               Complaint.acknowledge_due_at, first.c.at, Complaint.resolve_due_at,
               Complaint.resolved_at, Complaint.handling_score, reopened)
        .outerjoin(first, first.c.complaint_id == Complaint.id)
        .where(*_period(since, until))
    ).all()
    return [HandledRow(*row) for row in rows]


def breaches(session: Executor, since: datetime | None, until: datetime | None, *,
             limit: int = 200) -> list[BreachRow]:
    """Return the missed deadlines of the period's complaints, the latest due first."""
    rows = connection_of(session).execute(
        select(Complaint.reference, Complaint.category, ComplaintBreach.deadline,
               ComplaintBreach.due_at, ComplaintBreach.detected_at, StaffUser.email)
        .join(Complaint, Complaint.id == ComplaintBreach.complaint_id)
        .outerjoin(StaffUser, StaffUser.id == ComplaintBreach.assignee_id)
        .where(*_period(since, until))
        .order_by(ComplaintBreach.due_at.desc(), ComplaintBreach.id.desc())
        .limit(limit)
    ).all()
    return [BreachRow(*row) for row in rows]


def breaches_by_assignee(session: Executor, since: datetime | None, until: datetime | None
                         ) -> list[tuple[str | None, int]]:
    """Return how many deadlines each assignee missed (None: nobody had the complaint)."""
    count = func.count(ComplaintBreach.id)
    rows = connection_of(session).execute(
        select(StaffUser.email, count)
        .select_from(ComplaintBreach)
        .join(Complaint, Complaint.id == ComplaintBreach.complaint_id)
        .outerjoin(StaffUser, StaffUser.id == ComplaintBreach.assignee_id)
        .where(*_period(since, until))
        .group_by(StaffUser.email)
        .order_by(count.desc(), StaffUser.email)
    ).all()
    return [(email, int(n)) for email, n in rows]
