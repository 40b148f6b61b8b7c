"""Rate-limit counters in memory: swept once a second, expired ones never counted."""

from __future__ import annotations

import time

from bot.rates import SWEEP_SECONDS, SweptMemoryStorage, rate_storage


def test_memory_counters_are_swept_once_a_second_not_every_10_ms() -> None:
    storage = rate_storage("memory://")
    assert isinstance(storage, SweptMemoryStorage)
    storage.timer.join(1)  # the first sweep, scheduled when the storage was made
    storage.incr("visitor:ana", 60)
    assert storage.timer.is_alive()
    assert storage.timer.interval == SWEEP_SECONDS


def test_an_expired_counter_counts_nothing_before_any_sweep() -> None:
    storage = rate_storage("memory://")
    storage.timer.join(1)
    storage.incr("visitor:ana", 0.05)
    storage.incr("visitor:ana", 0.05)
    assert storage.get("visitor:ana") == 2
    time.sleep(0.1)  # the behaviour under test: the counters' 50 ms window passes
    assert storage.get("visitor:ana") == 0

