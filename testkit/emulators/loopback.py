"""The HTTP plumbing every emulator shares: a threaded server on 127.0.0.1, its own port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, Self, TypeVar


class LoopbackServer:
    """Serve ``handler`` on a free loopback port; use as a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, poll: float = 0.5,
                 **handler_attributes: Any) -> None:
        bound = type("Handler", (handler,), handler_attributes)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(poll,),
                                        daemon=True)

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class Countdown(Protocol):
    """A canned failure that is served ``times`` more times."""

    times: int


F = TypeVar("F", bound=Countdown)


def take(queue: list[F] | None) -> F | None:
    """Serve the first canned failure of a queue, dropping it once used up."""
    if not queue:
        return None
    failure = queue[0]
    failure.times -= 1
    if failure.times <= 0:
        queue.pop(0)
    return failure
