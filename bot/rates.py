"""Where rate limits are counted: a ``limits`` storage from its URI (memory by default).

``limits``' memory storage starts a timer thread every 10 ms that walks every
counter to drop expired ones. With a counter per widget visitor that walk took a
millisecond or more per 10 ms under load (a tenth of a worker, and the GIL held
meanwhile). Expired counters are also dropped when read, so sweeping once a
second only keeps dead counters in memory a little longer: that is what
:class:`SweptMemoryStorage` does. Other URIs (``redis://``…) are ``limits``' own.
"""

from __future__ import annotations

import threading

from limits.storage import MemoryStorage, Storage, storage_from_string

SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage, swept of expired counters once a second."""

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
