"""Proactive messages: planning deliveries and the dispatcher's send/retry rules.

Every proactive message (announcement, complaint update, pulse survey, staff
alert) is a delivery row with an idempotency key, drained by :class:`Dispatcher`
with a per-channel and per-person rate limit (the ``limits`` library). A sender
(one per channel, injected: the core imports no platform) either returns, or
raises :class:`RetryLater` (the platform asked to wait: that delivery and the
whole channel pause), :class:`TransientError` (retried with exponential
back-off) or :class:`PermanentError` (failed for good; the person is marked
unreachable). What each kind of delivery may do is one row of :data:`bot.delivery_rules.RULES`:
whether it needs the person's consent and whether their "stop" blocks it. The
rules are applied when a campaign plans (:mod:`bot.campaigns`) and again here,
at send time, since a person may say stop or withdraw in between.

A ``webhook`` delivery (:mod:`bot.webhook_events`) goes to a :class:`Posting`
sender with the webhook's URL and secret, looked up at send time; a receiver
asking to wait pauses that webhook only.

Sent deliveries are recorded together at the end of each pass, in one transaction
(failures and retries at once): a worker killed in the middle of a pass sends that
pass's batch again, at most once, and nothing is lost. Announcements of
improvements are written at send time for the whole batch at once
(:func:`bot.announcement_message.prepare_batch`).

A sender may return a :data:`Receipt` (where the platform shows the message:
Slack's channel and ``ts``), kept on the delivery. When a person is forgotten,
each posted message about them gets a ``retraction`` delivery whose payload is
a :class:`Retraction` (the receipt, no text): a sender that is also
:class:`Retracting` takes the message back; elsewhere it is skipped.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import Session

from bot import announcement_message
from bot.announcement_message import AnnouncementSettings
from bot.delivery_rules import person_refusal
from bot.messages import Outbound
from bot.rates import rate_storage
from bot.webhook_events import Posting, WebhookMessage
from storage import deliveries as store
from storage import respondents
from storage import webhooks as webhook_rows
from storage.db import Database
from storage.vocabulary import DeliveryKind, DeliveryStatus

log = logging.getLogger(__name__)


Receipt = dict[str, str]  # where the platform shows a sent message (Slack: channel, ts)


class SendError(Exception):
    """A sender could not deliver a message."""


class RetryLater(SendError):
    """The platform asked to wait ``seconds`` before trying again."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


class TransientError(SendError):
    """A failure worth retrying (network, 5xx)."""


class PermanentError(SendError):
    """A failure that will not go away (blocked, account gone): never retry."""

    def __init__(self, reason: str, *, unreachable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


@dataclass(frozen=True)
class Retraction:
    """Take back a posted message: its receipt, and the language of any redacted text."""

    receipt: Receipt
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """Return the delivery payload (the receipt only, no text)."""
        return {"receipt": dict(self.receipt), "language": self.language}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Retraction:
        """Rebuild a retraction from its delivery payload."""
        receipt = data.get("receipt") or {}
        return cls({str(k): str(v) for k, v in receipt.items()},
                   str(data.get("language") or "en"))


class Sender(Protocol):
    """Sends one message to one address on one platform."""

    def send(self, address: str, message: Outbound) -> Receipt | None:
        """Deliver ``message`` (returning where it is shown, if known) or raise a SendError."""


@runtime_checkable
class Retracting(Protocol):
    """A sender that can also take back a message it posted (Slack: delete, else redact)."""

    def retract(self, address: str, retraction: Retraction) -> None:
        """Remove (or redact) the message the receipt points at, or raise a SendError."""


def enqueue(
    database: Database,
    *,
    key: str,
    kind: DeliveryKind,
    channel: str,
    message: Outbound,
    respondent_id: int | None = None,
    address: str | None = None,
    now: datetime,
) -> bool:
    """Plan one proactive message; the idempotency ``key`` makes planning it twice harmless.

    Only a kind with a row in :data:`RULES` can be planned (ValueError otherwise).
    """
    with database.transaction() as session:
        return store.enqueue(
            session, key=key, kind=DeliveryKind(kind), channel=channel, respondent_id=respondent_id,
            address=address, payload=message.to_dict(), now=now,
        )


@dataclass(frozen=True)
class OutboxSettings:
    """Rates (``limits`` notation, e.g. ``30/second``), retries and batch size."""

    channel_rates: Mapping[str, str] = field(default_factory=dict)
    respondent_rates: Mapping[str, str] = field(default_factory=dict)
    default_rate: str = "20/second"
    default_respondent_rate: str = "1/second"
    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 3600.0
    lease: float = 120.0
    batch: int = 50
    storage_uri: str = "memory://"
    pull_channels: frozenset[str] = frozenset()  # filled from the channels' facts
    announcements: AnnouncementSettings = field(default_factory=AnnouncementSettings)


@dataclass
class Report:
    """What one pass of the dispatcher did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0


class Dispatcher:
    """Drains due deliveries through the injected senders, one pass per call."""

    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        *,
        settings: OutboxSettings | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = database
        self.senders = dict(senders)
        self.settings = settings or OutboxSettings()
        self.clock = clock
        self._limiter = MovingWindowRateLimiter(rate_storage(self.settings.storage_uri))
        self._paused: dict[str, datetime] = {}
        self._gone: set[int] = set()
        self._prepared: dict[int, announcement_message.Prepared] = {}
        self._sent: list[tuple[store.Claimed, Receipt | None]] = []
        self._later: list[int] = []

    def run_once(self) -> Report:
        """Claim the due deliveries and try each once; return what happened."""
        now = self.clock()
        lease_until = now + timedelta(seconds=self.settings.lease)
        with self.db.transaction() as session:
            claimed = store.claim_due(session, now, lease_until, self.settings.batch,
                                      exclude=self.settings.pull_channels)
        report = Report()
        self._gone: set[int] = set()  # people found unreachable during this pass
        announcing = [d for d in claimed if announcement_message.applies(d)]
        self._prepared = {}
        if announcing:  # written at send time, for the whole batch at once
            with self.db.transaction() as session:
                self._prepared = announcement_message.prepare_batch(
                    session, announcing, now, self.settings.announcements)
        self._sent, self._later = [], []
        try:
            for delivery in claimed:
                self._one(delivery, report)
        finally:
            self._record_sent()
        return report

    def _record_sent(self) -> None:
        """Record the pass's sent deliveries in one transaction (a crash before: resent once).

        Those the rate limits held back are put back in the same transaction, due in a
        second (the lease would bring them back anyway).
        """
        if not (self._sent or self._later):
            return
        now = self.clock()
        with self.db.transaction() as session:
            store.finish_sent(session, [d.id for d, _ in self._sent], now)
            store.put_back(session, self._later, now + timedelta(seconds=1))
            for delivery, receipt in self._sent:
                if receipt and not store.keep_receipt(session, delivery.id, receipt):
                    _retract_orphan(session, delivery, receipt, now)
        self._sent, self._later = [], []

    def _one(self, delivery: store.Claimed, report: Report) -> None:
        """Apply the rules to one claimed delivery, send it, record the outcome."""
        now = self.clock()
        refusal = self._refusal(delivery)
        if refusal:
            self._finish(delivery, DeliveryStatus.SKIPPED, refusal)
            report.skipped += 1
            return
        message = None
        if announcement_message.applies(delivery):
            message = self._prepare(delivery, now, report)
            if message is None:
                return
        if not self._may_send_now(delivery, now):
            self._later.append(delivery.id)  # put back with the pass's others, in one statement
            report.deferred += 1
            return
        try:
            receipt = self._deliver(delivery, message)
        except RetryLater as wait:
            until = now + timedelta(seconds=max(wait.seconds, 0.0))
            self._paused[_pause_key(delivery)] = until
            self._reschedule(delivery, until, f"retry after {wait.seconds}s", attempted=True)
            report.retried += 1
        except PermanentError as gone:
            self._fail(delivery, gone, now)
            report.failed += 1
        except Exception as error:  # any other failure is transient
            self._transient(delivery, error, now, report)
        else:
            self._sent.append((delivery, receipt))  # recorded with the pass's others
            report.sent += 1

    def _prepare(self, delivery: store.Claimed, now: datetime,
                  report: Report) -> Outbound | None:
        """Write an announcement at send time, or skip it (capped) or defer it (quiet hours)."""
        prepared = self._prepared[delivery.id]
        if prepared.skip is not None:
            self._finish(delivery, DeliveryStatus.SKIPPED, prepared.skip)
            report.skipped += 1
        elif prepared.until is not None:
            self._reschedule(delivery, prepared.until, None, attempted=False)
            report.deferred += 1
        return prepared.message

    def _deliver(self, delivery: store.Claimed,
                 message: Outbound | None = None) -> Receipt | None:
        """Hand one delivery to its channel's sender: a message, or a retraction."""
        sender = self.senders[delivery.channel]
        if delivery.kind == DeliveryKind.RETRACTION:
            if not isinstance(sender, Retracting):  # _refusal skips these before
                raise PermanentError("cannot take messages back", unreachable=False)
            sender.retract(str(delivery.address), Retraction.from_dict(delivery.payload))
            return None
        if delivery.kind == DeliveryKind.WEBHOOK:
            self._post(sender, delivery)
            return None
        return sender.send(str(delivery.address), message or Outbound.from_dict(delivery.payload))

    def _post(self, sender: Sender, delivery: store.Claimed) -> None:
        """Hand one webhook event to the webhook sender, with the webhook's URL and secret."""
        if not isinstance(sender, Posting):
            raise PermanentError("this sender cannot post webhooks", unreachable=False)
        with self.db.transaction() as session:
            target = webhook_rows.target(session, int(str(delivery.address)))
        if target is None:
            raise PermanentError("webhook deleted", unreachable=False)
        sender.post(target, WebhookMessage.from_dict(delivery.payload))

    def _refusal(self, delivery: store.Claimed) -> str | None:
        """Return why a delivery must not be sent at all, or None."""
        if delivery.channel not in self.senders:
            return f"no sender configured for channel {delivery.channel!r}"
        if delivery.respondent_id in self._gone:
            return "unreachable"
        if (delivery.kind == DeliveryKind.RETRACTION
                and not isinstance(self.senders[delivery.channel], Retracting)):
            return f"channel {delivery.channel!r} cannot take messages back"
        return refusal(delivery)

    def _may_send_now(self, delivery: store.Claimed, now: datetime) -> bool:
        """Check the channel's pause and rate limits (a hit is taken when allowed)."""
        paused = self._paused.get(_pause_key(delivery))
        if paused is not None and paused > now:
            return False
        rates = self.settings
        channel_limit = _rate(rates.channel_rates.get(delivery.channel, rates.default_rate))
        person_limit = _rate(
            rates.respondent_rates.get(delivery.channel, rates.default_respondent_rate)
        )
        if not self._limiter.test(person_limit, delivery.channel, str(delivery.address)):
            return False
        if not self._limiter.hit(channel_limit, delivery.channel):
            return False
        return self._limiter.hit(person_limit, delivery.channel, str(delivery.address))

    def _transient(self, delivery: store.Claimed, error: Exception, now: datetime,
                   report: Report) -> None:
        """Retry later with exponential back-off, or give up after the last attempt."""
        reason = f"{type(error).__name__}: {error}"
        log.warning("delivery %s to %s failed: %s", delivery.id, delivery.channel, reason)
        if delivery.attempts + 1 >= self.settings.max_attempts:
            self._finish(delivery, DeliveryStatus.FAILED, reason)
            report.failed += 1
            return
        delay = min(self.settings.base_delay * 2**delivery.attempts, self.settings.max_delay)
        delay *= random.uniform(0.8, 1.2)  # jitter, not security
        self._reschedule(delivery, now + timedelta(seconds=delay), reason, attempted=True)
        report.retried += 1

    def _fail(self, delivery: store.Claimed, gone: PermanentError, now: datetime) -> None:
        """Fail a delivery for good and, if the person is gone, mark them unreachable."""
        with self.db.transaction() as session:
            store.finish(session, delivery.id, DeliveryStatus.FAILED, now, gone.reason)
            if gone.unreachable and delivery.respondent_id is not None:
                respondents.mark_unreachable(session, delivery.respondent_id, gone.reason, now)
                self._gone.add(delivery.respondent_id)

    def _finish(self, delivery: store.Claimed, status: DeliveryStatus, error: str | None,
                receipt: Receipt | None = None) -> None:
        """Record a final outcome (and where the platform shows it) in its own transaction."""
        with self.db.transaction() as session:
            store.finish(session, delivery.id, status, self.clock(), error)
            if receipt and not store.keep_receipt(session, delivery.id, receipt):
                _retract_orphan(session, delivery, receipt, self.clock())

    def _reschedule(self, delivery: store.Claimed, at: datetime, error: str | None,
                    *, attempted: bool) -> None:
        """Put a delivery back for a later try."""
        with self.db.transaction() as session:
            store.reschedule(session, delivery.id, at, error, attempted=attempted)


def _pause_key(delivery: store.Claimed) -> str:
    """Return what a "wait" pauses: the whole channel, or one webhook (one receiver)."""
    if delivery.kind == DeliveryKind.WEBHOOK:
        return f"{delivery.channel}:{delivery.address}"
    return delivery.channel


def _retract_orphan(session: Session, delivery: store.Claimed, receipt: Receipt,
                    now: datetime) -> None:
    """Plan taking back a message whose person was forgotten while it was being sent."""
    language = str(delivery.payload.get("language") or "en")
    store.enqueue(session, key=f"retraction:{delivery.id}", kind=DeliveryKind.RETRACTION,
                  channel=delivery.channel, respondent_id=None, address=delivery.address,
                  payload=Retraction(receipt, language).to_dict(), now=now)


def refusal(delivery: store.Claimed) -> str | None:
    """Return why a delivery must not reach its person (stop, unreachable, no consent)."""
    if not delivery.address:
        return "no address"
    return person_refusal(delivery.kind, opted_out=delivery.opted_out,
                          unreachable=delivery.unreachable, consented=delivery.consented)


def take_inbox(database: Database, channel: str, external_id: str, now: datetime,
               limit: int = 20, *,
               announcing: AnnouncementSettings | None = None) -> list[Outbound]:
    """Hand over the due messages waiting for one person on a pull channel (the widget).

    A pull channel has no sender: its client asks for its messages. The same rules
    apply as for pushed ones; what is handed over is marked sent, what may not be
    shown is marked skipped.
    """
    with database.transaction() as session:
        waiting = store.claim_due(session, now, now, limit, channel=channel,
                                  external_id=external_id)
        messages = []
        for delivery in waiting:
            reason = refusal(delivery)
            message = None
            if reason is None and announcement_message.applies(delivery):
                prepared = announcement_message.prepare(  # the visitor is here: no quiet hours
                    session, delivery, now, announcing or AnnouncementSettings(), quiet=False)
                reason, message = prepared.skip, prepared.message
            outcome = DeliveryStatus.SKIPPED if reason else DeliveryStatus.SENT
            store.finish(session, delivery.id, outcome, now, reason)
            if reason is None:
                messages.append(message or Outbound.from_dict(delivery.payload))
        return messages


def _rate(text: str) -> RateLimitItem:
    """Parse a rate such as ``30/second`` (cached by ``limits``)."""
    return parse(text)
