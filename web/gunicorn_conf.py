"""Gunicorn hooks for Écoute's web process: ``gunicorn -c python:web.gunicorn_conf …``.

Loaded as gunicorn's config module, it says once, in the master, when several
workers will each count the widget's rate limits in their own memory (each
worker then lets a visitor through up to its own limit), so that a shared
``ECOUTE_RATE_LIMIT_STORAGE`` can be set.
"""

from __future__ import annotations

import os
from typing import Any

from web.widget_limits import shared_counts_warning


def when_ready(server: Any) -> None:
    """Log one warning line when several workers would count rate limits apart."""
    storage = os.environ.get("ECOUTE_RATE_LIMIT_STORAGE") or "memory://"
    line = shared_counts_warning(server.cfg.workers, storage)
    if line is not None:
        server.log.warning(line)
