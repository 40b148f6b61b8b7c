"""Planning a call for participants to many people: the audience query plus the outbox rows.

Usage::

    .venv/bin/python -m bench.call_plan                      # SQLite, 100,000 people
    .venv/bin/python -m bench.call_plan --postgres postgresql+psycopg://postgres@127.0.0.1/test

A throw-away store gets ``--people`` respondents who agreed to hear from us and
joined the standing panel (one in ten said stop, so the rules skip them). Then
:func:`bot.calls.open_call` opens a call for the panel and plans one invitation per
person, timed from the first statement to the last commit. Beside it, in the same
run: a plain ``SELECT count(*) FROM respondent`` (the store's floor) and the time
to insert the same number of outbox rows in one statement (what any planning has
to write). The goal is the announcement's: at most 2 s on PostgreSQL and 4 s on
SQLite for 100,000 people.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, func, insert, literal, select, text

from bot import calls
from bot.calls import Audience, Draft
from storage.db import Database
from storage.models import Delivery, Respondent
from testkit.stores import fresh_store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GOALS = {"postgres": 2.0, "sqlite": 4.0}


def fill(database: Database, people: int) -> None:
    """Store ``people`` consenting panel members (every tenth said stop)."""
    rows = [{"channel": "telegram", "external_id": f"p{n}", "language": "fr" if n % 3 else "en",
             "language_chosen": False, "internal": False, "consent_at": NOW,
             "opted_out_at": NOW if n % 10 == 0 else None, "created_at": NOW, "seen_at": NOW,
             "panel_since": NOW} for n in range(people)]
    with database.transaction() as session:
        for start in range(0, people, 10_000):
            session.execute(insert(Respondent), rows[start:start + 10_000])


def count_floor(database: Database, repeat: int = 5) -> float:
    """Return the median time of ``SELECT count(*) FROM respondent``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with database.reading() as connection:
            connection.execute(select(func.count()).select_from(Respondent)).scalar()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def insert_floor(database: Database, people: int) -> float:
    """Return the time to write ``people`` outbox rows in one INSERT … SELECT (then remove them)."""
    columns = select(literal("floor:") + cast(Respondent.id, String), text("'call'"),
                     Respondent.channel,
                     Respondent.id, text("'{}'"), text("'skipped'"), text("0"),
                     text(":now"), text(":now"))
    start = time.perf_counter()
    with database.transaction() as session:
        session.execute(insert(Delivery.__table__).from_select(
            ["idempotency_key", "kind", "channel", "respondent_id", "payload", "status",
             "attempts", "next_attempt_at", "created_at"], columns), {"now": NOW})
    took = time.perf_counter() - start
    with database.transaction() as session:
        session.execute(Delivery.__table__.delete().where(
            Delivery.idempotency_key.like("floor:%")))
    return took


def plan_call(database: Database) -> tuple[float, calls.Opened]:
    """Open a call for the panel and return how long planning took."""
    draft = Draft({"en": "Try the new app"}, {"en": "One hour."}, "product_test", "Lyon",
                  NOW + timedelta(days=20), 10, NOW + timedelta(days=10), Audience(panel=True))
    start = time.perf_counter()
    opened = calls.open_call(database, draft, actor="bench", now=NOW)
    return time.perf_counter() - start, opened


def main() -> None:
    """Fill a throw-away store, plan a call to all of it, print the figures beside the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (a schema is made and dropped)")
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    store = "postgres" if args.postgres else "sqlite"
    with fresh_store(args.postgres, migrated=True) as url:
        database = Database(url)
        fill(database, args.people)
        floor = count_floor(database)
        written = insert_floor(database, args.people)
        took, opened = plan_call(database)
        database.dispose()
    print(f"store: {store}, people: {args.people:,}")
    print(f"baseline SELECT count(*) FROM respondent: {floor * 1000:.1f} ms")
    print(f"baseline one INSERT … SELECT of {args.people:,} outbox rows: {written:.2f} s")
    print(f"plan the call: {took:.2f} s ({took / written:.1f}× the insert baseline); "
          f"planned {opened.planned.planned:,}, skipped {dict(opened.planned.skipped)}")
    print(f"goal: at most {GOALS[store]:.0f} s: {'met' if took <= GOALS[store] else 'MISSED'}")


if __name__ == "__main__":
    main()
