"""Outgoing webhooks' rows: add, list by page, find the subscribers of an event, delete.

Rows only: which URL is acceptable, how a secret is made and what an event
carries is the core's policy (:mod:`bot.webhooks`). A webhook's record as the
rest of the code sees it (:class:`WebhookRecord`) never holds its secret; only
the outbox's sender gets it, in a :class:`Target`, at send time. Deleting a
webhook keeps its row (the audit log names it) but blanks its secret and cancels
its pending deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.models import Delivery, Webhook
from storage.vocabulary import DeliveryKind, DeliveryStatus


@dataclass(frozen=True)
class WebhookRecord:
    """A webhook as staff and the API see it: never its secret."""

    id: int
    url: str
    events: tuple[str, ...]
    description: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Target:
    """Where one delivery goes and the secret that signs it (kept out of ``repr``)."""

    id: int
    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Subscriber:
    """A live webhook and the events it wants."""

    id: int
    events: frozenset[str]


def _record(row: Webhook) -> WebhookRecord:
    """Turn a row into a :class:`WebhookRecord`."""
    return WebhookRecord(row.id, row.url, tuple(row.events), row.description, row.created_by,
                         row.created_at, row.revoked_at)


def add(session: Session, *, url: str, events: list[str], secret: str, description: str,
        created_by: str, now: datetime) -> WebhookRecord:
    """Insert a webhook and return its record."""
    row = Webhook(url=url, events=events, secret=secret, description=description,
                  created_by=created_by, created_at=now)
    session.add(row)
    session.flush()
    return _record(row)


def live(session: Session, *, limit: int, after: int | None = None) -> list[WebhookRecord]:
    """Return up to ``limit`` live webhooks by id, after id ``after``."""
    query = select(Webhook).where(Webhook.revoked_at.is_(None)).order_by(Webhook.id).limit(limit)
    if after is not None:
        query = query.where(Webhook.id > after)
    return [_record(row) for row in session.scalars(query)]


_ANY_LIVE = Prepared(select(Webhook.id).where(Webhook.revoked_at.is_(None)).limit(1))


def subscribers(session: Executor) -> list[Subscriber]:
    """Return every live webhook with its events, on the turn's connection.

    Called at every completed conversation: most installations have no webhook,
    so a prepared one-row probe answers that case before any ordinary query.
    """
    connection = connection_of(session)
    if _ANY_LIVE.scalar(connection, {}) is None:
        return []
    rows = connection.execute(
        select(Webhook.id, Webhook.events).where(Webhook.revoked_at.is_(None))
    )
    return [Subscriber(row.id, frozenset(row.events)) for row in rows]


def target(session: Session, webhook_id: int) -> Target | None:
    """Return where a live webhook's deliveries go and its secret, or None once deleted."""
    row = session.execute(
        select(Webhook.id, Webhook.url, Webhook.secret)
        .where(Webhook.id == webhook_id, Webhook.revoked_at.is_(None))
    ).first()
    return Target(row.id, row.url, row.secret) if row else None


def delete(session: Session, webhook_id: int, now: datetime) -> WebhookRecord | None:
    """Delete a live webhook: blank its secret, cancel what it has pending; None if none."""
    done = session.execute(
        update(Webhook).where(Webhook.id == webhook_id, Webhook.revoked_at.is_(None))
        .values(revoked_at=now, secret="")
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return None
    session.execute(
        update(Delivery)
        .where(Delivery.kind == DeliveryKind.WEBHOOK, Delivery.address == str(webhook_id),
               Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="webhook deleted", payload={})
    )
    row = session.get(Webhook, webhook_id)
    assert row is not None
    session.refresh(row)
    return _record(row)
