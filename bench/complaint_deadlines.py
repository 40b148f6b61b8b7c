"""Time the worker's complaint deadline scan over 100,000 complaints, 20,000 of them open.

Usage::

    .venv/bin/python -m bench.complaint_deadlines [--postgres URL] [--complaints 100000]
        [--open 20000] [--due 20 100] [--repeats 15]

On a fresh SQLite file (and a fresh PostgreSQL schema with ``--postgres``) the
bench files the complaints in bulk as :func:`bot.complaint_desk.file` stores them
(reminder points and the scan's next check included; closed ones have nothing
left to watch), then times :func:`bot.complaint_deadlines.scan`, the worker's
job, in two cases: nothing due (every open complaint's next point is later), and
``--due`` complaints reaching a reminder point (each repeat puts them back, so
every run plans their reminders through the outbox's idempotent insert; a quarter
of them are awaiting acknowledgement, so get one). 20,000 open complaints have
about 80,000 points over a week of business hours: some 30 a minute, so 20 and
100 due bracket what a one-minute scan meets. Beside
each median it prints a plain ``SELECT count(*) FROM complaint`` timed the same
way in the same run, and the goal: at most 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text, update

from bot import complaint_deadlines
from bot.context import EngineSettings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Complaint
from testkit.stores import postgres_store, sqlite_store

GOAL_MS = 100.0
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OPEN = ("received", "acknowledged", "in_progress", "reopened")
CATEGORIES = ("delivery", "product_quality", "billing", "service", "other")


def median_ms(action: Callable[[], object], repeats: int, before: Callable[[], object] = list,
              ) -> float:
    """Return the median time of ``action`` in milliseconds (``before`` runs untimed)."""
    spent = []
    for _ in range(repeats):
        before()
        began = time.perf_counter()
        action()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


def rows(total: int, opened: int) -> Iterator[dict[str, object]]:
    """Yield complaint rows: the last ``opened`` are open, watched from tomorrow on."""
    for n in range(1, total + 1):
        filed = NOW - timedelta(minutes=7 * (total - n))
        is_open = n > total - opened
        yield {
            "reference": f"R-2026-{n:06d}", "year": 2026, "number": n, "respondent_id": None,
            "conversation_id": None, "channel": "telegram", "language": "en",
            "category": CATEGORIES[n % len(CATEGORIES)], "description": None,
            "own_reference": None, "photo_file_id": None, "urgency": "annoying",
            "importance": "medium", "priority": "high",
            "status": OPEN[n % len(OPEN)] if is_open else "closed",
            "contact_consent": True, "acknowledge_due_at": filed + timedelta(days=1),
            "resolve_due_at": filed + timedelta(days=5),
            "acknowledge_remind_at": filed + timedelta(hours=20),
            "resolve_remind_at": filed + timedelta(days=4),
            "deadline_check_at": NOW + timedelta(days=1, minutes=n % 900) if is_open else None,
            "acknowledged_at": None if is_open else filed + timedelta(hours=3),
            "resolved_at": None if is_open else filed + timedelta(days=2),
            "closed_at": None if is_open else filed + timedelta(days=3),
            "created_at": filed, "updated_at": filed,
        }


def fill(database: Database, total: int, opened: int) -> None:
    """Insert the complaints in batches, then refresh the planner's statistics."""
    batch: list[dict[str, object]] = []
    with database.engine.begin() as connection:
        for row in rows(total, opened):
            batch.append(row)
            if len(batch) == 5000:
                connection.execute(insert(Complaint), batch)
                batch = []
        if batch:
            connection.execute(insert(Complaint), batch)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    """Fill one store and return the medians: baseline, nothing due, some due."""
    database = Database(url)
    upgrade(database.engine)
    fill(database, args.complaints, args.open)
    settings = EngineSettings(alert_targets=(("slack", "CALERTS"),))

    def count() -> object:
        with database.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM complaint")).scalar()

    def make_due(count: int) -> None:
        due_ids = list(range(args.complaints - count + 1, args.complaints + 1))
        with database.transaction() as session:
            session.execute(update(Complaint).where(Complaint.id.in_(due_ids))
                            .values(deadline_check_at=NOW - timedelta(minutes=1),
                                    acknowledge_remind_at=NOW - timedelta(minutes=1),
                                    acknowledge_due_at=NOW + timedelta(hours=1)))

    def scan() -> object:
        return complaint_deadlines.scan(database, settings, NOW)

    count()
    scan()
    figures = {
        "baseline": median_ms(count, args.repeats),
        "nothing due": median_ms(scan, args.repeats),
    }
    for due in args.due:
        figures[f"{due} due"] = median_ms(scan, args.repeats, before=lambda n=due: make_due(n))
    database.dispose()
    return figures


def main(argv: Iterable[str] | None = None) -> int:
    """Run the bench on each store and print the medians beside the baseline and the goal."""
    parser = argparse.ArgumentParser(prog="python -m bench.complaint_deadlines")
    parser.add_argument("--postgres", help="a PostgreSQL URL: the bench uses a fresh schema")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--due", type=int, nargs="+", default=[20, 100],
                        help="how many complaints reach a point (one case each)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(None if argv is None else list(argv))
    stores: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [
        ("SQLite", sqlite_store)]
    if args.postgres:
        stores.append(("PostgreSQL", lambda: postgres_store(args.postgres)))
    print(f"{args.complaints:,} complaints, {args.open:,} open; "
          f"median of {args.repeats}; goal: scan <= {GOAL_MS:.0f} ms")
    for name, store in stores:
        with store() as url:
            figures = measure(url, args)
        base = figures["baseline"]
        print(f"{name}: baseline SELECT count(*) FROM complaint {base:.2f} ms")
        for case, spent in figures.items():
            if case == "baseline":
                continue
            verdict = "met" if spent <= GOAL_MS else "NOT met"
            print(f"  scan, {case:<11} {spent:7.2f} ms ({spent / base:.2f}x the baseline; "
                  f"goal {GOAL_MS:.0f} ms: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
