"""Who owns each widget conversation, asked of the store once per conversation and worker.

A conversation's owner and survey never change once it exists (erasure only
detaches the person, who is then answered as a new visitor by the engine), so
the API keeps them in a bounded table instead of opening a transaction before
every message: the conversation's start fills it in, another worker asks the
store once. Answers that fit no question are still refused by the engine.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from storage.conversations import ConversationOwner, conversation_owner
from storage.db import Database


class Owners:
    """A bounded, thread-safe table of conversation owners in front of the store."""

    def __init__(self, database: Database, size: int = 50_000) -> None:
        self.db = database
        self.size = size
        self._known: OrderedDict[str, ConversationOwner] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, public_id: str, owner: ConversationOwner) -> None:
        """Note who a conversation belongs to (forgetting the oldest beyond ``size``)."""
        with self._lock:
            self._known[public_id] = owner
            self._known.move_to_end(public_id)
            while len(self._known) > self.size:
                self._known.popitem(last=False)

    def get(self, public_id: str) -> ConversationOwner | None:
        """Return the conversation's owner, from the table or else from the store."""
        with self._lock:
            known = self._known.get(public_id)
        if known is not None:
            return known
        with self.db.reading() as connection:  # never waits for a writer
            found = conversation_owner(connection, public_id)
        if found is not None:
            self.remember(public_id, found)
        return found
