"""The counts of the weekly digest that the dashboard does not give: complaints, improvements.

Rows and counts only; :mod:`bot.digest` decides what a digest says. Missed
deadlines are read from the complaints' own due dates: an open complaint past
``resolve_due_at``, or past ``acknowledge_due_at`` without acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from storage.db import Executor
from storage.models import Complaint, Improvement, Reaction
from storage.vocabulary import ComplaintStatus, ImprovementStatus

SETTLED = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED, ComplaintStatus.REJECTED)


def new_complaints(session: Executor, since: datetime, until: datetime) -> dict[str, int]:
    """Return how many complaints were filed in [since, until), by category."""
    stmt = (select(Complaint.category, func.count(Complaint.id))
            .where(Complaint.created_at >= since, Complaint.created_at < until)
            .group_by(Complaint.category))
    return {category: int(count) for category, count in session.execute(stmt)}


def missed_deadlines(session: Executor, now: datetime) -> int:
    """Return how many open complaints are past a deadline at ``now``."""
    late = or_(
        Complaint.resolve_due_at < now,
        and_(Complaint.acknowledged_at.is_(None), Complaint.acknowledge_due_at < now),
    )
    return int(session.scalar(select(func.count(Complaint.id)).where(
        Complaint.status.not_in([s.value for s in SETTLED]), late)) or 0)


@dataclass(frozen=True)
class Published:
    """An improvement published in the period, what it concerns, and the reactions to it."""

    id: int
    we_did: str
    concerns: dict[str, Any]
    reactions: dict[str, int]


def published(session: Executor, since: datetime, until: datetime) -> list[Published]:
    """Return the improvements published in [since, until), oldest first, with reactions."""
    rows = session.execute(
        select(Improvement.id, Improvement.we_did, Improvement.concerns)
        .where(Improvement.status == ImprovementStatus.PUBLISHED,
               Improvement.published_at >= since, Improvement.published_at < until)
        .order_by(Improvement.published_at, Improvement.id)).all()
    counts: dict[int, dict[str, int]] = {}
    if rows:
        for improvement_id, answer, count in session.execute(
                select(Reaction.improvement_id, Reaction.answer, func.count(Reaction.id))
                .where(Reaction.improvement_id.in_([r.id for r in rows]))
                .group_by(Reaction.improvement_id, Reaction.answer)):
            counts.setdefault(improvement_id, {})[answer] = int(count)
    return [Published(r.id, r.we_did, dict(r.concerns or {}), counts.get(r.id, {}))
            for r in rows]
