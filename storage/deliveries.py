"""Deliveries, the outbox's rows: enqueue with an idempotency key, claim, record outcomes, cancel.

A delivery may belong to a campaign (:mod:`storage.campaigns`); one refused at
planning (the person said stop, say) is stored already skipped, with its reason,
so that a campaign's progress counts everyone it was meant for.

Claims are safe with several workers: on PostgreSQL due rows are selected
``FOR UPDATE SKIP LOCKED`` and leased (their next attempt moved past the send),
so a worker that dies mid-send only delays a delivery until its lease ends.
SQLite serialises writers, which gives the same guarantee on one machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storage.anonymous import random_id
from storage.db import Executor, insert_for
from storage.models import Campaign, Delivery, Respondent
from storage.vocabulary import CampaignState, DeliveryKind, DeliveryStatus


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed for sending, with what the rules need to know of its person."""

    id: int
    kind: str
    channel: str
    address: str | None
    payload: dict[str, Any]
    attempts: int
    respondent_id: int | None
    opted_out: bool
    unreachable: bool
    consented: bool
    language: str | None = None
    timezone: str | None = None
    campaign_id: int | None = None


def enqueue(
    session: Executor,
    *,
    key: str,
    kind: DeliveryKind,
    channel: str,
    respondent_id: int | None,
    address: str | None,
    payload: dict[str, Any],
    now: datetime,
    due: datetime | None = None,
    about_respondent_id: int | None = None,
    about_conversation_id: int | None = None,
    campaign_id: int | None = None,
    skipped: str | None = None,
    anonymous: bool = False,
) -> bool:
    """Add a delivery (due ``now``, else ``due``) unless its key exists; True if added.

    ``about_*`` name the person and conversation a message is about (a staff alert
    goes to a staff channel, not to them): "forget" deletes or retracts it.

    With a ``skipped`` reason the delivery is stored already skipped (never sent).
    An anonymous answer's delivery gets a random negative id (:mod:`storage.anonymous`).
    """
    stmt = insert_for(session)(Delivery).values(
        **({"id": random_id()} if anonymous else {}),
        idempotency_key=key,
        kind=kind,
        channel=channel,
        respondent_id=respondent_id,
        about_respondent_id=about_respondent_id,
        about_conversation_id=about_conversation_id,
        address=address,
        payload=payload,
        status=DeliveryStatus.SKIPPED if skipped else DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=due or now,
        last_error=skipped,
        created_at=now,
        campaign_id=campaign_id,
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(Delivery.id)
    return session.execute(stmt).scalar() is not None


def claim_due(
    session: Session,
    now: datetime,
    lease_until: datetime,
    limit: int,
    *,
    exclude: frozenset[str] = frozenset(),
    channel: str | None = None,
    external_id: str | None = None,
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries and return them, oldest first.

    ``exclude`` leaves out pull channels (the dispatcher); ``channel`` and
    ``external_id`` select one person's messages (a pull channel's inbox). A paused
    or cancelled campaign's deliveries are not claimed.
    """
    stmt = (
        select(Delivery, Respondent)
        .outerjoin(Respondent, Respondent.id == Delivery.respondent_id)
        .outerjoin(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now,
               or_(Delivery.campaign_id.is_(None), Campaign.state == CampaignState.ACTIVE))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if exclude:
        stmt = stmt.where(Delivery.channel.not_in(exclude))
    if channel is not None:
        stmt = stmt.where(Delivery.channel == channel, Respondent.external_id == external_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Delivery, skip_locked=True)
    claimed = []
    for delivery, person in session.execute(stmt):
        delivery.next_attempt_at = lease_until
        claimed.append(
            Claimed(
                id=delivery.id,
                kind=delivery.kind,
                channel=delivery.channel,
                address=delivery.address or (person.external_id if person else None),
                payload=delivery.payload,
                attempts=delivery.attempts,
                respondent_id=delivery.respondent_id,
                opted_out=bool(person and person.opted_out_at),
                unreachable=bool(person and person.unreachable_at),
                consented=bool(person and person.consent_at),
                language=person.language if person else None,
                timezone=person.timezone if person else None,
                campaign_id=delivery.campaign_id,
            )
        )
    return claimed


def finish(session: Session, delivery_id: int, status: DeliveryStatus, now: datetime,
           error: str | None = None) -> None:
    """Record a final outcome: sent, failed or skipped."""
    values: dict[str, Any] = {"status": status}
    if error is not None:
        values["last_error"] = error[:500]
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    if status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        values["attempts"] = Delivery.attempts + 1
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def reschedule(session: Session, delivery_id: int, at: datetime, error: str | None,
               *, attempted: bool) -> None:
    """Try a delivery again at ``at`` (an attempt counts only if it reached the platform)."""
    values: dict[str, Any] = {"next_attempt_at": at}
    if attempted:
        values["attempts"] = Delivery.attempts + 1
        values["last_error"] = error and error[:500]
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def cancel_deliveries(session: Session, respondent_id: int, now: datetime) -> int:
    """Cancel the person's pending proactive messages (they said stop); return how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.respondent_id == respondent_id,
               Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="opted out", next_attempt_at=now)
    )
    return result.rowcount or 0


def keep_receipt(session: Session, delivery_id: int, receipt: dict[str, str]) -> bool:
    """Keep where the platform shows a sent message (Slack: channel and ts), to retract it.

    Return False when the delivery is gone: its person was forgotten while it was sent.
    """
    result = session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(receipt=receipt)
    )
    return bool(result.rowcount)


def sent_since(session: Executor, respondent_id: int, kind: DeliveryKind,
               since: datetime) -> int:
    """Count the messages of ``kind`` sent to a person since ``since`` (the weekly cap)."""
    return int(session.execute(
        select(func.count()).select_from(Delivery)
        .where(Delivery.respondent_id == respondent_id, Delivery.kind == kind,
               Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= since)).scalar_one())


def sent_counts(session: Executor, respondent_ids: list[int], kind: DeliveryKind,
                since: datetime) -> dict[int, int]:
    """Count, per person, the messages of ``kind`` sent to them since ``since`` (one query)."""
    rows = session.execute(
        select(Delivery.respondent_id, func.count())
        .where(Delivery.respondent_id.in_(respondent_ids), Delivery.kind == kind,
               Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= since)
        .group_by(Delivery.respondent_id))
    return {int(person): int(count) for person, count in rows}


def finish_sent(session: Session, delivery_ids: list[int], now: datetime) -> None:
    """Record many deliveries sent at once (the dispatcher's batch), in one statement."""
    if delivery_ids:
        session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(
            status=DeliveryStatus.SENT, sent_at=now, attempts=Delivery.attempts + 1))


def put_back(session: Session, delivery_ids: list[int], at: datetime) -> None:
    """Make many claimed deliveries due again at ``at`` (held back by a rate limit)."""
    if delivery_ids:
        session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids))
                        .values(next_attempt_at=at))
