"""The WSGI entry for gunicorn: ``gunicorn 'ecoute.wsgi:create_app()'``.

It builds Écoute from the environment (the composition root) and hands it to the
web app; nothing is built at import time.
"""

from __future__ import annotations

from flask import Flask

import web
from ecoute.wiring import build


def create_app() -> Flask:
    """Build Écoute from the environment and return the Flask app serving it."""
    return web.create_app(build())
