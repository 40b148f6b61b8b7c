"""Cluster-wide locks, so a periodic job runs once however many workers run it.

PostgreSQL: ``pg_try_advisory_xact_lock``, released when the transaction ends (a
session-level advisory lock would survive in the pool's connection). SQLite has
a single writer on one machine, so the write transaction itself is the lock.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def try_cluster_lock(session: Session, name: str) -> bool:
    """Take the transaction-scoped lock called ``name``; False if another worker holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode())
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))
