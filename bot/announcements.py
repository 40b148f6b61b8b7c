"""Announcing an improvement: publish it once, pause, resume or cancel it, count its progress.

Usage::

    with db.transaction() as session:
        published = publish(session, improvement_id, actor="staff:1", now=clock())
    published.planned          # deliveries queued by this call (0 when it was published before)
    with db.reading() as connection:
        status(connection, improvement_id)   # Status(state, progress, answers)

Publishing is the campaign mechanism (:mod:`bot.campaigns`) planned set-based: one
``INSERT … SELECT`` over the improvement's audience (:func:`storage.improvements.audience`,
the people behind its accepted links) writes one delivery per person, keyed by
(campaign, person), so publishing twice or two staff pressing at once queue nobody
twice (the improvement's row is locked while publishing on PostgreSQL; SQLite
serialises writers). The kind's rule (:data:`bot.delivery_rules.RULES`: consent
needed, stop blocks it) is applied in that query, and again when the outbox sends
(:mod:`bot.announcement_message` renders the personal message then, in the person's
language, after the weekly cap and quiet hours). Anonymous feedback is linked to nobody,
so it never reaches an audience. The answer to "Does this answer your concern?" comes
back through the engine (:func:`handle`), once per inbound event, one reaction per person.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.campaigns import Progress, delivery_key, tally
from bot.context import TurnContext
from bot.delivery_rules import RULES
from bot.messages import Kind
from bot.staff import audit
from storage import campaigns, improvement_effects, improvements
from storage.db import Executor
from storage.vocabulary import (
    AuditAction,
    CampaignState,
    DeliveryKind,
    ImprovementStatus,
    ReactionAnswer,
)

REF_PREFIX = "announce:"


class AnnouncementError(Exception):
    """What staff asked cannot be done (no such improvement, not published, cancelled)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Published:
    """The outcome of publishing: the campaign, and how many deliveries this call queued."""

    improvement_id: int
    campaign_id: int
    published_at: datetime
    planned: int = 0
    first: bool = False  # this call published it (False: it was published before)


@dataclass(frozen=True)
class Status:
    """Where an announcement stands: its state, its deliveries' progress, the answers so far."""

    improvement_id: int
    state: CampaignState
    progress: Progress
    answers: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the API's ``announcement`` object)."""
        answers = {answer.value: self.answers.get(answer.value, 0) for answer in ReactionAnswer}
        return {"state": self.state.value, "progress": asdict(self.progress),
                "answers": answers}


def campaign_key(improvement_id: int) -> str:
    """Return the key of the campaign announcing an improvement."""
    return f"announcement:improvement:{improvement_id}"


def reference(improvement_id: int) -> str:
    """Return the ref the announcement's answer buttons carry."""
    return f"{REF_PREFIX}{improvement_id}"


def publish(session: Session, improvement_id: int, *, actor: str, now: datetime) -> Published:
    """Publish an improvement and plan its announcement, once (a second call returns the first)."""
    row = improvements.lock(session, improvement_id)
    if row is None:
        raise AnnouncementError("not_found", f"there is no improvement {improvement_id}")
    if row.status == ImprovementStatus.PUBLISHED and row.campaign_id is not None:
        assert row.published_at is not None
        return Published(row.id, row.campaign_id, row.published_at)
    key = campaign_key(improvement_id)
    campaign = campaigns.ensure_campaign(session, key, DeliveryKind.ANNOUNCEMENT, None, now)
    rule = RULES[DeliveryKind.ANNOUNCEMENT]
    planned = campaigns.plan_from_query(
        session, campaign.id, DeliveryKind.ANNOUNCEMENT, delivery_key(key, 0)[:-1],
        improvements.audience(improvement_id), {"improvement": improvement_id}, now,
        needs_consent=rule.needs_consent, stopped_by_stop=rule.stopped_by_stop)
    improvements.mark_published(session, improvement_id, campaign.id, now)
    audit(session, now, actor, AuditAction.IMPROVEMENT_PUBLISHED,
          f"improvement:{improvement_id}", planned=planned)
    return Published(improvement_id, campaign.id, now, planned, first=True)


_MOVES = {  # what staff ask -> (the state it leads to, the states it may start from, audit)
    "pause": (CampaignState.PAUSED, {CampaignState.ACTIVE, CampaignState.PAUSED},
              AuditAction.ANNOUNCEMENT_PAUSED),
    "resume": (CampaignState.ACTIVE, {CampaignState.PAUSED, CampaignState.ACTIVE},
               AuditAction.ANNOUNCEMENT_RESUMED),
    "cancel": (CampaignState.CANCELLED, set(CampaignState), AuditAction.ANNOUNCEMENT_CANCELLED),
}


def change(session: Session, improvement_id: int, move: str, *, actor: str,
           now: datetime) -> CampaignState:
    """Pause, resume or cancel an announcement; asking for the state it is in changes nothing.

    Cancelling cancels every pending delivery for good; a cancelled announcement
    cannot be resumed (AnnouncementError ``cancelled``).
    """
    target, sources, action = _MOVES[move]
    campaign_id = _campaign_of(session, improvement_id)
    state = campaigns.state_of(session, campaign_id)
    if state not in sources:
        raise AnnouncementError("cancelled", "this announcement was cancelled")
    if state is target:
        return state
    cancelled = campaigns.set_state(session, campaign_id, target, now)
    audit(session, now, actor, action, f"improvement:{improvement_id}", cancelled=cancelled)
    return target


def status(session: Executor, improvement_id: int) -> Status:
    """Return the announcement's state, progress and answers (AnnouncementError if none)."""
    campaign_id = _campaign_of(session, improvement_id)
    return Status(improvement_id, campaigns.state_of(session, campaign_id),
                  tally(campaigns.outcomes(session, campaign_id)),
                  improvement_effects.reaction_counts(session, [improvement_id])[improvement_id])


def _campaign_of(session: Executor, improvement_id: int) -> int:
    """Return the campaign announcing an improvement, or raise AnnouncementError."""
    row = improvements.find(session, improvement_id)
    if row is None:
        raise AnnouncementError("not_found", f"there is no improvement {improvement_id}")
    if row.campaign_id is None:
        raise AnnouncementError("not_published", "this improvement is not published yet")
    return row.campaign_id


def handle(ctx: TurnContext) -> bool:
    """Take a tap on an announcement's buttons (or its number, typed) as the reaction; True if so.

    The person's answer replaces an earlier one of theirs (one reaction per person).
    A tap from someone the announcement did not go to changes nothing.
    """
    inbound = ctx.inbound
    if not (inbound.ref or "").startswith(REF_PREFIX):
        return False
    answer = _answer(inbound.choice_id or inbound.text or "")
    raw = str(inbound.ref)[len(REF_PREFIX):]
    improvement_id = int(raw) if raw.isdecimal() else 0
    if answer is None or not improvements.was_announced_to(ctx.connection, improvement_id,
                                                           ctx.respondent.id):
        ctx.say(ctx._("That question has already been answered."), Kind.NOTICE)
        return True
    improvements.react(ctx.connection, improvement_id, ctx.respondent.id,
                       ctx.inbound.sender.channel, answer, ctx.now)
    ctx.say(ctx._("Thank you for your answer."), Kind.ACKNOWLEDGEMENT)
    return True


def _answer(said: str) -> ReactionAnswer | None:
    """Read yes / partly / no from a choice id or its number (1, 2, 3)."""
    said = said.strip().lower()
    numbered = {str(n): answer for n, answer in enumerate(ReactionAnswer, start=1)}
    try:
        return ReactionAnswer(said)
    except ValueError:
        return numbered.get(said)
