"""Read-only queries the web widget's API needs before it hands a message to the engine.

The widget names a conversation by its public id; the API must know whose it is
(a visitor may only speak in their own) and which survey it runs (to refuse an
over-long answer before anything is stored). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from storage.db import Executor, connection_of
from storage.models import Conversation, Respondent, SurveyVersion
from storage.prepared import Prepared


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
