"""SQLite's one writer: threads and processes queue for it instead of sleeping in SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.hotpath.writers import WriterQueue
from storage.migrate import upgrade

HOLD_IN_CHILD = """
import sys, time
from sqlalchemy.engine import make_url
from storage.hotpath.writers import WriterQueue
queue = WriterQueue.for_url(make_url(sys.argv[1]))
with queue.held():
    print("held", flush=True)
    time.sleep(0.6)  # the behaviour under test: a writer holding the lock a while
"""


def test_a_writer_in_another_process_makes_this_one_wait_its_turn(sqlite_url: str) -> None:
    queue = WriterQueue.for_url(make_url(sqlite_url))
    assert queue is not None
    child = subprocess.Popen([sys.executable, "-c", HOLD_IN_CHILD, sqlite_url],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    started = time.monotonic()
    with queue.held():
        waited = time.monotonic() - started
    child.wait(10)
    assert waited > 0.3


def test_threads_of_one_process_write_one_after_the_other(sqlite_url: str) -> None:
    queue = WriterQueue.for_url(make_url(sqlite_url))
    assert queue is not None
    events: list[str] = []

    def write(name: str) -> None:
        with queue.held():
            events.append(f"{name} in")
            time.sleep(0.05)  # hold the lock long enough for another thread to cut in, if it could
            with queue.held():  # a nested transaction of the same thread does not deadlock
                events.append(f"{name} nested")
            events.append(f"{name} out")

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for n in range(0, len(events), 3):
        name = events[n].split()[0]
        assert events[n:n + 3] == [f"{name} in", f"{name} nested", f"{name} out"]
    assert len(events) == 9


def test_only_a_sqlite_file_gets_a_queue(sqlite_url: str) -> None:
    assert Database(sqlite_url).writers is not None
    assert WriterQueue.for_url(make_url("sqlite://")) is None
    assert WriterQueue.for_url(make_url("sqlite:///:memory:")) is None
    assert WriterQueue.for_url(make_url("postgresql+psycopg://u@h/db")) is None


def test_a_reader_neither_waits_for_a_writer_nor_sees_its_uncommitted_rows(
    sqlite_url: str,
) -> None:
    database = Database(sqlite_url)
    upgrade(database.engine)
    seen: list[int] = []

    def read() -> None:
        with database.reading() as connection:
            seen.append(connection.execute(text("SELECT count(*) FROM suppression")).scalar_one())

    with database.connection() as writer:
        writer.execute(text("INSERT INTO suppression (digest, created_at) "
                            "VALUES ('d', '2026-11-26 09:00:00')"))
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(3)
    assert seen == [0]
    read()
    assert seen == [0, 1]


def test_a_write_transaction_takes_sqlites_write_lock_before_its_first_statement(
    sqlite_url: str,
) -> None:
    database = Database(sqlite_url)
    upgrade(database.engine)
    other = sqlite3.connect(make_url(sqlite_url).database, timeout=0, isolation_level=None)
    with database.connection(), pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    with database.reading():
        other.execute("BEGIN IMMEDIATE")  # a reader holds no write lock
        other.execute("ROLLBACK")
    other.close()
