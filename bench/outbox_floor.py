"""What writing 100,000 outbox rows costs on PostgreSQL, with and without its indexes and keys.

Usage::

    .venv/bin/python -m bench.outbox_floor --postgres postgresql+psycopg://postgres@127.0.0.1/test

Planning an announcement or a call writes one ``delivery`` row per person in one
``INSERT … SELECT``. This bench fills a throw-away schema with ``--people``
respondents (:func:`bench.call_plan.fill`), then times that bare insert (no
audience query, no rules: the key, the person, a small payload) on the table as
migrated, then with parts of it taken away inside the transaction (rolled back,
so the schema is unchanged): its four foreign keys, its secondary indexes, its
unique key. Each variant runs ``--repeat`` times; the fastest run is printed,
with the backend's CPU time when the server runs on this machine (a steadier
figure than the wall clock on a shared, loaded machine). It says where the time
of the planning goes; the product keeps every index and key it needs.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text

from bench.call_plan import fill
from storage.db import Database
from testkit.stores import fresh_store

FOREIGN_KEYS = ("fk_delivery_about_conversation_id_conversation",
                "fk_delivery_about_respondent_id_respondent",
                "fk_delivery_campaign_id_campaign", "fk_delivery_respondent_id_respondent")
SECONDARY = ("ix_delivery_about_conversation_id", "ix_delivery_about_respondent_id",
             "ix_delivery_campaign_id", "ix_delivery_respondent_id",
             "ix_delivery_status_next_attempt_at")
INSERT = text(
    "INSERT INTO delivery (idempotency_key, kind, channel, respondent_id, payload, status,"
    " attempts, next_attempt_at, created_at, campaign_id)"
    " SELECT 'campaign:call:1:' || respondent.id, 'call', respondent.channel, respondent.id,"
    " CAST('{\"call\": 1}' AS JSON), 'pending', 0, now(), now(), :campaign FROM respondent")


def _drop_keys(connection: Connection) -> None:
    """Drop the four foreign keys (inside the caller's transaction)."""
    for name in FOREIGN_KEYS:
        connection.execute(text(f"ALTER TABLE delivery DROP CONSTRAINT {name}"))


def _drop_indexes(connection: Connection) -> None:
    """Drop the five secondary indexes (inside the caller's transaction)."""
    for name in SECONDARY:
        connection.execute(text(f"DROP INDEX {name}"))


def _drop_unique(connection: Connection) -> None:
    """Drop the unique idempotency key (inside the caller's transaction)."""
    connection.execute(text("ALTER TABLE delivery DROP CONSTRAINT uq_delivery_idempotency_key"))


VARIANTS: dict[str, list[Callable[[Connection], None]]] = {
    "as migrated (its indexes and 4 foreign keys)": [],
    "without the 4 foreign keys": [_drop_keys],
    "without foreign keys and the 5 secondary indexes (primary + unique key)": [
        _drop_keys, _drop_indexes],
    "heap and primary key only": [_drop_keys, _drop_indexes, _drop_unique],
}


def _cpu_seconds(pid: int) -> float | None:
    """Return a local process's CPU time so far (None when the server is elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_variant(database: Database, changes: list[Callable[[Connection], None]],
                 campaign: int) -> tuple[float, float | None]:
    """Insert the rows once with ``changes`` applied; roll back; return (wall s, backend CPU s)."""
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
        vacuum.execute(text("VACUUM delivery"))  # the rolled-back rows of the last run go
    with database.engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        for change in changes:
            change(connection)
        cpu, start = _cpu_seconds(pid), time.perf_counter()
        connection.execute(INSERT, {"campaign": campaign})
        wall, after = time.perf_counter() - start, _cpu_seconds(pid)
        connection.rollback()
    return wall, (after - cpu if cpu is not None and after is not None else None)


def main() -> None:
    """Fill a throw-away schema, then time the bare insert under each variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL URL")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with fresh_store(args.postgres, migrated=True) as url:
        database = Database(url)
        fill(database, args.people)
        with database.transaction() as session:
            session.execute(text("ANALYZE"))
            campaign = session.execute(text(
                "INSERT INTO campaign (key, kind, created_at, state) "
                "VALUES ('floor', 'call', now(), 'active') RETURNING id")).scalar_one()
        runs = {name: [time_variant(database, changes, campaign) for _ in range(args.repeat)]
                for name, changes in VARIANTS.items()}
        database.dispose()
    print(f"one INSERT … SELECT of {args.people:,} outbox rows (statement only, rolled back), "
          f"fastest of {args.repeat}:")
    for name, timings in runs.items():
        wall = min(t[0] for t in timings)
        cpus = [t[1] for t in timings if t[1] is not None]
        cpu = f"; backend CPU {min(cpus):.2f} s" if cpus else ""
        print(f"  {name}: {wall:.2f} s{cpu}")


if __name__ == "__main__":
    main()
