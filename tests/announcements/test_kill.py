"""A worker killed with SIGKILL in the middle of a 10,000-person announcement loses nothing.

The worker is a real process (``kill_worker``) writing what the "platform" received
to a file. It is killed once a third of the messages are out, then started again:
every eligible person ends up with the message, and at most the batch in flight
(the one delivery being sent when the kill came, whose outcome was not recorded) is
sent twice. The duplicates are counted and printed (``-s`` shows them).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import announcements
from bot.engine import utcnow
from storage.db import Database
from testkit.announce_seed import seed
from tests.announcements.kill_worker import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def start(url: str, out: Path) -> subprocess.Popen[bytes]:
    """Start a worker process."""
    return subprocess.Popen([sys.executable, "-m", "tests.announcements.kill_worker", url,
                             str(out)], cwd=ROOT)


def lines(out: Path) -> list[str]:
    """Return what the platform received so far."""
    return out.read_text(encoding="utf-8").splitlines() if out.exists() else []


def test_a_killed_worker_loses_nothing_and_duplicates_at_most_the_batch_in_flight(
        sqlite_url: str, tmp_path: Path) -> None:
    from storage.migrate import upgrade

    db = Database(sqlite_url)
    upgrade(db.engine)
    improvement = seed(db, 10_000, now=utcnow(), channels=("test",))
    with db.transaction() as session:
        eligible = announcements.publish(session, improvement, actor="test", now=utcnow())
        eligible_count = announcements.status(session, improvement).progress.pending
    assert eligible.planned == 10_000 and eligible_count == 9_400
    out = tmp_path / "received.txt"
    worker = start(sqlite_url, out)
    deadline = time.monotonic() + 300
    while len(lines(out)) < 3_000 and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    at_kill = len(lines(out))
    assert 3_000 <= at_kill < 9_400, "the kill came in the middle"
    again = start(sqlite_url, out)
    assert again.wait(timeout=600) == 0
    received = collections.Counter(lines(out))
    duplicates = sum(received.values()) - len(received)
    print(f"\nSIGKILL after {at_kill} messages: {len(received)} people reached, "
          f"{duplicates} duplicate(s) (batch size {SETTINGS.batch})")
    assert len(received) == 9_400, "nobody eligible is lost"
    assert duplicates <= SETTINGS.batch
    with db.transaction() as session:
        progress = announcements.status(session, improvement).progress
    assert (progress.sent, progress.pending) == (9_400, 0)
    db.dispose()
