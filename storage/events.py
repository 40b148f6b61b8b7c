"""Inbound events: each applied turn once, under a unique (channel, event id), with the transcript.

The unique pair makes replays harmless: a replayed event fails to insert, its
turn rolls back, and :func:`event_reply` returns what was answered the first time.
A person's rows in order are their transcript ("forget" blanks them).

No platform id is stored: a widget's ``visitor:message`` or a Slack button's
``action:{DM channel}:{ts}`` would name the person after "forget". The column
holds HMAC-SHA256(installation secret, channel + event id) instead, made here
for every channel; a replay hashes to the same value, so it stays harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from storage.anonymous import random_id
from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.installation import SEPARATOR, Keyring
from storage.models import InboundEvent

_INSERT_EVENT = Prepared(insert(InboundEvent.__table__))
_EVENT_REPLY = Prepared(select(InboundEvent.reply).where(
    InboundEvent.channel == bindparam("channel"), InboundEvent.event_id == bindparam("event_id")
))


def stored_event_id(keyring: Keyring, channel: str, event_id: str) -> str:
    """Return what stands for a platform's event id in the table: its keyed hash."""
    return keyring.digest("event", f"{channel}{SEPARATOR}{event_id}")


def record_event(
    session: Executor,
    keyring: Keyring,
    channel: str,
    event_id: str,
    *,
    respondent_id: int | None,
    conversation_id: int | None = None,
    said: str | None = None,
    reply: dict[str, Any],
    now: datetime,
    anonymous: bool = False,
) -> None:
    """Record an applied turn (unique per channel and event id): what was said and replied.

    An anonymous submission's event gets a random negative id (:mod:`storage.anonymous`).
    """
    _INSERT_EVENT.run(
        connection_of(session),
        {
            **({"id": random_id()} if anonymous else {}),
            "channel": channel,
            "event_id": stored_event_id(keyring, channel, event_id),
            "respondent_id": respondent_id,
            "conversation_id": conversation_id,
            "said": said,
            "reply": reply,
            "created_at": now,
        },
    )


def event_reply(session: Executor, keyring: Keyring, channel: str,
                event_id: str) -> dict[str, Any] | None:
    """Return the stored replies of an event already applied, or None if it is new."""
    row = _EVENT_REPLY.first(connection_of(session), {
        "channel": channel, "event_id": stored_event_id(keyring, channel, event_id)})
    if row is None:
        return None
    return row[0] or {}
