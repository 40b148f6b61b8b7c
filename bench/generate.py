"""Fill a store with a year of synthetic answers, fast: for dashboards, exports and benchmarks.

Usage::

    .venv/bin/python -m bench.generate --url sqlite:///big.db --answers 1000000 [--seed 1]
    .venv/bin/python -m bench.generate \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/big --answers 10000000

The store is migrated first and must hold no answer yet. The rows are those the
product writes (:mod:`bench.synthetic` says which and how they are drawn), in
three steps: :func:`load` writes the raw rows (SQLite: large executemany
transactions with the load's PRAGMAs; PostgreSQL: ``COPY``), :func:`settle` sets
what the product keeps up to date as it goes (each person's last-seen time, the
id sequences), and :func:`finish` builds what is derived from the raw rows.
Exactly ``--answers`` answer rows are written; the same seed writes the same rows
(apart from the dates, which end now).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import OperationalError
from tqdm import tqdm

from bench.synthetic import FirstIds, Rows, Year
from bot.surveys import SurveyCatalog
from ecoute.config import PACKAGED_SURVEYS
from storage import conversations
from storage.db import Database, DatabaseError, hide_passwords
from storage.migrate import upgrade
from storage.models import Answer, Conversation, Respondent

TABLES: tuple[tuple[str, Table], ...] = (
    ("respondents", Respondent.__table__), ("conversations", Conversation.__table__),  # type: ignore[arg-type]
    ("answers", Answer.__table__),  # type: ignore[arg-type]
)
BATCH = 100_000  # answers per transaction
SQLITE_LOAD = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-131072", "PRAGMA temp_store=MEMORY")


class NotEmpty(Exception):
    """The store already holds answers: generated ones would mix with them."""


def fill(url: str, answers: int, seed: int = 1, *, progress: bool = False) -> None:
    """Migrate the store at ``url`` and fill it with ``answers`` synthetic answers over a year."""
    database = Database(url)
    try:
        upgrade(database.engine)
        first = _first_ids(database)
        versions = _survey_versions(database)
        year = Year(versions, answers, datetime.now(UTC).replace(microsecond=0), seed, first)
        with tqdm(total=answers, unit="answer", disable=not progress) as bar:
            load(database, year, bar.update)
        settle(database, first)
        finish(database)
    finally:
        database.dispose()


def _first_ids(database: Database) -> FirstIds:
    """Return the first free ids; refuse a store that holds answers already."""
    with database.reading() as connection:
        if connection.scalar(select(func.count()).select_from(Answer)):
            raise NotEmpty(f"the store {database.engine.url.render_as_string()} already "
                           "holds answers: generate into an empty one")
        ids = [connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
               for _, table in TABLES]
    return FirstIds(*(int(found or 0) + 1 for found in ids))


def _survey_versions(database: Database) -> dict[str, int]:
    """Store the packaged surveys' versions, as the engine does on start; return ids by key."""
    catalog = SurveyCatalog.from_directory(PACKAGED_SURVEYS)
    with database.transaction() as session:
        return {survey.key: conversations.survey_version_id(
                    session, survey.key, survey.hash, survey.definition, datetime.now(UTC))
                for survey in catalog}


def load(database: Database, year: Year, done: Callable[[int], object]) -> None:
    """Write the year's raw rows in transactions of about :data:`BATCH` answers each."""
    write = _copy if database.is_postgres else _executemany
    with database.engine.connect() as connection:
        if not database.is_postgres:  # outside any transaction, where SQLite takes them
            raw = connection.connection.driver_connection
            assert raw is not None
            for pragma in SQLITE_LOAD:
                raw.execute(pragma)
        pending = Rows()
        for day in year.days():
            for name, _ in TABLES:
                getattr(pending, name).extend(getattr(day, name))
            if len(pending.answers) >= BATCH:
                _commit(connection, write, pending, done)
                pending = Rows()
        _commit(connection, write, pending, done)


def _commit(connection: Connection, write: Callable[[Connection, Table, list[dict[str, Any]]],
            None], rows: Rows, done: Callable[[int], object]) -> None:
    """Write one batch of rows in one transaction."""
    with connection.begin():
        for name, table in TABLES:
            if getattr(rows, name):
                write(connection, table, getattr(rows, name))
    done(len(rows.answers))


def _executemany(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows with one executemany on the driver (SQLite), values as SQLAlchemy stores them.

    SQLAlchemy's own executemany spends more time processing each value than SQLite
    spends storing it; the values here are already what it would bind.
    """
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = (f'INSERT INTO "{table.name}" ({_names(columns)}) '
                 f'VALUES ({", ".join("?" for _ in columns)})')
    raw.executemany(statement, ([_sqlite_value(row[c]) for c in columns] for row in rows))


def _names(columns: list[str]) -> str:
    """Return column names quoted for SQL (one of them is ``values``)."""
    return ", ".join(f'"{column}"' for column in columns)


def _sqlite_value(value: Any) -> Any:
    """Return a value as SQLAlchemy binds it on SQLite (``storage.models.When``, JSON)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows with PostgreSQL's COPY through psycopg."""
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f'COPY "{table.name}" ({_names(columns)}) FROM STDIN'
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copyable(row[column]) for column in columns])


def _copyable(value: Any) -> Any:
    """Return a value as COPY takes it: JSON documents as text."""
    return json.dumps(value) if isinstance(value, dict) else value


def settle(database: Database, first: FirstIds) -> None:
    """Set what the product keeps up to date as it goes: last-seen times, id sequences."""
    seen = (select(func.max(Conversation.updated_at))
            .where(Conversation.respondent_id == Respondent.id).scalar_subquery())
    with database.transaction() as session:
        session.execute(Respondent.__table__.update()
                        .where(Respondent.id >= first.respondent)
                        .values(seen_at=func.coalesce(seen, Respondent.seen_at)))
        if database.is_postgres:  # explicit ids leave the sequences behind
            for _, table in TABLES:
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT GREATEST(MAX(id), 1) FROM \"{table.name}\"))"))


def finish(database: Database) -> None:
    """Build what is derived from the raw rows, then refresh the planner's statistics.

    The dashboard's daily aggregates are rebuilt here when they exist (their
    rebuild from the raw rows belongs in this step); for now it only analyses.
    """
    with database.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def main(argv: Iterable[str] | None = None) -> int:
    """Run the generator from the command line; print how long it took."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--url", required=True, help="the store (SQLAlchemy URL)")
    parser.add_argument("--answers", required=True, type=int, help="how many answers to write")
    parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.answers < 1:
        parser.error("--answers must be at least 1")
    began = time.perf_counter()
    try:
        fill(args.url, args.answers, args.seed, progress=True)
    except (NotEmpty, DatabaseError) as refusal:
        print(f"generate: error: {refusal}", file=sys.stderr)
        return 1
    except OperationalError as error:
        print(f"generate: error: cannot reach the database: {hide_passwords(str(error.orig))}"
              .splitlines()[0], file=sys.stderr)
        return 1
    print(f"{args.answers:,} answers written in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
