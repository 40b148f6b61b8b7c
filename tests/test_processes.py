"""The long-running processes: ``ecoute worker`` runs its jobs, ``ecoute serve`` answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.messages import Outbound
from bot.outbox import enqueue
from ecoute.wiring import Ecoute
from storage.models import Conversation, Delivery
from tests.conftest import Clock, Person

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running(*args: str, url: str) -> Iterator[subprocess.Popen[str]]:
    """Run an ``ecoute`` command in the background; interrupt it at the end."""
    env = {**os.environ, "DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "ecoute.cli", *args], env=env, cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def eventually(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Poll ``check`` until it holds or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)  # a poll for what the other process will do, not a wait for nothing
    return False


def test_the_worker_expires_idle_conversations_and_drains_the_outbox(
    ecoute: Ecoute, clock: Clock
) -> None:
    clock.now = datetime.now(UTC) - timedelta(hours=25)
    ana = Person(ecoute.engine)
    ana.says("start nps")
    ana.says("4")
    enqueue(ecoute.db, key="alert-1", kind="alert", channel="nowhere", address="C1",
            message=Outbound("low score"), now=datetime.now(UTC))

    def status(column) -> str | None:  # type: ignore[no-untyped-def]
        with ecoute.db.transaction() as session:
            return session.scalar(select(column))  # type: ignore[no-any-return]

    with running("worker", url=ecoute.db.url) as worker:
        assert eventually(lambda: status(Conversation.status) == "abandoned"), worker
        assert eventually(lambda: status(Delivery.status) == "skipped")
    assert worker.returncode in (0, -signal.SIGINT)
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Delivery.last_error)) == (
            "no sender configured for channel 'nowhere'")


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_its_health_check(ecoute: Ecoute) -> None:
    port = free_port()
    with running("serve", "--port", str(port), url=ecoute.db.url):
        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return r.status == 200 and b'"ok"' in r.read()
            except OSError:
                return False

        assert eventually(healthy)


def test_serve_answers_through_a_production_server_and_stops_cleanly_on_sigterm(
    ecoute: Ecoute,
) -> None:
    port = free_port()
    with running("serve", "--port", str(port), url=ecoute.db.url) as server:
        def answered() -> dict[str, str] | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return dict(r.headers) if r.status == 200 else None
            except OSError:
                return None

        assert eventually(lambda: answered() is not None), server
        headers = answered()
        assert headers is not None and headers.get("Server") == "waitress"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        errors = server.stderr.read() if server.stderr else ""
        assert "Écoute stopped" in errors
        assert "development server" not in errors
