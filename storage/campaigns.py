"""Campaigns: create or find one by its key, and count its deliveries' outcomes.

A campaign row says what is sent (its kind) and where (its channel), never to
whom; its deliveries (:mod:`storage.deliveries`) point to it. Its progress is
one grouped query over those deliveries, by status and by reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    null,
    select,
    update,
)

from storage.db import Executor, insert_for
from storage.models import Campaign, Delivery, Respondent, When
from storage.vocabulary import CampaignState, DeliveryKind, DeliveryStatus


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


@dataclass(frozen=True)
class PerLanguage:
    """One payload per stored language; people in any other language, or none, get ``default``'s."""

    payloads: Mapping[str, dict[str, Any]]
    default: str


def _payload_column(payload: dict[str, Any] | PerLanguage) -> ColumnElement[Any]:
    """Return each planned row's payload: the one given, or the person's language's by ``CASE``."""
    if not isinstance(payload, PerLanguage):
        return literal(payload, type_=JSON)
    others = [(Respondent.language == language, literal(chosen, type_=JSON))
              for language, chosen in payload.payloads.items() if language != payload.default]
    fallback = literal(payload.payloads[payload.default], type_=JSON)
    return case(*others, else_=fallback) if others else fallback


def plan_from_query(session: Executor, campaign_id: int, kind: DeliveryKind, key_prefix: str,
                    people: Select[tuple[int]], payload: dict[str, Any] | PerLanguage,
                    now: datetime, *, needs_consent: bool, stopped_by_stop: bool) -> int:
    """Plan one delivery per person of ``people`` in ONE ``INSERT … SELECT``; return how many.

    Each delivery's key is ``key_prefix`` followed by the person's id, so planning
    again adds nobody twice. People the kind's rule refuses now (stop, unreachable,
    no consent) are stored skipped with the reason, as :func:`bot.campaigns.plan`
    does one by one, so the progress counts everyone the campaign was for. A
    :class:`PerLanguage` payload gives each person their language's in the same
    statement. The count is the statement's own (``preserve_rowcount``: SQLAlchemy
    keeps an INSERT's row count only when asked), not a second scan of the rows.
    """
    audience = people.subquery()
    person = Respondent
    reasons = []
    if stopped_by_stop:
        reasons.append((person.opted_out_at.is_not(None), "opted out"))
    reasons.append((person.unreachable_at.is_not(None), "unreachable"))
    if needs_consent:
        reasons.append((person.consent_at.is_(None), "no consent"))
    reason = case(*reasons, else_=null())
    chosen = select(
        literal(key_prefix) + cast(person.id, String),
        literal(str(kind)), person.channel, person.id, _payload_column(payload),
        case((reason.is_(None), literal(DeliveryStatus.PENDING.value)),
             else_=literal(DeliveryStatus.SKIPPED.value)),
        literal(0), literal(now, type_=When()), reason, literal(now, type_=When()),
        literal(campaign_id),
    ).join(audience, audience.c.respondent_id == person.id)
    columns = ["idempotency_key", "kind", "channel", "respondent_id", "payload", "status",
               "attempts", "next_attempt_at", "last_error", "created_at", "campaign_id"]
    stmt = insert_for(session)(Delivery).from_select(columns, chosen)
    result = session.execute(stmt.on_conflict_do_nothing(index_elements=["idempotency_key"])
                             .execution_options(preserve_rowcount=True))
    if result.rowcount is not None and result.rowcount >= 0:
        return int(result.rowcount)
    return int(session.execute(select(func.count()).select_from(Delivery).where(  # no rowcount
        Delivery.campaign_id == campaign_id, Delivery.created_at == now)).scalar_one())


def state_of(session: Executor, campaign_id: int) -> CampaignState:
    """Return whether a campaign is active, paused or cancelled."""
    found = session.execute(select(Campaign.state).where(Campaign.id == campaign_id)).scalar()
    return CampaignState(found or CampaignState.ACTIVE)


def set_state(session: Executor, campaign_id: int, state: CampaignState, now: datetime) -> int:
    """Set a campaign's state; cancelling also cancels its pending deliveries (return how many)."""
    session.execute(update(Campaign).where(Campaign.id == campaign_id).values(state=state))
    if state is not CampaignState.CANCELLED:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, last_error="cancelled", next_attempt_at=now))
    return int(result.rowcount or 0)
