"""The command line's logging: what ``-v`` shows, and what it never shows.

``-v`` logs what Écoute does at INFO. The HTTP clients (httpx, httpcore,
urllib3, the Slack SDK, Bolt, python-telegram-bot) and SQLAlchemy stay at
WARNING whatever the level: at INFO they log every request's URL (a Telegram
bot token is part of it) or every statement's values (what people wrote).
As a second line of defence, every line written is scrubbed of anything shaped
like a platform token, a Bot API URL's token or a URL's password.
"""

from __future__ import annotations

import logging
import re
import sys

from storage.db import hide_passwords

QUIET = ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt", "telegram", "sqlalchemy")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRETS = (
    (re.compile(r"\bbot\d+:[A-Za-z0-9_-]+"), "bot***"),               # Bot API URLs' token
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), "***"),               # a bare Telegram token
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), "xox*-***"),             # Slack bot/user tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-***"),                 # Slack app-level tokens
)


def redact(text: str) -> str:
    """Return ``text`` with every token-shaped string and URL password replaced by ``***``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return hide_passwords(text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose lines (tracebacks included) are passed through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        """Format the record as usual, then scrub it."""
        return redact(super().format(record))


def quiet() -> None:
    """Keep the HTTP clients' and SQLAlchemy's loggers at WARNING (or above, if set so)."""
    for name in QUIET:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def configure(verbose: bool) -> None:
    """Log to stderr at INFO (``-v``) or WARNING, scrubbed, with the chatty libraries quiet."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    quiet()
