"""Read-only queries the web widget's API needs before it hands a message to the engine.

The widget names a conversation by its public id; the API must know whose it is
(a visitor may only speak in their own) and which question it stands on (to
refuse an over-long answer before anything is stored). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Conversation, Respondent


@dataclass(frozen=True)
class ConversationOwner:
    """A conversation as the widget API sees it: its owner and where it stands."""

    conversation: Conversation
    channel: str | None
    external_id: str | None


def conversation_owner(session: Session, public_id: str) -> ConversationOwner | None:
    """Return the conversation with this public id and its respondent's identity, if any."""
    stmt = (
        select(Conversation, Respondent.channel, Respondent.external_id)
        .outerjoin(Respondent, Respondent.id == Conversation.respondent_id)
        .where(Conversation.public_id == public_id)
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    return ConversationOwner(row[0], row[1], row[2])
