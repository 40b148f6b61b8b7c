"""Figures that cost much and move slowly, computed at most once per interval per store.

Usage::

    THEMES = Recent(timedelta(minutes=5))
    themes = THEMES.get((db.url, chosen, language), now, lambda: compute(...))

The dashboard's themes (text analysis of the period's comments) and the effect of
the newest improvements (the linked groups' answers before and after) cost more
than every other figure together, and an answer more or less does not change
them; recomputing them on every page or live refresh would make the page as slow
as they are. A value is kept for ``ttl`` of the clock the caller passes (the
store's clock), per key; the key names the store, so two stores served by one
process (tests, several installations) never see each other's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from threading import Lock
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """Values by key, each recomputed once it is older than ``ttl`` (at most ``size`` kept)."""

    def __init__(self, ttl: timedelta, size: int = 64) -> None:
        self.ttl, self.size = ttl, size
        self._seen: dict[Hashable, tuple[datetime, T]] = {}
        self._lock = Lock()

    def get(self, key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
        """Return the value kept for ``key``, or ``compute()``'s when it is missing or old."""
        with self._lock:
            seen = self._seen.get(key)
        if seen is not None and seen[0] <= now <= seen[0] + self.ttl:
            return seen[1]
        value = compute()
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()
            self._seen[key] = (now, value)
        return value

    def clear(self) -> None:
        """Forget every value kept (the next reading computes)."""
        with self._lock:
            self._seen.clear()
