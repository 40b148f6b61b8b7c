"""Proactive messages: planning deliveries and the dispatcher's send/retry rules.

Every proactive message (announcement, complaint update, pulse survey, staff
alert) is a delivery row with an idempotency key, drained by :class:`Dispatcher`
with a per-channel and per-person rate limit (:mod:`bot.pacing`). A sender
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

A pass's sends go out in waves of up to ``in_flight`` at once (never two to the same
address in one wave, so a person's messages keep their order). The rules and the
person's rate are applied before each wave, so a platform's "wait" holds the waves
after it; the channel's rate is taken as each message leaves, waiting for a slot.
Sent deliveries are recorded together at the end of each pass, in one transaction
(failures and retries at once): a worker killed in the middle of a pass sends that
pass's batch again, at most once, and nothing is lost. A platform asking to wait
counts as an attempt: after ``max_attempts`` the delivery fails instead of waiting
for ever. Announcements of improvements are written at send time for the whole
batch at once (:func:`bot.announcement_message.prepare_batch`).

A sender may return a :data:`Receipt` (where the platform shows the message:
Slack's channel and ``ts``), kept on the delivery. When a person is forgotten,
each posted message about them gets a ``retraction`` delivery whose payload is
a :class:`Retraction` (the receipt, no text): a sender that is also
:class:`Retracting` takes the message back; elsewhere it is skipped.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import cast

from sqlalchemy.orm import Session

from bot import announcement_message
from bot.announcement_message import AnnouncementSettings
from bot.delivery_rules import refusal
from bot.messages import Outbound
from bot.pacing import Held, Pacer
from bot.sending import (
    Job,
    Outcome,
    PermanentError,
    Receipt,
    Retracting,
    Retraction,
    RetryLater,
    Sender,
    SendThreads,
)
from bot.webhook_events import Posting, WebhookMessage
from storage import deliveries as store
from storage import respondents
from storage import webhooks as webhook_rows
from storage.db import Database
from storage.vocabulary import DeliveryKind, DeliveryStatus
from storage.webhooks import Target

log = logging.getLogger(__name__)


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
    """Rates (``limits`` notation, e.g. ``30/second``), retries, batch size and sends in flight."""

    channel_rates: Mapping[str, str] = field(default_factory=dict)
    respondent_rates: Mapping[str, str] = field(default_factory=dict)
    default_rate: str = "20/second"
    default_respondent_rate: str = "1/second"
    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 3600.0
    lease: float = 120.0
    batch: int = 50
    in_flight: int = 16  # sends at once per worker (never two to the same address)
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


def waves(claimed: Sequence[store.Claimed], size: int) -> Iterator[list[store.Claimed]]:
    """Split a pass into groups sent at once: at most ``size``, one per address.

    A second message to the same address starts the next wave, so a person's
    messages still arrive in the order they were planned.
    """
    wave: list[store.Claimed] = []
    addresses: set[tuple[str, str | None]] = set()
    for delivery in claimed:
        where = (delivery.channel, delivery.address)
        if wave and (len(wave) >= size or where in addresses):
            yield wave
            wave, addresses = [], set()
        wave.append(delivery)
        addresses.add(where)
    if wave:
        yield wave


class Dispatcher:
    """Drains due deliveries through the injected senders, one pass per call.

    The rules and rate limits are applied in order, one wave at a time; a wave's
    sends then run at once on a small thread pool (``in_flight``), and their
    outcomes are recorded in order. A platform asking to wait pauses the channel
    for the waves after it.
    """

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
        rates = self.settings
        self._pacer = Pacer(rates.channel_rates, rates.respondent_rates,
                            default_rate=rates.default_rate,
                            default_person_rate=rates.default_respondent_rate,
                            storage_uri=rates.storage_uri)
        self._gone: set[int] = set()
        self._prepared: dict[int, announcement_message.Prepared] = {}
        self._sent: list[tuple[store.Claimed, Receipt | None]] = []
        self._later: list[int] = []
        self._threads = SendThreads(self.settings.in_flight)

    def run_once(self) -> Report:
        """Claim the due deliveries and try each once; return what happened."""
        now = self.clock()
        lease_until = now + timedelta(seconds=self.settings.lease)
        if not self._pacer.room(self.senders):  # every rate used up: claim nothing till one frees
            return Report()
        with self.db.transaction() as session:
            claimed = store.claim_due(session, now, lease_until, self.settings.batch,
                                      exclude=self.settings.pull_channels)
        report = Report()
        self._gone = set()  # people found unreachable during this pass
        announcing = [d for d in claimed if announcement_message.applies(d)]
        self._prepared = {}
        if announcing:  # written at send time, for the whole batch at once
            with self.db.transaction() as session:
                self._prepared = announcement_message.prepare_batch(
                    session, announcing, now, self.settings.announcements)
        self._sent, self._later = [], []
        try:
            for wave in waves(claimed, max(1, self.settings.in_flight)):
                jobs = [(d, job) for d in wave if (job := self._admit(d, report)) is not None]
                outcomes = self._threads.run([job for _, job in jobs])
                for (delivery, _), outcome in zip(jobs, outcomes, strict=True):
                    self._settle(delivery, outcome, report)
        finally:
            self._record_sent()
        return report

    def close(self) -> None:
        """Stop the send threads (a new pass starts them again)."""
        self._threads.close()

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

    def _admit(self, delivery: store.Claimed, report: Report) -> Job | None:
        """Apply the rules and the rate limits to one delivery; return its send, or None."""
        now = self.clock()
        refusal = self._refusal(delivery)
        if refusal:
            self._finish(delivery, DeliveryStatus.SKIPPED, refusal)
            report.skipped += 1
            return None
        message = None
        if announcement_message.applies(delivery):
            message = self._prepare(delivery, report)
            if message is None:
                return None
        if not self._pacer.admits(delivery, now):
            self._later.append(delivery.id)  # put back with the pass's others, in one statement
            report.deferred += 1
            return None
        return self._pacer.paced(delivery.channel, self._job(delivery, message))

    def _settle(self, delivery: store.Claimed, outcome: Outcome, report: Report) -> None:
        """Record what one send gave: sent, wait and retry, failed for good, or retry later."""
        now, error = self.clock(), outcome.error
        if error is None:
            self._sent.append((delivery, outcome.receipt))  # recorded with the pass's others
            report.sent += 1
        elif isinstance(error, Held):  # the channel's rate was used up as it was leaving
            self._later.append(delivery.id)
            report.deferred += 1
        elif isinstance(error, RetryLater):
            until = now + timedelta(seconds=max(error.seconds, 0.0))
            self._pacer.pause(delivery, until)
            self._retry(delivery, until, f"retry after {error.seconds}s", report)
        elif isinstance(error, PermanentError):
            self._fail(delivery, error, now)
            report.failed += 1
        else:  # any other failure is transient
            self._transient(delivery, error, now, report)

    def _prepare(self, delivery: store.Claimed, report: Report) -> Outbound | None:
        """Write an announcement at send time, or skip it (capped) or defer it (quiet hours)."""
        prepared = self._prepared[delivery.id]
        if prepared.skip is not None:
            self._finish(delivery, DeliveryStatus.SKIPPED, prepared.skip)
            report.skipped += 1
        elif prepared.until is not None:
            self._reschedule(delivery, prepared.until, None, attempted=False)
            report.deferred += 1
        return prepared.message

    def _job(self, delivery: store.Claimed, message: Outbound | None) -> Job:
        """Return the send of one delivery: a message, a retraction or a webhook event."""
        sender, address = self.senders[delivery.channel], str(delivery.address)
        if delivery.kind == DeliveryKind.RETRACTION:  # _refusal skips senders that cannot
            retraction = Retraction.from_dict(delivery.payload)
            return lambda: cast(Retracting, sender).retract(address, retraction)
        if delivery.kind == DeliveryKind.WEBHOOK:
            with self.db.transaction() as session:  # looked up here, not on a send thread
                target = webhook_rows.target(session, int(address))
            event = WebhookMessage.from_dict(delivery.payload)
            return partial(_post, sender, target, event)
        outbound = message or Outbound.from_dict(delivery.payload)
        return partial(sender.send, address, outbound)

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

    def _retry(self, delivery: store.Claimed, at: datetime, reason: str,
               report: Report) -> None:
        """Try again at ``at``, or give up once the attempts are spent."""
        if delivery.attempts + 1 >= self.settings.max_attempts:
            self._finish(delivery, DeliveryStatus.FAILED, reason)
            report.failed += 1
            return
        self._reschedule(delivery, at, reason, attempted=True)
        report.retried += 1

    def _transient(self, delivery: store.Claimed, error: Exception, now: datetime,
                   report: Report) -> None:
        """Retry later with exponential back-off, or give up after the last attempt."""
        reason = f"{type(error).__name__}: {error}"
        log.warning("delivery %s to %s failed: %s", delivery.id, delivery.channel, reason)
        delay = min(self.settings.base_delay * 2**delivery.attempts, self.settings.max_delay)
        delay *= random.uniform(0.8, 1.2)  # jitter, not security
        self._retry(delivery, now + timedelta(seconds=delay), reason, report)

    def _fail(self, delivery: store.Claimed, gone: PermanentError, now: datetime) -> None:
        """Fail a delivery for good and, if the person is gone, mark them unreachable."""
        with self.db.transaction() as session:
            store.finish(session, delivery.id, DeliveryStatus.FAILED, now, gone.reason)
            if gone.unreachable and delivery.respondent_id is not None:
                respondents.mark_unreachable(session, delivery.respondent_id, gone.reason, now)
                self._gone.add(delivery.respondent_id)

    def _finish(self, delivery: store.Claimed, status: DeliveryStatus, error: str | None) -> None:
        """Record a final outcome in its own transaction."""
        with self.db.transaction() as session:
            store.finish(session, delivery.id, status, self.clock(), error)

    def _reschedule(self, delivery: store.Claimed, at: datetime, error: str | None,
                    *, attempted: bool) -> None:
        """Put a delivery back for a later try."""
        with self.db.transaction() as session:
            store.reschedule(session, delivery.id, at, error, attempted=attempted)


def _post(sender: Sender, target: Target | None, event: WebhookMessage) -> None:
    """Hand one webhook event to the webhook sender, with the webhook's URL and secret."""
    if not isinstance(sender, Posting):
        raise PermanentError("this sender cannot post webhooks", unreachable=False)
    if target is None:
        raise PermanentError("webhook deleted", unreachable=False)
    sender.post(target, event)


def _retract_orphan(session: Session, delivery: store.Claimed, receipt: Receipt,
                    now: datetime) -> None:
    """Plan taking back a message whose person was forgotten while it was being sent."""
    language = str(delivery.payload.get("language") or "en")
    store.enqueue(session, key=f"retraction:{delivery.id}", kind=DeliveryKind.RETRACTION,
                  channel=delivery.channel, respondent_id=None, address=delivery.address,
                  payload=Retraction(receipt, language).to_dict(), now=now)
