"""Several gunicorn workers counting rate limits each in its own memory: said once, at start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from storage.db import Database
from web.widget_limits import shared_counts_warning

ROOT = Path(__file__).resolve().parents[2]
WARNING = "workers each count widget rate limits in their own memory"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Use SQLite only: nothing here depends on the store."""
    return sqlite_url


def _free_port() -> int:
    """Return a TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn_start_log(db: Database, workers: int, **env: str) -> str:
    """Start gunicorn with Écoute's config module, wait until it answers, stop it: its log."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "ecoute.wsgi:create_app()"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": db.url, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        _, log = server.communicate(timeout=10)
    return log


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
