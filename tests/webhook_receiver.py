"""A company's webhook receiver on loopback: a real HTTP server that records every POST.

It answers each request with the next scripted status (200 once the script is
used up), so a test can make it fail, ask to wait, or refuse for good, then
checks what arrived with the ``standardwebhooks`` library, as a receiver would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks import Webhook


@dataclass(frozen=True)
class Received:
    """One POST as the receiver got it: path, headers (lower-cased names) and raw body."""

    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> dict[str, Any]:
        """Return the payload once its signature checks out with ``secret`` (else raise)."""
        return Webhook(secret).verify(self.body, self.headers)  # type: ignore[no-any-return]

    @property
    def payload(self) -> dict[str, Any]:
        """Return the JSON body, unchecked."""
        return json.loads(self.body)  # type: ignore[no-any-return]


class Receiver:
    """The server: ``url`` to point webhooks at, ``received`` to look at, ``answer`` to script."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._script: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/ecoute"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, *statuses: int, **headers: str) -> None:
        """Answer the next requests with these statuses (and headers), then 200 again."""
        with self._lock:
            self._script.extend((status, dict(headers)) for status in statuses)

    def _next(self, received: Received) -> tuple[int, dict[str, str]]:
        """Record one request and return the status and headers to answer it with."""
        with self._lock:
            self.received.append(received)
            return self._script.pop(0) if self._script else (200, {})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """Return the request handler class bound to this receiver."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra = receiver._next(Received(self.path, headers, body))
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Stay quiet."""

        return Handler

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Return a running webhook receiver on loopback."""
    with Receiver() as running:
        yield running
