"""The queries the dialogue engine needs: respondents, conversations, answers, events.

Statements are few, indexed and built once, and run on the session's connection
(Core, not the ORM's execute path): one turn is a handful of rows in one
transaction. Respondents and conversations are handed out as tracked rows
(:mod:`storage.rows`): the dialogue changes them as plain objects and :func:`save`
writes what changed in one prebuilt UPDATE each, a tenth of the ORM flush's cost.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage import suppression
from storage.db import Executor, connection_of
from storage.models import (
    Answer,
    Conversation,
    Delivery,
    InboundEvent,
    Respondent,
    SurveyVersion,
)
from storage.prepared import Prepared
from storage.rows import ConversationRow, RespondentRow

# Built once: Core inserts on the tables skip the ORM's per-statement work on hot paths.
_INSERT_ANSWER = Prepared(insert(Answer.__table__))
_INSERT_EVENT = Prepared(insert(InboundEvent.__table__))


_RESPONDENT = Respondent.__table__
_VERSION = SurveyVersion.__table__
_CONVERSATION = Conversation.__table__
_FIND_RESPONDENT = Prepared(
    select(_RESPONDENT, _CONVERSATION)
    .outerjoin(
        _CONVERSATION,
        and_(_CONVERSATION.c.respondent_id == _RESPONDENT.c.id,
             _CONVERSATION.c.status == "active"),
    )
    .where(
        _RESPONDENT.c.channel == bindparam("channel"),
        _RESPONDENT.c.external_id == bindparam("external_id"),
    )
)
_SPLIT = len(_RESPONDENT.columns)
_INSERT_RESPONDENT = Prepared(insert(_RESPONDENT).returning(_RESPONDENT.c.id))
_INSERT_CONVERSATION = Prepared(insert(_CONVERSATION).returning(_CONVERSATION.c.id))


def find_respondent(
    session: Executor, channel: str, external_id: str
) -> tuple[RespondentRow | None, ConversationRow | None]:
    """Return the respondent and their active conversation (one query, built once)."""
    row = _FIND_RESPONDENT.first(
        connection_of(session), {"channel": channel, "external_id": external_id}
    )
    if row is None:
        return None, None
    respondent = RespondentRow(_fields(Respondent, row[:_SPLIT]))
    if row[_SPLIT] is None:
        return respondent, None
    return respondent, ConversationRow(_fields(Conversation, row[_SPLIT:]))


def _fields(model: type[Respondent | Conversation], values: Sequence[Any]) -> dict[str, Any]:
    """Map a table's column values (in column order) to the model's attribute names."""
    return dict(zip(_ATTRIBUTES[model], values, strict=True))


_ATTRIBUTES = {
    model: [model.__mapper__.get_property_by_column(c).key for c in model.__table__.columns]
    for model in (Respondent, Conversation)
}
_COLUMN_OF = {
    model: {model.__mapper__.get_property_by_column(c).key: c.name
            for c in model.__table__.columns}
    for model in (Respondent, Conversation)
}
_UPDATES = {
    model: Prepared(update(model.__table__).where(model.__table__.c.id == bindparam("_id")))
    for model in (Respondent, Conversation)
}
_MODEL = {RespondentRow: Respondent, ConversationRow: Conversation}


def save(session: Executor, *rows: RespondentRow | ConversationRow | None) -> None:
    """Write the fields changed on respondent and conversation rows, one UPDATE each."""
    for row in rows:
        if row is None:
            continue
        changes = row.take_changes()
        if changes:
            model = _MODEL[type(row)]
            columns = _COLUMN_OF[model]
            params = {columns[key]: value for key, value in changes.items()}
            _UPDATES[model].run(connection_of(session), {"_id": row.id, **params})


def create_respondent(
    session: Executor, channel: str, external_id: str, now: datetime, internal: bool = False,
    language: str | None = None,
) -> RespondentRow:
    """Add a new respondent (opted out if they said stop before being forgotten)."""
    opted_out = now if suppression.is_suppressed(session, channel, external_id) else None
    values = {
        "channel": channel, "external_id": external_id, "language": language,
        "language_chosen": False, "internal": internal, "consent_at": None,
        "consent_asked_at": None, "opted_out_at": opted_out, "unreachable_at": None,
        "unreachable_reason": None, "pending": None, "created_at": now, "seen_at": now,
    }
    new_id = _INSERT_RESPONDENT.scalar(connection_of(session), values)
    return RespondentRow({"id": new_id, **values})


def survey_version_id(session: Executor, key: str, digest: str, definition: dict[str, Any],
                      now: datetime) -> int:
    """Return the id of this exact survey version, storing it the first time."""
    connection = connection_of(session)
    found = connection.scalar(
        select(_VERSION.c.id).where(_VERSION.c.key == key, _VERSION.c.hash == digest)
    )
    if found is not None:
        return found
    values = {"key": key, "hash": digest, "definition": definition, "created_at": now}
    return connection.execute(  # type: ignore[no-any-return]
        insert(_VERSION).returning(_VERSION.c.id), values
    ).scalar_one()


def survey_definition(session: Executor, version_id: int) -> dict[str, Any]:
    """Return the stored definition of a survey version."""
    definition = connection_of(session).scalar(
        select(_VERSION.c.definition).where(_VERSION.c.id == version_id)
    )
    if definition is None:
        raise LookupError(f"no survey version {version_id}")
    return definition  # type: ignore[no-any-return]


def open_conversation(
    session: Executor,
    *,
    respondent_id: int | None,
    version_id: int,
    channel: str,
    language: str,
    context: str | None,
    now: datetime,
    step: str | None = None,
) -> ConversationRow:
    """Start a conversation (the caller has closed any other active one), at ``step``."""
    values = {
        "public_id": secrets.token_hex(12), "respondent_id": respondent_id,
        "survey_version_id": version_id, "channel": channel, "language": language,
        "status": "active", "step": step, "attempts": 0, "context": context, "values": {},
        "started_at": now, "updated_at": now, "completed_at": None,
    }
    new_id = _INSERT_CONVERSATION.scalar(connection_of(session), values)
    return ConversationRow({"id": new_id, **values})


def add_answer(
    session: Executor,
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
    _INSERT_ANSWER.run(
        connection_of(session),
        {
            "conversation_id": conversation.id,
            "survey_version_id": conversation.survey_version_id,
            "question_id": question_id,
            "question_type": question_type,
            "number": number,
            "choice": choice,
            "text": text,
            "created_at": now,
        },
    )


def record_event(
    session: Executor,
    channel: str,
    event_id: str,
    *,
    respondent_id: int | None,
    conversation_id: int | None = None,
    said: str | None = None,
    reply: dict[str, Any],
    now: datetime,
) -> None:
    """Record an applied turn (unique per channel and event id): what was said and replied."""
    _INSERT_EVENT.run(
        connection_of(session),
        {
            "channel": channel,
            "event_id": event_id,
            "respondent_id": respondent_id,
            "conversation_id": conversation_id,
            "said": said,
            "reply": reply,
            "created_at": now,
        },
    )


_EVENT_REPLY = Prepared(select(InboundEvent.reply).where(
    InboundEvent.channel == bindparam("channel"), InboundEvent.event_id == bindparam("event_id")
))


def event_reply(session: Executor, channel: str, event_id: str) -> dict[str, Any] | None:
    """Return the stored replies of an event already applied, or None if it is new."""
    row = _EVENT_REPLY.first(connection_of(session), {"channel": channel, "event_id": event_id})
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
