"""Improvements ("you said, we did") as stored: writing them, linking feedback, their audience.

Rows in, rows out: :mod:`bot` decides what an improvement means (who may publish,
what the message says). The audience of an improvement is read through its
accepted links at the moment it is asked for: the people behind the linked
conversations and complaints, each once, never someone "forget" unlinked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Subquery, insert, select, union, update
from sqlalchemy.exc import IntegrityError

from storage.db import Executor
from storage.models import (
    Answer,
    Complaint,
    Conversation,
    Delivery,
    Improvement,
    ImprovementLink,
    Reaction,
    SurveyVersion,
)
from storage.vocabulary import DeliveryStatus, ImprovementStatus, LinkSource, ReactionAnswer


@dataclass(frozen=True)
class NewImprovement:
    """What staff wrote: what people said, what was done, in which language, what it concerns."""

    you_said: str
    we_did: str
    language: str
    created_by: str
    done_on: date | None = None
    concerns: dict[str, Any] | None = None
    idempotency: str | None = None  # names the request that made it, for good


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
    """Store a draft improvement; return its id (an idempotent one: :func:`create_once`)."""
    return create_once(session, new, now=now).id


@dataclass(frozen=True)
class Made:
    """The draft a request names, and whether this call stored it (False: an earlier one did)."""

    id: int
    first: bool


def create_once(session: Executor, new: NewImprovement, *, now: datetime) -> Made:
    """Store a draft improvement once per ``new.idempotency``; say whether this call stored it.

    The draft that request made already (by an earlier call or a concurrent one,
    refused by the unique key) is returned with ``first=False``, so the caller
    audits one creation. Without ``new.idempotency`` every call stores a draft.
    """
    statement = insert(Improvement).values(
        you_said=new.you_said, we_did=new.we_did, language=new.language, done_on=new.done_on,
        concerns=new.concerns or {}, status=ImprovementStatus.DRAFT, created_by=new.created_by,
        created_at=now, updated_at=now, idempotency=new.idempotency,
    ).returning(Improvement.id)
    if new.idempotency is None:
        return Made(int(session.execute(statement).scalar_one()), first=True)
    made = by_idempotency(session, new.idempotency)
    if made is not None:
        return Made(made, first=False)
    try:
        with session.begin_nested():  # type: ignore[union-attr]
            return Made(int(session.execute(statement).scalar_one()), first=True)
    except IntegrityError:  # the same request, at the same moment, made it first
        made = by_idempotency(session, new.idempotency)
        assert made is not None, "the unique key that refused the row names it"
        return Made(made, first=False)


def by_idempotency(session: Executor, idempotency: str) -> int | None:
    """Return the id of the improvement the request named ``idempotency`` made, or None."""
    return session.execute(select(Improvement.id).where(
        Improvement.idempotency == idempotency)).scalar_one_or_none()


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
    people = linked_people([improvement_id])
    return select(people.c.respondent_id)


def linked_people(ids: Sequence[int]) -> Subquery:
    """Return the distinct (improvement_id, respondent_id) pairs behind the accepted links."""
    accepted = ImprovementLink.improvement_id.in_(list(ids)) & ImprovementLink.accepted
    by_conversation = (
        select(ImprovementLink.improvement_id.label("improvement_id"),
               Conversation.respondent_id.label("respondent_id"))
        .join(Conversation, ImprovementLink.conversation_id == Conversation.id)
        .where(accepted, Conversation.respondent_id.is_not(None)))
    by_complaint = (
        select(ImprovementLink.improvement_id.label("improvement_id"),
               Complaint.respondent_id.label("respondent_id"))
        .join(Complaint, ImprovementLink.complaint_id == Complaint.id)
        .where(accepted, Complaint.respondent_id.is_not(None)))
    return union(by_conversation, by_complaint).subquery()


# Publishing and announcing (bot.announcements): the row locked while publishing, what the
# personal message recalls, the reactions and the public list (the effect's counts:
# storage.improvement_effects).


def lock(session: Executor, improvement_id: int) -> ImprovementRow | None:
    """Return the improvement, its row locked until the transaction ends (PostgreSQL)."""
    stmt = select(Improvement.id).where(Improvement.id == improvement_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    if session.execute(stmt).first() is None:
        return None
    return find(session, improvement_id)


def mark_published(session: Executor, improvement_id: int, campaign_id: int,
                   now: datetime) -> None:
    """Record that an improvement is published and which campaign announces it."""
    session.execute(update(Improvement).where(Improvement.id == improvement_id).values(
        status=ImprovementStatus.PUBLISHED, campaign_id=campaign_id, published_at=now,
        updated_at=now))


def published(session: Executor, limit: int = 100) -> list[ImprovementRow]:
    """Return the published improvements, newest first (no personal data in them)."""
    ids = session.scalars(select(Improvement.id)
                          .where(Improvement.status == ImprovementStatus.PUBLISHED)
                          .order_by(Improvement.published_at.desc(), Improvement.id.desc())
                          .limit(limit))
    return [row for row in (find(session, i) for i in list(ids)) if row is not None]


def announced(session: Executor) -> list[ImprovementRow]:
    """Return every improvement with an announcement, newest first."""
    ids = session.scalars(select(Improvement.id).where(Improvement.campaign_id.is_not(None))
                          .order_by(Improvement.id.desc()))
    return [row for row in (find(session, i) for i in list(ids)) if row is not None]


def by_campaign(session: Executor, campaign_id: int) -> int | None:
    """Return the id of the improvement a campaign announces, if any."""
    return session.execute(select(Improvement.id)
                           .where(Improvement.campaign_id == campaign_id)).scalar()


@dataclass(frozen=True)
class Recall:
    """What a person said that led to an improvement: when, their words or their score."""

    said_at: datetime
    words: str | None = None
    survey: dict[str, Any] | None = None  # the survey's stored definition (its title)
    score: int | None = None


def react(session: Executor, improvement_id: int, respondent_id: int, channel: str,
          answer: ReactionAnswer, now: datetime) -> bool:
    """Store a person's answer (a later one replaces it: one per person); True if it is new."""
    changed = session.execute(
        update(Reaction).where(Reaction.improvement_id == improvement_id,
                               Reaction.respondent_id == respondent_id)
        .values(answer=answer, created_at=now)).rowcount
    if changed:
        return False
    session.execute(insert(Reaction).values(improvement_id=improvement_id,
                                            respondent_id=respondent_id, channel=channel,
                                            answer=answer, created_at=now))
    return True


def was_announced_to(session: Executor, improvement_id: int, respondent_id: int) -> bool:
    """Say whether the improvement's announcement was handed to this person."""
    return session.execute(
        select(Delivery.id).join(Improvement, Improvement.campaign_id == Delivery.campaign_id)
        .where(Improvement.id == improvement_id, Delivery.respondent_id == respondent_id,
               Delivery.status == DeliveryStatus.SENT).limit(1)).first() is not None


def recalls(session: Executor, improvement_id: int, respondent_ids: Iterable[int], *,
            left_out_surveys: Sequence[str] = ()) -> dict[int, Recall]:
    """Return each person's latest linked feedback: a complaint's or answer's words, else a score.

    Three queries for everyone, not three per person.

    The conversations of ``left_out_surveys`` (the complaint intake's dialogues) are
    never recalled: an offer declined keeps nothing, one never answered a copy of the
    survey's comment. A filed complaint is recalled when it, or its dialogue, is linked.
    """
    people = list(respondent_ids)
    accepted = (ImprovementLink.improvement_id == improvement_id) & ImprovementLink.accepted
    found: dict[int, Recall] = {}
    chats = session.execute(
        select(Conversation.id, Conversation.respondent_id, Conversation.started_at,
               SurveyVersion.definition)
        .join(ImprovementLink, ImprovementLink.conversation_id == Conversation.id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .where(accepted, Conversation.respondent_id.in_(people),
               SurveyVersion.key.not_in(list(left_out_surveys)))
        .order_by(Conversation.started_at)).all()
    latest = {chat.respondent_id: chat for chat in chats}  # the newest wins
    answers: dict[int, list[tuple[str | None, int | None]]] = {}
    for conversation, words, number in session.execute(
            select(Answer.conversation_id, Answer.text, Answer.number)
            .where(Answer.conversation_id.in_([c.id for c in latest.values()]))
            .order_by(Answer.id)):
        answers.setdefault(conversation, []).append((words, number))
    for person, chat in latest.items():
        given = answers.get(chat.id, [])
        found[person] = Recall(chat.started_at, words=next((w for w, _ in given if w), None),
                               survey=chat.definition,
                               score=next((n for _, n in given if n is not None), None))
    for person, at, words in session.execute(
            select(Complaint.respondent_id, Complaint.created_at, Complaint.description)
            .join(ImprovementLink, (ImprovementLink.complaint_id == Complaint.id)
                  | (ImprovementLink.conversation_id == Complaint.conversation_id))
            .where(accepted, Complaint.respondent_id.in_(people))
            .order_by(Complaint.created_at)):
        if person not in found or at >= found[person].said_at:
            found[person] = Recall(at, words=words)
    return found
