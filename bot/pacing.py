"""The outbox's rate limits and pauses: per person on admission, per channel as a message leaves.

A :class:`Pacer` holds one worker's view of the limits (the ``limits`` library, a
moving window, counted where ``ECOUTE_RATE_LIMIT_STORAGE`` says) and the pauses a
platform asked for. A person's hit is taken when the dispatcher admits a delivery
(:meth:`Pacer.admits`); the channel's hit is taken on the send thread just before
the message leaves (:meth:`Pacer.paced`), waiting up to :data:`PACING` for a slot,
so the channel's rate holds for the moments messages actually leave and a pass
paces its batch instead of putting it back.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from datetime import datetime

from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter

from bot.rates import rate_storage
from bot.sending import Job, Receipt
from storage.deliveries import Claimed
from storage.vocabulary import DeliveryKind

PACING = 1.0  # seconds a send may wait for its channel's rate to free a slot, else held


class Held(Exception):
    """A send that did not leave: its channel's rate stayed used up while it waited."""


class Pacer:
    """Rates per channel and per person (``30/second`` notation), and platforms' pauses."""

    def __init__(self, channel_rates: Mapping[str, str], person_rates: Mapping[str, str], *,
                 default_rate: str, default_person_rate: str, storage_uri: str) -> None:
        self.channel_rates, self.person_rates = dict(channel_rates), dict(person_rates)
        self.default_rate, self.default_person_rate = default_rate, default_person_rate
        self._limiter = MovingWindowRateLimiter(rate_storage(storage_uri))
        self._paused: dict[str, datetime] = {}

    def pause(self, delivery: Claimed, until: datetime) -> None:
        """Hold the delivery's channel (or its webhook) until ``until``: the platform asked."""
        self._paused[pause_key(delivery)] = until

    def admits(self, delivery: Claimed, now: datetime) -> bool:
        """Say whether the delivery may go now (no pause, the person's rate), taking its hit."""
        paused = self._paused.get(pause_key(delivery))
        if paused is not None and paused > now:
            return False
        person = parse(self.person_rates.get(delivery.channel, self.default_person_rate))
        return self._limiter.hit(person, delivery.channel, str(delivery.address))

    def room(self, channels: Collection[str]) -> bool:
        """Say whether one of ``channels`` has room for a send now (none given: yes)."""
        return not channels or any(self._limiter.test(self._rate(channel), channel)
                                   for channel in channels)

    def paced(self, channel: str, send: Job) -> Job:
        """Wrap a send so that it takes the channel's hit as it leaves, waiting for a slot."""
        limit = self._rate(channel)

        def paced() -> Receipt | None:
            waited_until = time.monotonic() + PACING
            while not self._limiter.hit(limit, channel):
                frees = self._limiter.get_window_stats(limit, channel).reset_time - time.time()
                if time.monotonic() + frees > waited_until:
                    raise Held(channel)
                time.sleep(min(max(frees, 0.001), PACING))
            return send()
        return paced

    def _rate(self, channel: str) -> RateLimitItem:
        """Return a channel's rate (parsed once by ``limits``)."""
        return parse(self.channel_rates.get(channel, self.default_rate))


def pause_key(delivery: Claimed) -> str:
    """Return what a "wait" pauses: the whole channel, or one webhook (one receiver)."""
    if delivery.kind == DeliveryKind.WEBHOOK:
        return f"{delivery.channel}:{delivery.address}"
    return delivery.channel
