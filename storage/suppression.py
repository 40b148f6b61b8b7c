"""The suppression list: "stop" outlives "forget".

Someone who said stop and then asked to be forgotten must not be messaged again
when a pulse or an import meets their platform id anew. Erasure therefore keeps
one thing: a keyed digest (HMAC-SHA256 under the installation's secret, see
:mod:`storage.installation`) of (channel, id) with no link to anything else, and
any respondent created later for that digest starts opted out. Saying "start"
again removes it. Keyed, a digest cannot be tested against a guessed Telegram
or Slack id without the secret (set ``ECOUTE_SECRET_KEY`` to keep the secret out
of the database). Digests of the former unkeyed scheme are not recognised.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from storage.db import Executor, connection_of, insert_for
from storage.hotpath.prepared import Prepared
from storage.installation import SEPARATOR, Keyring
from storage.models import Suppression


def digest(keyring: Keyring, channel: str, external_id: str) -> str:
    """Return the digest that stands for one person on one channel."""
    return keyring.digest("suppression", f"{channel}{SEPARATOR}{external_id}")


def remember(session: Session, keyring: Keyring, channel: str, external_id: str,
             now: datetime) -> None:
    """Keep the person's opt-out past their erasure."""
    row = {"digest": digest(keyring, channel, external_id), "created_at": now}
    stmt = insert_for(session)(Suppression).values(**row)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["digest"]))


_FIND = Prepared(select(Suppression.__table__.c.digest).where(
    Suppression.__table__.c.digest == bindparam("digest")
))


def is_suppressed(session: Executor, keyring: Keyring, channel: str, external_id: str) -> bool:
    """Tell whether this person said stop before being forgotten (asked of every new person)."""
    found = _FIND.first(connection_of(session), {"digest": digest(keyring, channel, external_id)})
    return found is not None


def release(session: Session, keyring: Keyring, channel: str, external_id: str) -> None:
    """Forget the opt-out: the person asked to hear from us again."""
    session.execute(
        delete(Suppression).where(Suppression.digest == digest(keyring, channel, external_id))
    )
