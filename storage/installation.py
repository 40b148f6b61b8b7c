"""The installation's secret, and the keyed hashes made with it (:class:`Keyring`).

Whatever must stay recognisable without being readable (a platform's event id,
a forgotten person's suppression entry) is stored as HMAC-SHA256 under one
per-installation secret. The secret is ``ECOUTE_SECRET_KEY`` when set (then a
copy of the database alone cannot test an id against the digests); otherwise
it is generated once and kept in the ``installation`` table, so every process
shares it and a restart keeps it. Two processes starting at once insert-if-absent
and both read back the one that won, on SQLite and PostgreSQL alike.

Usage::

    keyring = Keyring.configured_or_stored(settings.secret_key, database)
    keyring.digest("event", "slack\\x1fEv42")  # 64 hex digits
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from storage.db import Database, insert_for
from storage.models import Installation

SECRET_KEY = "secret"
SEPARATOR = "\x1f"
_SECRET = select(Installation.value).where(Installation.key == SECRET_KEY)


class Keyring:
    """Keyed hashes (HMAC-SHA256, hex) under the installation's secret, read when first needed."""

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._source = secret
        self._mac: hmac.HMAC | None = None
        self._lock = threading.Lock()

    @classmethod
    def configured_or_stored(cls, configured: str | None, database: Database) -> Keyring:
        """Return the keyring of ``ECOUTE_SECRET_KEY`` when set, else of the stored secret."""
        if configured:
            return cls(configured.encode())
        return cls(lambda: stored_secret(database))

    def load(self) -> None:
        """Read (or make) the secret now, outside any transaction, before a turn uses it."""
        self._keyed()

    def digest(self, purpose: str, value: str) -> str:
        """Return the keyed hash of ``value`` for one ``purpose`` (e.g. ``event``)."""
        mac = self._keyed().copy()
        mac.update(f"{purpose}{SEPARATOR}{value}".encode())
        return mac.hexdigest()

    def _keyed(self) -> hmac.HMAC:
        """Return the HMAC state keyed with the secret (the secret is read once)."""
        if self._mac is None:
            with self._lock:
                if self._mac is None:
                    source = self._source
                    secret = source() if callable(source) else source
                    self._mac = hmac.new(secret, digestmod=hashlib.sha256)
        return self._mac

    def __eq__(self, other: object) -> bool:
        """Tell whether two keyrings hash alike (the same secret)."""
        if not isinstance(other, Keyring):
            return NotImplemented
        return self._keyed().copy().digest() == other._keyed().copy().digest()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Never show the secret."""
        return "Keyring(…)"


def stored_secret(database: Database) -> bytes:
    """Return the secret kept in the database, generating it on first use (race-safe)."""
    with database.reading() as connection:
        found = connection.scalar(_SECRET)
        if found is not None:
            return bytes.fromhex(found)
    candidate = {"key": SECRET_KEY, "value": secrets.token_bytes(32).hex(),
                 "created_at": datetime.now(UTC)}
    with database.transaction() as session:
        stmt = insert_for(session)(Installation).values(**candidate)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    with database.reading() as connection:  # a new transaction sees whichever insert won
        kept = connection.scalar(_SECRET)
    if kept is None:
        raise RuntimeError("the installation secret could not be stored")
    return bytes.fromhex(kept)
