"""``ecoute serve``: the web app on waitress (a production WSGI server) with the worker beside it.

One process answers HTTP on waitress's threads and runs the scheduler (outbox,
expiry, pulses) and the channels' services (Telegram polling, Slack Socket Mode).
Ctrl-C or SIGTERM stops it cleanly: waitress stops accepting, the services and
the scheduler stop, the database connections are released, and the exit status is 0.

What waitress bounds of each request: a connection that sends nothing for
``channel_timeout`` seconds is closed (a slow or stalled client holds no thread
for long), a body over ``max_body`` bytes is refused before it is read, and
request headers are limited in size. The time a handler itself takes is not
waitress's to bound (it cannot stop a running thread): each handler bounds its
own work (the Telegram webhook's turn timeout, the database's statement timeouts).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from ecoute.wiring import Ecoute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerSettings:
    """Where and how waitress listens, and the limits it puts on each request."""

    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 4
    channel_timeout: int = 30  # seconds a connection may stay silent
    max_body: int = 1024 * 1024  # the app's own limit (MAX_CONTENT_LENGTH)
    max_headers: int = 64 * 1024


class Stop(SystemExit):
    """SIGTERM arrived: leave the serving loop the way Ctrl-C does.

    A ``SystemExit``, because waitress's loop re-raises only those (and Ctrl-C's
    ``KeyboardInterrupt``): a plain exception raised by the signal inside a
    connection's handler would be logged as that connection's error and serving
    would go on.
    """


def _stop(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into :class:`Stop`, raised in the serving loop."""
    raise Stop()


def serve(ecoute: Ecoute, settings: ServerSettings, *, worker: bool = True,
          ready: Callable[[str], Any] | None = None) -> None:
    """Serve Écoute's web app (and its worker) until Ctrl-C or SIGTERM, then stop cleanly."""
    from waitress.server import create_server

    from web import create_app

    server = create_server(
        create_app(ecoute), host=settings.host, port=settings.port, threads=settings.threads,
        channel_timeout=settings.channel_timeout, max_request_body_size=settings.max_body,
        max_request_header_size=settings.max_headers, clear_untrusted_proxy_headers=True,
    )
    scheduler = ecoute.scheduler(blocking=False) if worker else None
    services = ecoute.services() if worker else []
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if scheduler is not None:
            scheduler.start()
        for service in services:
            service.start()
        if ready is not None:
            ready(f"http://{settings.host}:{settings.port}/")
        server.run()
    except (KeyboardInterrupt, Stop):
        log.info("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        server.task_dispatcher.shutdown()
        for service in services:
            service.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        ecoute.close()
