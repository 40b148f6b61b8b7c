"""Rate limits of the widget API, per visitor and per IP address, counted by ``limits``.

Each API request is one hit on its address's limit, counted first, before the body
is read; then, once the request has passed validation, one hit on the limit of the
visitor the turn uses (the body's ``visitor``, or the checked ``X-Ecoute-Visitor``
header of a resume). A request naming no valid visitor is counted by its address
only. Over either, the request is refused with 429, a ``Retry-After`` and nothing
stored. Keys are bounded: a visitor id is at most 64 characters once checked, and
any longer key (an address taken from a proxy header) is hashed. Counts live
where ``ECOUTE_RATE_LIMIT_STORAGE`` says (memory by default, e.g. ``redis://`` to
share them between processes). Every answer carries ``X-RateLimit-Limit``,
``-Remaining`` and ``-Reset`` for the visitor's limit.

This used Flask-Limiter, which re-resolved its limits and filters on every request
at a fifth of a widget turn's time; the ``limits`` library it is built on does the
counting here directly (fixed windows, as Flask-Limiter's default).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter

from bot.rates import rate_storage

MAX_KEY = 96  # longer keys (an address from a proxy header) are hashed


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

    def hit_address(self, address: str) -> Verdict | None:
        """Count one request on the address's limit; return the refusal when it is over."""
        key = bounded(address)
        for item in self.address:
            if not self.limiter.hit(item, "widget-ip", key):
                return self._verdict(item, "widget-ip", key, allowed=False)
        return None

    def hit_visitor(self, visitor: str) -> Verdict:
        """Count one request on the (validated) visitor's limit and say where it stands."""
        key = bounded(f"visitor:{visitor}")
        refused = next((item for item in self.visitor
                        if not self.limiter.hit(item, "widget-visitor", key)), None)
        item = refused or self.visitor[0]
        return self._verdict(item, "widget-visitor", key, allowed=refused is None)

    def _verdict(self, item: RateLimitItem, scope: str, key: str, *, allowed: bool) -> Verdict:
        """Return the verdict of the last hit on ``key`` with its window's figures."""
        stats = self.limiter.get_window_stats(item, scope, key)
        reset = math.ceil(stats.reset_time)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, item.amount, stats.remaining, reset, 0 if allowed else wait)


def bounded(key: str) -> str:
    """Return ``key`` if it is short enough to be a counter key, else a digest of it."""
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def shared_counts_warning(workers: int, storage_uri: str) -> str | None:
    """Return the one warning line due when several workers each count in their own memory."""
    if workers > 1 and storage_uri.startswith("memory://"):
        return (f"{workers} workers each count widget rate limits in their own memory "
                "(a visitor may get up to that many times the limit): set "
                "ECOUTE_RATE_LIMIT_STORAGE to shared storage such as redis://host:6379")
    return None
