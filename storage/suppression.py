"""The suppression list: "stop" outlives "forget".

Someone who said stop and then asked to be forgotten must not be messaged again
when a pulse or an import meets their platform id anew. Erasure therefore keeps
one thing: a SHA-256 digest of (channel, id) with no link to anything else, and
any respondent created later for that digest starts opted out. Saying "start"
again removes it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from storage.db import Executor, connection_of, insert_for
from storage.hotpath.prepared import Prepared
from storage.models import Suppression

PEPPER = b"ecoute-suppression-v1"


def digest(channel: str, external_id: str) -> str:
    """Return the digest that stands for one person on one channel."""
    return hashlib.sha256(PEPPER + f"{channel}\x1f{external_id}".encode()).hexdigest()


def remember(session: Session, channel: str, external_id: str, now: datetime) -> None:
    """Keep the person's opt-out past their erasure."""
    row = {"digest": digest(channel, external_id), "created_at": now}
    stmt = insert_for(session)(Suppression).values(**row)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["digest"]))


_FIND = Prepared(select(Suppression.__table__.c.digest).where(
    Suppression.__table__.c.digest == bindparam("digest")
))


def is_suppressed(session: Executor, channel: str, external_id: str) -> bool:
    """Tell whether this person said stop before being forgotten (asked of every new person)."""
    found = _FIND.first(connection_of(session), {"digest": digest(channel, external_id)})
    return found is not None


def release(session: Session, channel: str, external_id: str) -> None:
    """Forget the opt-out: the person asked to hear from us again."""
    session.execute(delete(Suppression).where(Suppression.digest == digest(channel, external_id)))
