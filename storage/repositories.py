"""The queries the dialogue engine needs: respondents, conversations, answers, events.

Statements are few and indexed: one turn is a handful of rows in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Answer,
    Conversation,
    Delivery,
    InboundEvent,
    Respondent,
    SurveyVersion,
    TranscriptMessage,
)


def find_respondent(
    session: Session, channel: str, external_id: str
) -> tuple[Respondent | None, Conversation | None]:
    """Return the respondent and their active conversation (one query)."""
    stmt = (
        select(Respondent, Conversation)
        .outerjoin(
            Conversation,
            and_(Conversation.respondent_id == Respondent.id, Conversation.status == "active"),
        )
        .where(Respondent.channel == channel, Respondent.external_id == external_id)
    )
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else (None, None)


def create_respondent(
    session: Session, channel: str, external_id: str, now: datetime, internal: bool = False
) -> Respondent:
    """Add a new respondent and flush it so it has an id."""
    respondent = Respondent(
        channel=channel, external_id=external_id, internal=internal, created_at=now, seen_at=now
    )
    session.add(respondent)
    session.flush()
    return respondent


def survey_version_id(session: Session, key: str, digest: str, definition: dict[str, Any],
                      now: datetime) -> int:
    """Return the id of this exact survey version, storing it the first time."""
    found = session.scalar(
        select(SurveyVersion.id).where(SurveyVersion.key == key, SurveyVersion.hash == digest)
    )
    if found is not None:
        return found
    version = SurveyVersion(key=key, hash=digest, definition=definition, created_at=now)
    session.add(version)
    session.flush()
    return version.id


def survey_definition(session: Session, version_id: int) -> dict[str, Any]:
    """Return the stored definition of a survey version."""
    version = session.get(SurveyVersion, version_id)
    if version is None:
        raise LookupError(f"no survey version {version_id}")
    return version.definition


def open_conversation(
    session: Session,
    *,
    respondent_id: int | None,
    version_id: int,
    channel: str,
    language: str,
    context: str | None,
    now: datetime,
) -> Conversation:
    """Start a conversation (the caller has closed any other active one)."""
    conversation = Conversation(
        public_id=secrets.token_hex(12),
        respondent_id=respondent_id,
        survey_version_id=version_id,
        channel=channel,
        language=language,
        status="active",
        step=None,
        attempts=0,
        context=context,
        values={},
        started_at=now,
        updated_at=now,
    )
    session.add(conversation)
    session.flush()
    return conversation


def find_conversation(session: Session, public_id: str) -> Conversation | None:
    """Return a conversation by the id shown outside (widget, API)."""
    return session.scalar(select(Conversation).where(Conversation.public_id == public_id))


def add_answer(
    session: Session,
    conversation: Conversation,
    question_id: str,
    question_type: str,
    *,
    number: int | None,
    choice: str | None,
    text: str | None,
    now: datetime,
) -> None:
    """Store one answer the moment it is given."""
    session.execute(
        insert(Answer).values(
            conversation_id=conversation.id,
            survey_version_id=conversation.survey_version_id,
            question_id=question_id,
            question_type=question_type,
            number=number,
            choice=choice,
            text=text,
            created_at=now,
        )
    )


def add_transcript(
    session: Session,
    respondent_id: int | None,
    conversation_id: int | None,
    lines: Iterable[tuple[str, str]],
    now: datetime,
) -> None:
    """Store transcript lines as (direction, body) pairs, in one statement."""
    rows = [
        {
            "respondent_id": respondent_id,
            "conversation_id": conversation_id,
            "direction": direction,
            "body": body,
            "created_at": now,
        }
        for direction, body in lines
    ]
    if rows:
        session.execute(insert(TranscriptMessage), rows)


def record_event(
    session: Session,
    channel: str,
    event_id: str,
    respondent_id: int | None,
    reply: dict[str, Any],
    now: datetime,
) -> None:
    """Record an applied inbound event (unique per channel), with the replies it got."""
    session.execute(
        insert(InboundEvent).values(
            channel=channel,
            event_id=event_id,
            respondent_id=respondent_id,
            reply=reply,
            created_at=now,
        )
    )


def event_reply(session: Session, channel: str, event_id: str) -> dict[str, Any] | None:
    """Return the stored replies of an event already applied, or None if it is new."""
    row = session.execute(
        select(InboundEvent.reply).where(
            InboundEvent.channel == channel, InboundEvent.event_id == event_id
        )
    ).first()
    if row is None:
        return None
    return row[0] or {}


def abandon_idle(session: Session, before: datetime, now: datetime) -> int:
    """Mark active conversations idle since ``before`` as abandoned; return how many."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.status == "active", Conversation.updated_at < before)
        .values(status="abandoned", updated_at=now)
    )
    return result.rowcount or 0


def answered_ids(session: Session, conversation_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return the answered question ids per conversation."""
    rows = session.execute(
        select(Answer.conversation_id, Answer.question_id).where(
            Answer.conversation_id.in_(conversation_ids)
        )
    )
    out: dict[int, list[str]] = {}
    for conversation_id, question_id in rows:
        out.setdefault(conversation_id, []).append(question_id)
    return out


def last_conversation(session: Session, respondent_id: int) -> Conversation | None:
    """Return the person's most recent conversation, whatever its status."""
    return session.scalar(
        select(Conversation)
        .where(Conversation.respondent_id == respondent_id)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(1)
    )


def cancel_deliveries(session: Session, respondent_id: int, now: datetime) -> int:
    """Cancel the person's pending proactive messages (they said stop); return how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.respondent_id == respondent_id, Delivery.status == "pending")
        .values(status="cancelled", last_error="opted out", next_attempt_at=now)
    )
    return result.rowcount or 0
