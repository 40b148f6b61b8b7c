"""Triggered survey invitations: the person asked about, their group, the cap's count, the rows.

A person may be known on several channels; the company's own id for them
(``respondent.customer_ref``) links those identities. The contact cap counts the
invitations of a person's whole group: the respondent itself and every respondent
with the same ``customer_ref``.

Concurrency: :func:`lock_group` takes row locks (``SELECT … FOR UPDATE``, ordered by
id) on every respondent of the group, in the transaction that counts and then adds
the invitation. The link (``customer_ref``) is committed *before* that transaction
(:func:`link_customer`), so any two plannings for one group lock at least one row in
common: the second waits for the first to commit, then counts its invitation.
SQLite has one writer at a time (``BEGIN IMMEDIATE``), which gives the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update

from storage.db import Executor, connection_of
from storage.models import Invitation, Respondent


@dataclass(frozen=True)
class Person:
    """A stored person as an invitation needs them: their state and their company id."""

    respondent_id: int
    language: str | None
    opted_out: bool
    unreachable: bool
    consented: bool
    customer_ref: str | None


@dataclass(frozen=True)
class InvitationRow:
    """A stored invitation."""

    id: int
    public_id: str
    respondent_id: int
    campaign_id: int
    survey: str
    context: str | None
    conversation_id: int | None
    created_at: datetime


def find_person(session: Executor, channel: str, external_id: str) -> Person | None:
    """Return the person known by this id on this channel, or None."""
    row = connection_of(session).execute(
        select(Respondent.id, Respondent.language, Respondent.opted_out_at,
               Respondent.unreachable_at, Respondent.consent_at, Respondent.customer_ref)
        .where(Respondent.channel == channel, Respondent.external_id == external_id)
    ).first()
    if row is None:
        return None
    return Person(row.id, row.language, row.opted_out_at is not None,
                  row.unreachable_at is not None, row.consent_at is not None, row.customer_ref)


def link_customer(session: Executor, respondent_id: int, customer_ref: str) -> None:
    """Set (or confirm) the company's id for a person."""
    connection_of(session).execute(
        update(Respondent).where(Respondent.id == respondent_id,
                                 or_(Respondent.customer_ref.is_(None),
                                     Respondent.customer_ref != customer_ref))
        .values(customer_ref=customer_ref)
    )


def lock_group(session: Executor, respondent_id: int) -> list[int]:
    """Lock the rows of the person and of everyone sharing their ``customer_ref``; return ids.

    The rows are locked in one statement, in the order of ids, so two plannings for
    one group wait for each other instead of deadlocking.
    """
    connection = connection_of(session)
    customer_ref = connection.scalar(
        select(Respondent.customer_ref).where(Respondent.id == respondent_id))
    group = select(Respondent.id).order_by(Respondent.id).where(
        Respondent.id == respondent_id if customer_ref is None
        else or_(Respondent.id == respondent_id, Respondent.customer_ref == customer_ref))
    if connection.dialect.name == "postgresql":
        group = group.with_for_update()
    return list(connection.scalars(group))


def invited_since(session: Executor, respondent_ids: Sequence[int], since: datetime) -> int:
    """Count the invitations planned for these people after ``since``."""
    return connection_of(session).scalar(  # type: ignore[no-any-return]
        select(func.count()).select_from(Invitation)
        .where(Invitation.respondent_id.in_(list(respondent_ids)),
               Invitation.created_at > since)
    )


def add_invitation(session: Executor, *, public_id: str, respondent_id: int, campaign_id: int,
                   survey: str, context: str | None, now: datetime) -> None:
    """Store a planned invitation."""
    connection_of(session).execute(insert(Invitation).values(
        public_id=public_id, respondent_id=respondent_id, campaign_id=campaign_id,
        survey=survey, context=context, conversation_id=None, created_at=now, started_at=None,
    ))


_COLUMNS = (Invitation.id, Invitation.public_id, Invitation.respondent_id,
            Invitation.campaign_id, Invitation.survey, Invitation.context,
            Invitation.conversation_id, Invitation.created_at)


def _one(session: Executor, *where: object) -> InvitationRow | None:
    """Return the newest invitation matching ``where``, or None."""
    row = connection_of(session).execute(
        select(*_COLUMNS).where(*where)  # type: ignore[arg-type]
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1)
    ).first()
    return InvitationRow(*row) if row is not None else None


def by_public_id(session: Executor, public_id: str) -> InvitationRow | None:
    """Return the invitation with this public id."""
    return _one(session, Invitation.public_id == public_id)


def by_campaign(session: Executor, campaign_id: int) -> InvitationRow | None:
    """Return the invitation its campaign planned (None when the campaign skipped it)."""
    return _one(session, Invitation.campaign_id == campaign_id)


def awaiting_answer(session: Executor, respondent_id: int, since: datetime) -> InvitationRow | None:
    """Return the person's newest invitation from ``since`` on that they have not begun."""
    return _one(session, Invitation.respondent_id == respondent_id,
                Invitation.conversation_id.is_(None), Invitation.started_at.is_(None),
                Invitation.created_at >= since)


def mark_started(session: Executor, invitation_id: int, conversation_id: int,
                 now: datetime) -> None:
    """Remember the conversation an invitation's answer began."""
    connection_of(session).execute(
        update(Invitation).where(Invitation.id == invitation_id)
        .values(conversation_id=conversation_id, started_at=now)
    )
