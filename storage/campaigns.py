"""Campaigns: create or find one by its key, and count its deliveries' outcomes.

A campaign row says what is sent (its kind) and where (its channel), never to
whom; its deliveries (:mod:`storage.deliveries`) point to it. Its progress is
one grouped query over those deliveries, by status and by reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Executor, insert_for
from storage.models import Campaign, Delivery
from storage.vocabulary import DeliveryKind, DeliveryStatus


@dataclass(frozen=True)
class CampaignRow:
    """A stored campaign."""

    id: int
    key: str
    kind: DeliveryKind
    channel: str | None
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """How many of a campaign's deliveries are in one status, for one reason."""

    status: DeliveryStatus
    reason: str | None
    count: int


def find_campaign(session: Executor, key: str) -> CampaignRow | None:
    """Return the campaign with this key, if there is one."""
    row = session.execute(
        select(Campaign.id, Campaign.key, Campaign.kind, Campaign.channel, Campaign.created_at)
        .where(Campaign.key == key)
    ).first()
    if row is None:
        return None
    return CampaignRow(row.id, row.key, DeliveryKind(row.kind), row.channel, row.created_at)


def ensure_campaign(session: Executor, key: str, kind: DeliveryKind, channel: str | None,
                    now: datetime) -> CampaignRow:
    """Return the campaign with this key, creating it first if needed (a second call finds it).

    A campaign found under the same key with another kind is an error: keys name
    one campaign for good.
    """
    stmt = insert_for(session)(Campaign).values(key=key, kind=kind, channel=channel,
                                                created_at=now)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    found = find_campaign(session, key)
    if found is None:  # pragma: no cover - the row was inserted or existed just above
        raise LookupError(f"campaign {key!r} vanished")
    if found.kind != kind:
        raise ValueError(f"campaign {key!r} is a {found.kind} campaign, not {kind}")
    return found


def outcomes(session: Executor, campaign_id: int) -> list[Outcome]:
    """Count a campaign's deliveries by status and reason, in one grouped query.

    The reason is the delivery's last error, kept only where it is the outcome's
    reason (failed, skipped, cancelled); a pending delivery's last retry error is not.
    """
    reason = Delivery.last_error
    rows = session.execute(
        select(Delivery.status, reason, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.status, reason)
    )
    counted: dict[tuple[DeliveryStatus, str | None], int] = {}
    for status, error, count in rows:
        state = DeliveryStatus(status)
        kept = error if state in _WITH_REASON else None
        counted[state, kept] = counted.get((state, kept), 0) + count
    return [Outcome(status, why, count) for (status, why), count in sorted(
        counted.items(), key=lambda item: (item[0][0], item[0][1] or ""))]


_WITH_REASON = frozenset({DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED})
