"""Reads for the staff console: one conversation's answers and transcript, response counts.

Reads only. The transcript is the conversation's applied turns (``inbound_event``)
in order: what the person said and what was replied. After "forget" the turns
lose their link and their words, so a forgotten person's transcript is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Answer, Conversation, InboundEvent, Respondent, SurveyVersion


@dataclass(frozen=True)
class AnswerLine:
    """One answer: the question's id and type, and its value as given."""

    question_id: str
    question_type: str
    value: int | str | None


@dataclass(frozen=True)
class TurnLine:
    """One turn of the transcript: when, what the person said, what was replied."""

    at: datetime
    said: str | None
    replies: tuple[str, ...]


@dataclass(frozen=True)
class ConversationRecord:
    """A conversation as the console shows it (``external_id`` identifies the person)."""

    public_id: str
    survey: str
    channel: str
    language: str
    status: str
    context: str | None
    started_at: datetime
    completed_at: datetime | None
    external_id: str | None
    definition: dict[str, Any]
    answers: tuple[AnswerLine, ...]
    turns: tuple[TurnLine, ...]


def conversation_record(session: Session, public_id: str) -> ConversationRecord | None:
    """Return one conversation with its answers and transcript, or None."""
    row = session.execute(
        select(Conversation, SurveyVersion.key, SurveyVersion.definition, Respondent.external_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(Respondent, Respondent.id == Conversation.respondent_id)
        .where(Conversation.public_id == public_id)
    ).first()
    if row is None:
        return None
    conversation, survey, definition, external_id = row
    answers = tuple(
        AnswerLine(a.question_id, a.question_type,
                   a.number if a.number is not None else a.text or a.choice)
        for a in session.scalars(select(Answer).where(Answer.conversation_id == conversation.id)
                                 .order_by(Answer.created_at, Answer.id))
    )
    turns = tuple(
        TurnLine(e.created_at, e.said, _reply_texts(e.reply))
        for e in session.scalars(select(InboundEvent)
                                 .where(InboundEvent.conversation_id == conversation.id)
                                 .order_by(InboundEvent.created_at, InboundEvent.id))
    )
    return ConversationRecord(
        conversation.public_id, survey, conversation.channel, conversation.language,
        conversation.status, conversation.context, conversation.started_at,
        conversation.completed_at, external_id, definition, answers, turns)


def _reply_texts(reply: dict[str, Any] | None) -> tuple[str, ...]:
    """Return the texts of a turn's stored replies."""
    messages = (reply or {}).get("messages") or []
    return tuple(str(m.get("text") or "") for m in messages if isinstance(m, dict))


def conversation_counts(session: Session, since: datetime | None = None) -> dict[str, int]:
    """Count conversations by status (started since ``since``, or all)."""
    query = select(Conversation.status, func.count()).group_by(Conversation.status)
    if since is not None:
        query = query.where(Conversation.started_at >= since)
    return {status: int(count) for status, count in session.execute(query)}
