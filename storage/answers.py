"""Answers: one row per answered question, with its type and a typed value.

Scores are numbers, options are choices, free text is text, each tied to the
exact survey version that asked it, so reports are indexed SQL aggregates
(:mod:`storage.reports`) and editing a survey never rewrites history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert

from storage.anonymous import random_id
from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.hotpath.tracked import ConversationRow
from storage.models import Answer, Conversation

_INSERT_ANSWER = Prepared(insert(Answer.__table__))


def add_answer(
    session: Executor,
    conversation: Conversation | ConversationRow,
    question_id: str,
    question_type: str,
    *,
    number: int | None,
    choice: str | None,
    text: str | None,
    now: datetime,
    anonymous: bool = False,
) -> None:
    """Store one answer the moment it is given (anonymous: with a random negative id)."""
    _INSERT_ANSWER.run(
        connection_of(session),
        {
            **({"id": random_id()} if anonymous else {}),
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


def delete_answers(session: Executor, conversation_id: int) -> None:
    """Delete every answer of one conversation (a complaint intake the person declined)."""
    connection_of(session).execute(delete(Answer).where(Answer.conversation_id == conversation_id))
