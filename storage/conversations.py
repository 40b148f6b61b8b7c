"""Conversations and the survey versions they run: open, find, abandon, and whose they are.

A conversation is one run of one exact survey version with one person (or with
nobody, when anonymous). Its public id names it outside (the widget's URLs, the
staff console's links); its row id never leaves the store.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.anonymous import random_id
from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.hotpath.tracked import ConversationRow
from storage.models import Conversation, Respondent, SurveyVersion
from storage.vocabulary import ConversationStatus

_VERSION = SurveyVersion.__table__
_CONVERSATION = Conversation.__table__
_INSERT_CONVERSATION = Prepared(insert(_CONVERSATION).returning(_CONVERSATION.c.id))


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
    anonymous: bool = False,
    status: ConversationStatus = ConversationStatus.ACTIVE,
) -> ConversationRow:
    """Start a conversation (the caller has closed any other active one), at ``step``.

    A whole form is stored already completed (``status``): it never is the person's
    active conversation, so a survey going on in their DM goes on.

    An anonymous one gets a random negative id (:mod:`storage.anonymous`).
    """
    values: dict[str, Any] = {
        "public_id": secrets.token_hex(12), "respondent_id": respondent_id,
        "survey_version_id": version_id, "channel": channel, "language": language,
        "status": status, "step": step, "attempts": 0, "context": context,
        "values": {}, "started_at": now, "updated_at": now, "completed_at": None,
    }
    if anonymous:
        values = {"id": random_id(), **values}
    new_id = _INSERT_CONVERSATION.scalar(connection_of(session), values)
    return ConversationRow({"id": new_id, **values})


def abandon_idle(session: Session, before: datetime, now: datetime) -> int:
    """Mark active conversations idle since ``before`` as abandoned; return how many."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.status == ConversationStatus.ACTIVE, Conversation.updated_at < before)
        .values(status=ConversationStatus.ABANDONED, updated_at=now)
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


@dataclass(frozen=True)
class ConversationOwner:
    """Whose a conversation is (None once they asked to be forgotten) and its survey's key."""

    channel: str | None
    external_id: str | None
    survey: str


_OWNER = Prepared(
    select(Respondent.channel, Respondent.external_id, SurveyVersion.key)
    .select_from(Conversation)
    .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
    .outerjoin(Respondent, Respondent.id == Conversation.respondent_id)
    .where(Conversation.public_id == bindparam("public_id"))
)


def conversation_owner(session: Executor, public_id: str) -> ConversationOwner | None:
    """Return who a conversation belongs to and which survey it runs, if it exists."""
    row = _OWNER.first(connection_of(session), {"public_id": public_id})
    return ConversationOwner(row[0], row[1], row[2]) if row else None


@dataclass(frozen=True)
class Feedback:
    """One completed, named conversation of a person."""

    survey: str
    completed_at: datetime
    values: dict[str, Any]


def recent_feedback(session: Executor, channel: str, external_id: str,
                    limit: int = 10) -> list[Feedback]:
    """Return a person's latest completed feedback under their name, newest first."""
    stmt = (
        select(SurveyVersion.key, Conversation.completed_at, Conversation.values)
        .join(Respondent, Respondent.id == Conversation.respondent_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .where(Respondent.channel == channel, Respondent.external_id == external_id,
               Conversation.status == ConversationStatus.COMPLETED)
        .order_by(Conversation.completed_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [Feedback(key, done, dict(values or {})) for key, done, values in session.execute(stmt)]
