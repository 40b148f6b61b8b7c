"""Improvements ("you said, we did") as stored: writing them, linking feedback, their audience.

Rows in, rows out: :mod:`bot` decides what an improvement means (who may publish,
what the message says). The audience of an improvement is read through its
accepted links at the moment it is asked for: the people behind the linked
conversations and complaints, each once, never someone "forget" unlinked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, insert, select, union
from sqlalchemy.exc import IntegrityError

from storage.db import Executor
from storage.models import Complaint, Conversation, Improvement, ImprovementLink
from storage.vocabulary import ImprovementStatus, LinkSource


@dataclass(frozen=True)
class NewImprovement:
    """What staff wrote: what people said, what was done, in which language, what it concerns."""

    you_said: str
    we_did: str
    language: str
    created_by: str
    done_on: date | None = None
    concerns: dict[str, Any] | None = None


@dataclass(frozen=True)
class ImprovementRow:
    """An improvement as the core reads it."""

    id: int
    you_said: str
    we_did: str
    language: str
    done_on: date | None
    concerns: dict[str, Any]
    status: str
    created_by: str
    campaign_id: int | None
    created_at: datetime
    published_at: datetime | None


def create(session: Executor, new: NewImprovement, *, now: datetime) -> int:
    """Store a draft improvement; return its id."""
    return int(session.execute(insert(Improvement).values(
        you_said=new.you_said, we_did=new.we_did, language=new.language, done_on=new.done_on,
        concerns=new.concerns or {}, status=ImprovementStatus.DRAFT, created_by=new.created_by,
        created_at=now, updated_at=now,
    ).returning(Improvement.id)).scalar_one())


def find(session: Executor, improvement_id: int) -> ImprovementRow | None:
    """Return the improvement with this id, or None."""
    row = session.execute(select(
        Improvement.id, Improvement.you_said, Improvement.we_did, Improvement.language,
        Improvement.done_on, Improvement.concerns, Improvement.status, Improvement.created_by,
        Improvement.campaign_id, Improvement.created_at, Improvement.published_at,
    ).where(Improvement.id == improvement_id)).one_or_none()
    return None if row is None else ImprovementRow(*row)


def link(session: Executor, improvement_id: int, *, source: LinkSource, actor: str,
         now: datetime, conversations: Iterable[int] = (), complaints: Iterable[int] = (),
         accepted: bool = True) -> int:
    """Link conversations and complaints (by row id) to an improvement; return how many are new.

    A target already linked keeps its first link; linking it again is harmless.
    """
    added = 0
    targets = [("conversation_id", c) for c in conversations]
    targets += [("complaint_id", c) for c in complaints]
    for column, target in targets:
        try:
            with session.begin_nested():
                session.execute(insert(ImprovementLink).values(
                    improvement_id=improvement_id, source=source, accepted=accepted,
                    created_by=actor, created_at=now, **{column: target}))
            added += 1
        except IntegrityError:
            continue
    return added


def audience(improvement_id: int) -> Select[tuple[int]]:
    """Return a query of the distinct people behind an improvement's accepted links."""
    accepted = (ImprovementLink.improvement_id == improvement_id) & ImprovementLink.accepted
    by_conversation = (
        select(Conversation.respondent_id.label("respondent_id"))
        .join(ImprovementLink, ImprovementLink.conversation_id == Conversation.id)
        .where(accepted, Conversation.respondent_id.is_not(None)))
    by_complaint = (
        select(Complaint.respondent_id.label("respondent_id"))
        .join(ImprovementLink, ImprovementLink.complaint_id == Complaint.id)
        .where(accepted, Complaint.respondent_id.is_not(None)))
    people = union(by_conversation, by_complaint).subquery()
    return select(people.c.respondent_id)
