"""Real HTTP servers for the tests that depend on the wire: Werkzeug's in a thread, gunicorn."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def werkzeug_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` with Werkzeug's threaded server in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def _free_port() -> int:
    """Return a TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """gunicorn serving ``ecoute.wsgi:create_app()`` with Écoute's config module."""

    def __init__(self, database_url: str, workers: int = 1, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf",
             "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "ecoute.wsgi:create_app()"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )

    def __enter__(self) -> Gunicorn:
        """Wait until the server answers ``/healthz``."""
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return self
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise
                time.sleep(0.1)

    def __exit__(self, *_: object) -> None:
        """Stop the server (gunicorn's quick shutdown) and keep what it logged."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        _, self.log = self.process.communicate(timeout=10)
