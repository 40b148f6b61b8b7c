"""The writing side of improvements as stored: drafts edited, listed, feedback linked and read.

Companion of :mod:`storage.improvements` (create, find, link once, audience):

- drafts edited and improvements listed by key (newest first);
- links by filter: one ``INSERT … SELECT`` of the conversations a
  :class:`~storage.filters.ResponseFilter` matches, never a loop over rows;
  conversations linked already (accepted or rejected) are left as they are;
- a suggestion accepted or rejected: the link is written with its ``accepted`` flag,
  so a rejected one stays recorded and is not proposed again;
- what the detail page shows: counts by channel and the linked feedback with an
  excerpt (none for an anonymous conversation: it is counted, never shown alone,
  and only when the rule of five lets the core show it: :func:`anonymous_links`);
- the candidates of the suggestions: the latest free texts and complaint
  descriptions not linked yet, within a period and the improvement's concerns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Executor
from storage.improvements import ImprovementRow
from storage.models import (
    Answer,
    Complaint,
    Conversation,
    Improvement,
    ImprovementLink,
    SurveyVersion,
)
from storage.vocabulary import ImprovementStatus, LinkSource, LinkTarget

EXCERPT = 280


def update_draft(session: Executor, improvement_id: int, *, you_said: str, we_did: str,
                 language: str, done_on: date | None, concerns: dict[str, Any],
                 now: datetime) -> bool:
    """Rewrite a draft; return False when there is no such draft (unknown, or published)."""
    done = session.execute(update(Improvement).where(
        Improvement.id == improvement_id, Improvement.status == ImprovementStatus.DRAFT,
    ).values(you_said=you_said, we_did=we_did, language=language, done_on=done_on,
             concerns=concerns, updated_at=now))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def listing(session: Executor, *, before_id: int | None, limit: int,
            status: str | None = None) -> list[ImprovementRow]:
    """Return up to ``limit`` improvements, newest first, with ids below ``before_id``."""
    stmt = select(
        Improvement.id, Improvement.you_said, Improvement.we_did, Improvement.language,
        Improvement.done_on, Improvement.concerns, Improvement.status, Improvement.created_by,
        Improvement.campaign_id, Improvement.created_at, Improvement.published_at,
    ).order_by(Improvement.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(Improvement.id < before_id)
    if status is not None:
        stmt = stmt.where(Improvement.status == status)
    return [ImprovementRow(*row) for row in session.execute(stmt)]


def link_matching(session: Executor, improvement_id: int, condition: ColumnElement[bool], *,
                  actor: str, now: datetime) -> list[int]:
    """Link every conversation meeting ``condition`` not linked yet, in one statement.

    Return the row ids of the conversations newly linked.
    """
    already = exists().where(ImprovementLink.improvement_id == improvement_id,
                             ImprovementLink.conversation_id == Conversation.id)
    chosen = select(literal(improvement_id), Conversation.id, literal(LinkSource.FILTER.value),
                    literal(True), literal(actor), literal(now)).where(condition, ~already)
    statement = insert(ImprovementLink).from_select(
        ["improvement_id", "conversation_id", "source", "accepted", "created_by", "created_at"],
        chosen).returning(ImprovementLink.conversation_id)
    for attempt in (1, 2):  # someone linked some of them meanwhile: the rest, once more
        try:
            with session.begin_nested():  # type: ignore[union-attr]
                added = list(session.execute(statement).scalars())
            break
        except IntegrityError:
            if attempt == 2:
                raise
    return added


def decide(session: Executor, improvement_id: int, target: LinkTarget, target_id: int, *,
           accepted: bool, source: LinkSource, actor: str, now: datetime) -> None:
    """Write a link with its decision: a new link, or an existing one accepted or rejected."""
    column = _column(target)
    try:
        with session.begin_nested():  # type: ignore[union-attr]
            session.execute(insert(ImprovementLink).values(
                improvement_id=improvement_id, source=source, accepted=accepted,
                created_by=actor, created_at=now, **{column.key: target_id}))
    except IntegrityError:
        session.execute(update(ImprovementLink).where(
            ImprovementLink.improvement_id == improvement_id, column == target_id,
        ).values(accepted=accepted))


def unlink(session: Executor, improvement_id: int, link_id: int) -> bool:
    """Delete one link of an improvement; return whether there was one."""
    done = session.execute(delete(ImprovementLink).where(
        ImprovementLink.id == link_id, ImprovementLink.improvement_id == improvement_id))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _column(target: LinkTarget) -> Any:
    """Return the link's column for a target kind."""
    return ImprovementLink.conversation_id if target is LinkTarget.CONVERSATION \
        else ImprovementLink.complaint_id


def conversation_ids(session: Executor, public_ids: Iterable[str]) -> dict[str, int]:
    """Return the row id of each conversation named by its public id (unknown ones left out)."""
    wanted = list(dict.fromkeys(public_ids))
    return {public_id: row_id for public_id, row_id in session.execute(
        select(Conversation.public_id, Conversation.id).where(
            Conversation.public_id.in_(wanted)))} if wanted else {}


def complaint_ids(session: Executor, references: Iterable[str]) -> dict[str, int]:
    """Return the row id of each complaint named by its reference (unknown ones left out)."""
    wanted = list(dict.fromkeys(references))
    return {reference: row_id for reference, row_id in session.execute(
        select(Complaint.reference, Complaint.id).where(
            Complaint.reference.in_(wanted)))} if wanted else {}


@dataclass(frozen=True)
class ChannelCount:
    """How many accepted links an improvement has on one channel, and how many anonymous."""

    channel: str
    conversations: int
    anonymous: int
    complaints: int


def counts(session: Executor, improvement_id: int) -> list[ChannelCount]:
    """Return the accepted links to named conversations and complaints by channel.

    Conversations linked to nobody are left at 0 here: the core counts those the
    rule of five lets it show (:func:`anonymous_links`).
    """
    accepted = and_(ImprovementLink.improvement_id == improvement_id, ImprovementLink.accepted)
    found: dict[str, list[int]] = {}
    for channel, number in session.execute(
        select(Conversation.channel, func.count())
        .join(ImprovementLink, ImprovementLink.conversation_id == Conversation.id)
        .where(accepted, Conversation.respondent_id.is_not(None)).group_by(Conversation.channel)
    ):
        found.setdefault(channel, [0, 0, 0])[0] += number
    for channel, number in session.execute(
        select(Complaint.channel, func.count())
        .join(ImprovementLink, ImprovementLink.complaint_id == Complaint.id)
        .where(accepted).group_by(Complaint.channel)
    ):
        found.setdefault(channel, [0, 0, 0])[2] += number
    return [ChannelCount(channel, *numbers) for channel, numbers in sorted(found.items())]


@dataclass(frozen=True)
class AnonymousLink:
    """An accepted link to a conversation linked to nobody: its ids, channel and start."""

    conversation_id: int
    public_id: str
    channel: str
    started_at: datetime


def anonymous_links(session: Executor, improvement_id: int) -> list[AnonymousLink]:
    """Return the accepted links to conversations linked to nobody (anonymous or forgotten)."""
    return [AnonymousLink(*row) for row in session.execute(
        select(Conversation.id, Conversation.public_id, Conversation.channel,
               Conversation.started_at)
        .join(ImprovementLink, ImprovementLink.conversation_id == Conversation.id)
        .where(ImprovementLink.improvement_id == improvement_id, ImprovementLink.accepted,
               Conversation.respondent_id.is_(None)))]


@dataclass(frozen=True)
class Linked:
    """One link as the detail page shows it: the feedback's reference, channel, excerpt."""

    link_id: int
    target: LinkTarget
    reference: str  # the conversation's public id, or the complaint's reference
    channel: str
    source: str
    anonymous: bool
    excerpt: str | None


def linked(session: Executor, improvement_id: int, *, limit: int) -> list[Linked]:
    """Return the latest accepted links of an improvement, with a short excerpt each."""
    text = (select(Answer.text).where(Answer.conversation_id == Conversation.id,
                                      Answer.question_type == "text", Answer.text.is_not(None))
            .order_by(Answer.id).limit(1).scalar_subquery())
    base = and_(ImprovementLink.improvement_id == improvement_id, ImprovementLink.accepted)
    by_conversation = session.execute(
        select(ImprovementLink.id, Conversation.public_id, Conversation.channel,
               ImprovementLink.source, Conversation.respondent_id.is_(None), text)
        .join(Conversation, Conversation.id == ImprovementLink.conversation_id)
        .where(base).order_by(ImprovementLink.id.desc()).limit(limit)).all()
    by_complaint = session.execute(
        select(ImprovementLink.id, Complaint.reference, Complaint.channel,
               ImprovementLink.source, Complaint.description)
        .join(Complaint, Complaint.id == ImprovementLink.complaint_id)
        .where(base).order_by(ImprovementLink.id.desc()).limit(limit)).all()
    found = [Linked(i, LinkTarget.CONVERSATION, ref, channel, source, anonymous,
                    None if anonymous else _excerpt(said))
             for i, ref, channel, source, anonymous, said in by_conversation]
    found += [Linked(i, LinkTarget.COMPLAINT, ref, channel, source, False, _excerpt(said))
              for i, ref, channel, source, said in by_complaint]
    return sorted(found, key=lambda item: -item.link_id)[:limit]


def _excerpt(text: str | None) -> str | None:
    """Return the start of a text, cut at :data:`EXCERPT` characters."""
    if not text:
        return None
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


@dataclass(frozen=True)
class Scope:
    """Where suggestions are looked for: a period and the improvement's concerns."""

    since: datetime | None = None
    until: datetime | None = None
    channels: Sequence[str] = ()
    surveys: Sequence[str] = ()
    contexts: Sequence[str] = ()
    categories: Sequence[str] = ()
    left_out_surveys: Sequence[str] = ()  # survey keys whose conversations are no candidates


@dataclass(frozen=True)
class CandidateRow:
    """A piece of feedback not linked yet: its kind, row id, reference, words and language."""

    target: LinkTarget
    id: int
    reference: str  # the conversation's public id, or the complaint's reference
    text: str
    language: str


def candidates(session: Executor, improvement_id: int, scope: Scope, *,
               limit: int) -> list[CandidateRow]:
    """Return at most ``limit`` of the latest unlinked free texts and complaint descriptions.

    Conversations linked to nobody (anonymous, or their person erased) are left out:
    a suggestion shows its words alone, which an anonymous answer never is.
    """
    return _conversation_candidates(session, improvement_id, scope, limit) + \
        _complaint_candidates(session, improvement_id, scope, limit)


def _conversation_candidates(session: Executor, improvement_id: int, scope: Scope,
                             limit: int) -> list[CandidateRow]:
    """Return the latest named conversations with free text, not linked to the improvement.

    A complaint's dialogue is left out: the complaint itself is the candidate.
    """
    linked_already = exists().where(ImprovementLink.improvement_id == improvement_id,
                                    ImprovementLink.conversation_id == Conversation.id)
    has_text = exists().where(Answer.conversation_id == Conversation.id,
                              Answer.question_type == "text", Answer.text.is_not(None),
                              Answer.text != "")
    a_complaint = exists().where(Complaint.conversation_id == Conversation.id)
    where = [Conversation.respondent_id.is_not(None), has_text, ~linked_already, ~a_complaint,
             *_span(Conversation.started_at, scope)]
    if scope.channels:
        where.append(Conversation.channel.in_(list(scope.channels)))
    if scope.contexts:
        where.append(Conversation.context.in_(list(scope.contexts)))
    if scope.surveys:
        where.append(Conversation.survey_version_id.in_(
            select(SurveyVersion.id).where(SurveyVersion.key.in_(list(scope.surveys)))))
    if scope.left_out_surveys:
        where.append(Conversation.survey_version_id.not_in(
            select(SurveyVersion.id).where(SurveyVersion.key.in_(list(scope.left_out_surveys)))))
    chosen = {cid: (public_id, language) for cid, public_id, language in session.execute(
        select(Conversation.id, Conversation.public_id, Conversation.language).where(*where)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc()).limit(limit))}
    texts: dict[int, list[str]] = {}
    if chosen:
        for conversation_id, said in session.execute(
            select(Answer.conversation_id, Answer.text).where(
                Answer.conversation_id.in_(list(chosen)), Answer.question_type == "text",
                Answer.text.is_not(None)).order_by(Answer.id)
        ):
            texts.setdefault(conversation_id, []).append(said)
    return [CandidateRow(LinkTarget.CONVERSATION, cid, chosen[cid][0], " ".join(texts[cid]),
                         chosen[cid][1]) for cid in chosen if texts.get(cid)]


def _complaint_candidates(session: Executor, improvement_id: int, scope: Scope,
                          limit: int) -> list[CandidateRow]:
    """Return the latest complaints with a description, not linked to the improvement."""
    linked_already = exists().where(ImprovementLink.improvement_id == improvement_id,
                                    ImprovementLink.complaint_id == Complaint.id)
    where = [Complaint.description.is_not(None), Complaint.description != "", ~linked_already,
             *_span(Complaint.created_at, scope)]
    if scope.channels:
        where.append(Complaint.channel.in_(list(scope.channels)))
    if scope.categories:
        where.append(Complaint.category.in_(list(scope.categories)))
    return [CandidateRow(LinkTarget.COMPLAINT, cid, ref, said, language)
            for cid, ref, said, language in session.execute(
                select(Complaint.id, Complaint.reference, Complaint.description,
                       Complaint.language).where(*where)
                .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit))]


def _span(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """Return the period's conditions on ``column``."""
    found = []
    if scope.since is not None:
        found.append(column >= scope.since)
    if scope.until is not None:
        found.append(column < scope.until)
    return found


def contexts_seen(session: Executor, wanted: Sequence[str]) -> set[str]:
    """Return which of ``wanted`` contexts some conversation has."""
    if not wanted:
        return set()
    return set(session.execute(select(Conversation.context).where(
        Conversation.context.in_(list(wanted))).distinct()).scalars())
