"""Time planning an announcement to 100,000 linked respondents: the audience query + outbox rows.

Usage::

    .venv/bin/python -m bench.announce_plan --url sqlite:////tmp/plan.db [--people 100000]
    .venv/bin/python -m bench.announce_plan --url postgresql+psycopg://postgres@127.0.0.1/bench

The store is migrated and seeded first (:mod:`testkit.announce_seed`: people who gave
feedback, an improvement linked to every one of their conversations), then
:func:`bot.announcements.publish` runs once, timed: one ``INSERT … SELECT`` writes a
delivery per person (skipped ones with their reason). Beside it, measured in the
same run on the same rows: a plain ``SELECT count(*)`` of the audience query (the
baseline), and the goal (2 s on PostgreSQL, 4 s on SQLite). The tables are analysed
after seeding, as autovacuum does once so many rows arrive: without statistics
PostgreSQL guesses 70 linked people and reads the audience by nested loops (0.6 s
more for 100,000). Publishing again is
timed too (it must plan nothing). Run it on an empty database: it adds its rows.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import func, select

from bot import announcements
from storage import improvements
from storage.db import Database
from storage.migrate import upgrade
from testkit.announce_seed import seed

GOAL_S = {"postgresql": 2.0, "sqlite": 4.0}
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Run ``action`` once; return (seconds, its result)."""
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main() -> None:
    """Seed, then time the audience count (baseline) and the publish (plan)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    db = Database(args.url)
    upgrade(db.engine)
    dialect = db.engine.dialect.name
    seeding, improvement = timed(lambda: seed(db, args.people, now=NOW))
    print(f"seeded {args.people} people in {seeding:.1f} s ({dialect})")
    with db.engine.begin() as connection:  # as autovacuum does after 100,000 new rows
        connection.exec_driver_sql("ANALYZE")

    def count() -> int:
        with db.transaction() as session:
            audience = improvements.audience(improvement).subquery()
            return int(session.execute(select(func.count()).select_from(audience)).scalar_one())

    def publish() -> announcements.Published:
        with db.transaction() as session:
            return announcements.publish(session, improvement, actor="bench", now=NOW)

    count()  # warm the caches alike for both
    baseline, people = timed(count)
    planning, published = timed(publish)
    again, _ = timed(publish)
    goal = GOAL_S[dialect]
    print(f"audience: {people} people; baseline SELECT count(*) of the audience: "
          f"{baseline * 1000:.0f} ms")
    print(f"plan (publish, one INSERT … SELECT): {planning:.2f} s for "
          f"{published.planned} deliveries = {planning / baseline:.1f}× the baseline; "
          f"goal ≤ {goal:.0f} s: {'met' if planning <= goal else 'NOT met'}")
    print(f"publish again (idempotent, plans nothing): {again * 1000:.0f} ms")
    db.dispose()


if __name__ == "__main__":
    main()
