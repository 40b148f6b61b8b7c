"""Slow figures are computed at most once per interval per key, and each store keeps its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from web.console.recent import Recent

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_value_is_kept_for_its_interval_then_computed_again() -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(len(computed) + 1)
        return computed[-1]

    recent: Recent[int] = Recent(timedelta(minutes=1))
    assert recent.get("store-a", NOON, compute) == 1
    assert recent.get("store-a", NOON + timedelta(seconds=59), compute) == 1
    assert recent.get("store-a", NOON + timedelta(seconds=61), compute) == 2
    assert recent.get("store-a", NOON, compute) == 3, "a clock set back computes again"


def test_two_stores_never_see_each_other_s_figures() -> None:
    recent: Recent[str] = Recent(timedelta(minutes=5))
    assert recent.get(("sqlite:///a.db", "en"), NOON, lambda: "a's themes") == "a's themes"
    assert recent.get(("sqlite:///b.db", "en"), NOON, lambda: "b's themes") == "b's themes"
    assert recent.get(("sqlite:///a.db", "en"), NOON, lambda: "again") == "a's themes"
