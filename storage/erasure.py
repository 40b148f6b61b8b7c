"""Erasing a person ("forget me"): everything that names them or holds their words goes.

What stays is only what statistics need and links to nobody: the conversation
rows (with no respondent, no context and no remembered values) and their scores
and choices. Free-text answers, pending messages, survey invitations (with their
context) and the respondent row itself (with its ``customer_ref``) are deleted;
applied events keep their keyed id (so replays stay harmless) but lose their link,
what was said and what was replied (the transcript). A person who had said stop
leaves one keyed digest on the suppression list, so they stay opted out.

Messages *about* the person (staff alerts and webhook events, tied by
``about_respondent_id`` or ``about_conversation_id``) go too: unsent ones are
deleted (a webhook event's payload holds the person's answers); sent ones are
blanked, and each one the platform still shows (it left a receipt) gets a
``retraction`` delivery, so the outbox's sender takes it back (Slack:
``chat.delete``). The engine never calls a platform itself.
Campaign rows stay: they name what was sent and where, never to whom (the
person's deliveries, which did, are deleted with the rest).

Sample data (``ecoute demo``) is not forgotten but removed outright
(:func:`remove`): its conversations and scores go too, since nobody real gave them.

Complaints are anonymised: the workflow record (category, priority, status,
deadlines, the dates of its history) stays for the statistics; the person's
words (description, own reference, photo id), the link to them and every note
of the complaint's history go.

Ideas (:mod:`storage.ideas`): the person's supports are deleted; an idea they signed
stays as a record without identity (no author, no text).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, or_, select, update
from sqlalchemy.orm import Session

from storage import daily, deliveries, ideas, suppression
from storage.installation import Keyring
from storage.models import (
    Answer,
    Complaint,
    ComplaintEvent,
    Conversation,
    Delivery,
    InboundEvent,
    Invitation,
    Participation,
    Respondent,
)
from storage.vocabulary import ConversationStatus, DeliveryKind, DeliveryStatus


def forget_respondent(session: Session, keyring: Keyring, respondent_id: int,
                      now: datetime) -> None:
    """Erase everything stored about one respondent, in the caller's transaction."""
    person = session.execute(
        select(Respondent.channel, Respondent.external_id, Respondent.opted_out_at)
        .where(Respondent.id == respondent_id)
    ).first()
    if person is not None and person.opted_out_at is not None:
        suppression.remember(session, keyring, person.channel, person.external_id, now)
    conversation_ids = select(Conversation.id).where(Conversation.respondent_id == respondent_id)
    scored_days = daily.answer_days(session, conversation_ids)
    started_days = daily.started_days(session, conversation_ids)
    session.execute(
        delete(Answer).where(
            Answer.conversation_id.in_(conversation_ids), Answer.text.is_not(None)
        )
    )
    for theirs in (InboundEvent.respondent_id == respondent_id,  # one index each: an OR
                   InboundEvent.conversation_id.in_(conversation_ids)):  # would scan all
        session.execute(update(InboundEvent).where(theirs).values(
            respondent_id=None, conversation_id=None, said=None, reply=None))
    session.execute(delete(Delivery).where(Delivery.respondent_id == respondent_id))
    session.execute(delete(Invitation).where(Invitation.respondent_id == respondent_id))
    session.execute(delete(Participation).where(Participation.respondent_id == respondent_id))
    _take_back_messages_about(session, respondent_id, conversation_ids, now)
    _anonymise_complaints(session, respondent_id)
    ideas.forget_person(session, respondent_id)  # supports go; signed ideas lose author, words
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
    daily.recount_days(session, scored_days)  # their scores leave the named counts
    daily.mark_unlinked_dirty(session, started_days)  # and may join an anonymous group
    session.expunge_all()


def remove(session: Session, *, respondents: Collection[int],
           conversations: Collection[int]) -> None:
    """Delete these people and conversations outright, with everything tied to them.

    For made-up data (``ecoute demo --remove``), never for real people, whose
    statistics stay (:func:`forget_respondent`): answers, events, messages to or
    about them, the conversations, the people. Derived rows go with them (their
    foreign keys cascade, the sample lists' included) and the dashboard's daily counts
    are recounted for their days.
    """
    people, talks = list(respondents), list(conversations)
    scored_days = daily.answer_days(session, talks)
    started_days = daily.started_days(session, talks)
    session.execute(delete(Answer).where(Answer.conversation_id.in_(talks)))
    session.execute(delete(InboundEvent).where(or_(InboundEvent.respondent_id.in_(people),
                                                   InboundEvent.conversation_id.in_(talks))))
    session.execute(delete(Delivery).where(or_(
        Delivery.respondent_id.in_(people), Delivery.about_respondent_id.in_(people),
        Delivery.about_conversation_id.in_(talks))))
    session.execute(delete(Conversation).where(Conversation.id.in_(talks)))
    session.execute(delete(Respondent).where(Respondent.id.in_(people)))
    daily.recount_days(session, scored_days)  # the dashboard's counts lose them too
    daily.mark_unlinked_dirty(session, started_days)
    session.expunge_all()


def _anonymise_complaints(session: Session, respondent_id: int) -> None:
    """Keep the person's complaints as anonymous workflow records: no words, no link, no notes."""
    theirs = select(Complaint.id).where(Complaint.respondent_id == respondent_id)
    session.execute(update(ComplaintEvent).where(ComplaintEvent.complaint_id.in_(theirs))
                    .values(note=None))
    session.execute(update(Complaint).where(Complaint.respondent_id == respondent_id).values(
        respondent_id=None, conversation_id=None, description=None, own_reference=None,
        photo_file_id=None,
    ))


def _take_back_messages_about(session: Session, respondent_id: int,
                              conversation_ids: Select[Any], now: datetime) -> None:
    """Delete the unsent messages about the person; blank and retract the sent ones.

    A message is about the person or about one of their conversations: each is
    looked up by its own (partial) index, one after the other. Blanking a message
    clears both, so one about both is retracted once.
    """
    for about in (Delivery.about_respondent_id == respondent_id,
                  Delivery.about_conversation_id.in_(conversation_ids)):
        _take_back(session, about, now)


def _take_back(session: Session, about: ColumnElement[bool], now: datetime) -> None:
    """Delete the unsent messages ``about`` selects; blank the sent ones and retract them."""
    session.execute(delete(Delivery).where(about, Delivery.status != DeliveryStatus.SENT))
    posted = session.execute(
        select(Delivery.id, Delivery.channel, Delivery.address, Delivery.receipt,
               Delivery.payload).where(about, Delivery.receipt.is_not(None))
    ).all()
    for sent in posted:
        language = (sent.payload or {}).get("language")
        deliveries.enqueue(
            session, key=f"retraction:{sent.id}", kind=DeliveryKind.RETRACTION,
            channel=sent.channel, respondent_id=None, address=sent.address,
            payload={"receipt": sent.receipt, "language": language}, now=now,
        )
    session.execute(
        update(Delivery).where(about).values(
            payload={}, receipt=None, last_error=None,
            about_respondent_id=None, about_conversation_id=None,
        )
    )
