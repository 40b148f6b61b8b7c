"""Pull channels' inboxes: the due proactive messages handed to a client that asks (the widget).

A pull channel has no sender; its client asks for its person's messages when it is
open. The outbox's rules apply as for pushed messages (:func:`bot.delivery_rules.refusal`),
and an announcement is written at hand-over time, without quiet hours (the visitor
is there).
"""

from __future__ import annotations

from datetime import datetime

from bot import announcement_message
from bot.announcement_message import AnnouncementSettings
from bot.delivery_rules import refusal
from bot.messages import Outbound
from storage import deliveries as store
from storage.db import Database
from storage.vocabulary import DeliveryStatus


def take_inbox(database: Database, channel: str, external_id: str, now: datetime,
               limit: int = 20, *,
               announcing: AnnouncementSettings | None = None) -> list[Outbound]:
    """Hand over the due messages waiting for one person on a pull channel (the widget).

    A pull channel has no sender: its client asks for its messages. The same rules
    apply as for pushed ones; what is handed over is marked sent, what may not be
    shown is marked skipped.
    """
    with database.transaction() as session:
        waiting = store.claim_due(session, now, now, limit, channel=channel,
                                  external_id=external_id)
        messages = []
        for delivery in waiting:
            reason = refusal(delivery)
            message = None
            if reason is None and announcement_message.applies(delivery):
                prepared = announcement_message.prepare(  # the visitor is here: no quiet hours
                    session, delivery, now, announcing or AnnouncementSettings(), quiet=False)
                reason, message = prepared.skip, prepared.message
            outcome = DeliveryStatus.SKIPPED if reason else DeliveryStatus.SENT
            store.finish(session, delivery.id, outcome, now, reason)
            if reason is None:
                messages.append(message or Outbound.from_dict(delivery.payload))
        return messages
