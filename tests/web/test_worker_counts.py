"""Several gunicorn workers counting rate limits each in its own memory: said once, at start."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.web.servers import Gunicorn
from web.widget_limits import shared_counts_warning

WARNING = "workers each count widget rate limits in their own memory"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Use SQLite only: nothing here depends on the store."""
    return sqlite_url


def gunicorn_start_log(db: Database, workers: int) -> str:
    """Start gunicorn with Écoute's config module, wait until it answers, stop it: its log."""
    with Gunicorn(db.url, workers) as server:
        pass
    return server.log


def test_two_workers_on_memory_counters_say_so_in_one_line_at_start(db: Database) -> None:
    log = gunicorn_start_log(db, 2)
    lines = [line for line in log.splitlines() if WARNING in line]
    assert len(lines) == 1
    assert "[WARNING]" in lines[0]
    assert "ECOUTE_RATE_LIMIT_STORAGE" in lines[0]


def test_shared_storage_or_a_single_worker_needs_no_warning() -> None:
    assert shared_counts_warning(4, "redis://cache:6379") is None
    assert shared_counts_warning(1, "memory://") is None
    line = shared_counts_warning(3, "memory://")
    assert line is not None and "\n" not in line and line.startswith("3 workers")
