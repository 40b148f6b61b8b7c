"""Rate limits of the widget API, per visitor and per IP address, counted by ``limits``.

Each API request is one hit on the visitor's limit (the visitor named in the header
or the body; the address when there is none) and one on the address's. Over either,
the request is refused with 429, a ``Retry-After`` and nothing stored. Counts live
where ``ECOUTE_RATE_LIMIT_STORAGE`` says (memory by default, e.g. ``redis://`` to
share them between processes). Every answer carries ``X-RateLimit-Limit``,
``-Remaining`` and ``-Reset`` for the visitor's limit.

This used Flask-Limiter, which re-resolved its limits and filters on every request
at a fifth of a widget turn's time; the ``limits`` library it is built on does the
counting here directly (fixed windows, as Flask-Limiter's default).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter

from bot.rates import rate_storage


@dataclass(frozen=True)
class Verdict:
    """The outcome of one request's hits: allowed or not, and what to tell the client."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the visitor's window starts again
    retry_after: int = 0

    def headers(self) -> dict[str, str]:
        """Return the rate-limit headers of the answer."""
        headers = {"X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(self.reset)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class WidgetLimits:
    """The visitor and address limits of the widget API, on one ``limits`` storage."""

    def __init__(self, visitor_rate: str, ip_rate: str, storage_uri: str = "memory://") -> None:
        self.limiter = FixedWindowRateLimiter(rate_storage(storage_uri))
        self.visitor = parse_many(visitor_rate)
        self.address = parse_many(ip_rate)

    def hit(self, visitor: str | None, address: str) -> Verdict:
        """Count one request; refuse it when the visitor or the address is over a limit."""
        visitor_key = f"visitor:{visitor}" if visitor else f"address:{address}"
        for item in self.address:
            if not self.limiter.hit(item, "widget-ip", address):
                return self._verdict(item, "widget-ip", address, allowed=False)
        refused = next((item for item in self.visitor
                        if not self.limiter.hit(item, "widget-visitor", visitor_key)), None)
        item = refused or self.visitor[0]
        return self._verdict(item, "widget-visitor", visitor_key, allowed=refused is None)

    def _verdict(self, item: RateLimitItem, scope: str, key: str, *, allowed: bool) -> Verdict:
        stats = self.limiter.get_window_stats(item, scope, key)
        reset = math.ceil(stats.reset_time)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, item.amount, stats.remaining, reset, 0 if allowed else wait)
