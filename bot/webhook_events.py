"""Webhook events: what a completed conversation tells the company's own system, via the outbox.

When a named conversation is completed (a dialogue's last answer, or a whole
form), one delivery of kind ``webhook`` is planned per live webhook and event it
subscribes to, in the same transaction as the answers (the outbox pattern):

- ``response.completed``: the survey, channel, context, language, times and answers;
- ``response.detractor``: the same, when a score is a detractor's
  (:func:`bot.metrics.is_detractor`: NPS 0-6, CSAT 1-2), with those scores.

The payload follows Standard Webhooks: ``{"type", "timestamp", "data"}``. Its
``webhook-id`` (:attr:`WebhookMessage.id`) is made once, here, so every retry of
one event carries the same id and the receiver can drop repeats. The idempotency
key (webhook, event, conversation) plans each pair once, however often a turn is
replayed. No platform id of the person is sent: the conversation's public id
and its console link are how the company's system refers to it.

**Anonymous answers never fire a webhook**: an event's time would place an
anonymous answer in time, which the rule of five (:mod:`bot.small_groups`)
forbids. Each delivery names the person and the conversation it is about, so
"forget" deletes it while unsent and blanks it once sent (:mod:`storage.erasure`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from bot.context import EngineSettings
from bot.metrics import is_detractor
from bot.surveys import Survey
from storage import deliveries
from storage import webhooks as rows
from storage.db import Executor
from storage.hotpath.tracked import ConversationRow
from storage.vocabulary import DeliveryKind, WebhookEvent
from storage.webhooks import Target

CHANNEL = "webhook"  # the outbox's channel of every webhook delivery; its address is the id


@dataclass(frozen=True)
class WebhookMessage:
    """One event for one webhook: its stable id (``webhook-id``) and its payload."""

    id: str
    type: str
    timestamp: str
    data: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """Return the JSON body the receiver gets (Standard Webhooks' shape)."""
        return {"type": self.type, "timestamp": self.timestamp, "data": self.data}

    def to_dict(self) -> dict[str, Any]:
        """Return the delivery payload."""
        return {"id": self.id, **self.body()}

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> WebhookMessage:
        """Rebuild an event from its delivery payload."""
        return cls(str(payload["id"]), str(payload["type"]), str(payload["timestamp"]),
                   dict(payload.get("data") or {}))


@runtime_checkable
class Posting(Protocol):
    """The outbox's sender of webhook events: signs (Standard Webhooks) and posts one event."""

    def post(self, target: Target, message: WebhookMessage) -> None:
        """Deliver one event to one webhook, or raise one of :mod:`bot.outbox`'s SendErrors."""


def plan(session: Executor, settings: EngineSettings, conversation: ConversationRow,
         survey: Survey, now: datetime, *, anonymous: bool = False) -> None:
    """Plan the events of a completed conversation for every webhook that wants them."""
    if anonymous or conversation.respondent_id is None:
        return  # never: see the module's docstring
    subscribers = rows.subscribers(session)
    if not subscribers:
        return
    data = _data(settings, conversation, survey)
    events = [(WebhookEvent.RESPONSE_COMPLETED, data)]
    low = detractor_scores(survey, conversation.values)
    if low:
        events.append((WebhookEvent.RESPONSE_DETRACTOR, {**data, "detractor_scores": low}))
    for event, event_data in events:
        emit(session, event, event_data, subject=conversation.public_id, now=now,
             about_respondent_id=conversation.respondent_id,
             about_conversation_id=conversation.id, subscribers=subscribers)


def emit(session: Executor, event: WebhookEvent, data: dict[str, Any], *, subject: str,
         now: datetime, about_respondent_id: int | None = None,
         about_conversation_id: int | None = None,
         subscribers: list[rows.Subscriber] | None = None) -> int:
    """Plan ``event`` for each live webhook subscribed to it; return how many were planned.

    ``subject`` names what the event is about (a conversation's public id; a
    complaint's reference and version): each (webhook, event, subject) is planned
    once. ``about_*`` name the person, so "forget" deletes what is unsent. The
    caller decides that the event may be sent at all (never for anonymous answers).
    """
    planned = 0
    for subscriber in rows.subscribers(session) if subscribers is None else subscribers:
        if event not in subscriber.events:
            continue
        message = WebhookMessage(f"msg_{uuid.uuid4().hex}", event.value, _iso(now), data)
        planned += deliveries.enqueue(
            session,
            key=f"webhook:{subscriber.id}:{event.value}:{subject}",
            kind=DeliveryKind.WEBHOOK,
            channel=CHANNEL,
            respondent_id=None,  # to the company's system, not to the person: stop does not apply
            address=str(subscriber.id),
            payload=message.to_dict(),
            now=now,
            about_respondent_id=about_respondent_id,  # forget deletes or blanks it
            about_conversation_id=about_conversation_id,
        )
    return planned


def detractor_scores(survey: Survey, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the detractor scores among a conversation's answers (question, type, value)."""
    return [{"question": q.id, "type": q.type, "value": values[q.id]}
            for q in survey.questions
            if q.type in ("nps", "csat") and isinstance(values.get(q.id), int)
            and is_detractor(q.type, values[q.id])]


def _data(settings: EngineSettings, conversation: ConversationRow,
          survey: Survey) -> dict[str, Any]:
    """Return what an event says of a completed conversation."""
    values = conversation.values
    return {
        "conversation": conversation.public_id,
        "survey": survey.key,
        "channel": conversation.channel,
        "language": conversation.language,
        "context": conversation.context,
        "started_at": _iso(conversation.started_at),
        "completed_at": _iso(conversation.completed_at or conversation.updated_at),
        "answers": [{"question": q.id, "type": q.type, "value": values[q.id]}
                    for q in survey.questions if q.id in values],
        "link": f"{settings.console_url}/admin/conversations/{conversation.public_id}",
    }


def _iso(moment: datetime) -> str:
    """Return a time in UTC, ISO 8601 with a ``Z``, to the millisecond."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
