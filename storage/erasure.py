"""Erasing a person ("forget me"): everything that names them or holds their words goes.

What stays is only what statistics need and links to nobody: the conversation
rows (with no respondent, no context and no remembered values) and their scores
and choices. Free-text answers, pending messages and the respondent row itself
are deleted; applied events keep their id (so replays stay harmless) but lose
their link, what was said and what was replied (the transcript). A person who had
said stop leaves one digest on the suppression list, so they stay opted out.
Campaign rows stay: they name what was sent and where, never to whom (the
person's deliveries, which did, are deleted with the rest).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage import suppression
from storage.models import (
    Answer,
    Conversation,
    Delivery,
    InboundEvent,
    Respondent,
)
from storage.vocabulary import ConversationStatus


def forget_respondent(session: Session, respondent_id: int, now: datetime) -> None:
    """Erase everything stored about one respondent, in the caller's transaction."""
    person = session.execute(
        select(Respondent.channel, Respondent.external_id, Respondent.opted_out_at)
        .where(Respondent.id == respondent_id)
    ).first()
    if person is not None and person.opted_out_at is not None:
        suppression.remember(session, person.channel, person.external_id, now)
    conversation_ids = select(Conversation.id).where(Conversation.respondent_id == respondent_id)
    session.execute(
        delete(Answer).where(
            Answer.conversation_id.in_(conversation_ids), Answer.text.is_not(None)
        )
    )
    session.execute(
        update(InboundEvent)
        .where(
            or_(
                InboundEvent.respondent_id == respondent_id,
                InboundEvent.conversation_id.in_(conversation_ids),
            )
        )
        .values(respondent_id=None, conversation_id=None, said=None, reply=None)
    )
    session.execute(delete(Delivery).where(Delivery.respondent_id == respondent_id))
    session.execute(
        update(Conversation)
        .where(Conversation.respondent_id == respondent_id,
               Conversation.status == ConversationStatus.ACTIVE)
        .values(status=ConversationStatus.ABANDONED)
    )
    session.execute(
        update(Conversation)
        .where(Conversation.respondent_id == respondent_id)
        .values(respondent_id=None, context=None, values={}, step=None)
    )
    session.execute(delete(Respondent).where(Respondent.id == respondent_id))
    session.expunge_all()
