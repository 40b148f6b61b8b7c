"""Where rate limits are counted: a ``limits`` storage from its URI (memory by default).

``limits``' memory storage starts a timer thread every 10 ms that walks every
counter to drop expired ones. With a counter per widget visitor that walk took a
millisecond or more per 10 ms under load (a tenth of a worker, and the GIL held
meanwhile). Expired counters are also dropped when read, so sweeping once a
second only keeps dead counters in memory a little longer: that is what
:class:`SweptMemoryStorage` does. It also holds at most ``max_keys`` counters
(100,000 by default, some 30 MB): a new key beyond that evicts the oldest one, so
a flood of new visitors cannot grow the process without bound; the evicted
visitor merely starts counting again (the per-address limit, counted first,
still holds). Other URIs (``redis://``…) are ``limits``' own.
"""

from __future__ import annotations

import threading

from limits.storage import MemoryStorage, Storage, storage_from_string

SWEEP_SECONDS = 1.0
MAX_KEYS = 100_000


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage, swept of expired counters once a second, of bounded size."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        super().__init__()
        self.max_keys = max_keys
        self._admission = threading.Lock()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count on ``key``, evicting the oldest counter first if a new key finds no room."""
        if key not in self.expirations:
            with self._admission:
                while len(self.expirations) >= self.max_keys:
                    try:  # the oldest, in insertion order (the sweep may remove keys meanwhile)
                        oldest = next(iter(self.expirations))
                    except (RuntimeError, StopIteration):
                        continue
                    self.clear(oldest)
        return super().incr(key, expiry, amount)

    # Overrides MemoryStorage's private ``__schedule_expiry`` (limits 5.8, pinned); a test
    # notices if a new version renames it.
    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


def rate_storage(uri: str) -> Storage:
    """Return the storage ``uri`` names (``memory://`` is swept once a second)."""
    if uri.startswith("memory://"):
        return SweptMemoryStorage()
    return storage_from_string(uri)
