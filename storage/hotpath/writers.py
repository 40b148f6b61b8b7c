"""A queue for SQLite's one writer, shared by every thread and process using the file.

SQLite lets one transaction write at a time. A second ``BEGIN IMMEDIATE`` waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10... ms between tries: under two
gunicorn workers a third of the CPU sat idle in those sleeps and the slowest
answers took tens of milliseconds. Queuing on an exclusive ``flock`` of a file next
to the database instead (and on a lock between the threads of one process) hands
the turn to the next writer the moment the last one is done.

Correctness never depends on it: a writer that does not queue here (another
program, the migrations) is still kept out by SQLite itself and the busy timeout.
Where ``flock`` is missing (Windows) or the file cannot be made, there is no queue.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class WriterQueue:
    """Exclusive turns at writing one SQLite file, in this process and across processes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._file: tuple[int, int] | None = None  # (pid, descriptor): one per process

    @classmethod
    def for_url(cls, url: URL) -> WriterQueue | None:
        """Return the queue for a SQLite file database, or None (in memory, another store)."""
        database = url.database
        if url.get_backend_name() != "sqlite" or fcntl is None:
            return None
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(f"{os.path.abspath(database)}-writer")

    @contextmanager
    def held(self) -> Iterator[None]:
        """Wait for this process's and then the file's turn; hold both inside the block."""
        with self._lock:
            self._depth += 1
            descriptor = self._descriptor() if self._depth == 1 else None
            try:
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                self._depth -= 1
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _descriptor(self) -> int | None:
        """Return this process's descriptor of the lock file (a fork opens its own)."""
        pid = os.getpid()
        if self._file is None or self._file[0] != pid:
            try:
                self._file = (pid, os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            except OSError as error:
                log.warning("no writer queue for SQLite (%s): %s", self.path, error.strerror)
                self._file = (pid, -1)
        return self._file[1] if self._file[1] >= 0 else None
