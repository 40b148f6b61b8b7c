"""What one fuzzed input stored: row counts of every table before and after, and the rules.

An input has its whole effect or none. After each one the ledger checks:

- a server error (5xx, the "could not store, retry" 503 included) never happens;
- a refused input (4xx) stored nothing: every table has the rows it had;
- an input adds at most one ``inbound_event`` (one turn), and an input that added
  none changed no table at all (no conversation, answer, person or delivery
  without the event of its turn);
- across the whole store, every person (``respondent``) is named by at least one
  event, and every active conversation is the conversation of at least one event:
  nothing a turn creates exists without the record of that turn.

The tables are read from the models' metadata, so a table added later is counted too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import func, select, table

from storage.db import Database
from storage.models import Base, Conversation, InboundEvent, Respondent


class HalfStored(AssertionError):
    """An input left part of its effect in the database."""


class ServerError(AssertionError):
    """An input got a 5xx answer."""


@dataclass
class Tally:
    """How many inputs one endpoint received and what went wrong, for the run's summary."""

    endpoint: str
    inputs: int = 0
    server_errors: int = 0
    half_stored: int = 0
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    def stop(self) -> None:
        """Note how long the run took."""
        self.seconds = time.monotonic() - self.started

    def line(self) -> str:
        """Return the tally as one line of the summary."""
        seconds = self.seconds
        return (f"{self.endpoint}: {self.inputs} inputs, {self.server_errors} server errors, "
                f"{self.half_stored} half-stored effects, {seconds:.0f} s")


class Ledger:
    """Counts the rows of every table and checks what each input did to them."""

    def __init__(self, db: Database, tally: Tally) -> None:
        self.db = db
        self.tally = tally
        self.tables = [t.name for t in Base.metadata.sorted_tables]

    def counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""
        with self.db.reading() as connection:
            return {name: connection.scalar(select(func.count()).select_from(table(name))) or 0
                    for name in self.tables}

    def check(self, before: dict[str, int], status: int, what: str) -> None:
        """Check the answer's status and the store after one input (``what`` names it)."""
        self.tally.inputs += 1
        if status >= 500:
            self.tally.server_errors += 1
            raise ServerError(f"{what} answered {status}")
        after = self.counts()
        changed = {name: (before[name], after[name]) for name in self.tables
                   if before[name] != after[name]}
        events = after[InboundEvent.__tablename__] - before[InboundEvent.__tablename__]
        problem = None
        if status >= 400 and changed:
            problem = f"refused with {status} but stored rows {changed}"
        elif events not in (0, 1):
            problem = f"one input recorded {events} events: {changed}"
        elif events == 0 and changed:
            problem = f"rows changed without the event of their turn: {changed}"
        else:
            problem = self.orphans()
        if problem:
            self.tally.half_stored += 1
            raise HalfStored(f"{what} (answered {status}): {problem}")

    def orphans(self) -> str | None:
        """Return what exists without the event of the turn that made it, if anything."""
        with self.db.reading() as connection:
            people = connection.scalar(
                select(func.count()).select_from(Respondent).where(
                    ~select(InboundEvent.id)
                    .where(InboundEvent.respondent_id == Respondent.id).exists()))
            active = connection.scalar(
                select(func.count()).select_from(Conversation).where(
                    Conversation.status == "active",
                    ~select(InboundEvent.id)
                    .where(InboundEvent.conversation_id == Conversation.id).exists()))
        if people:
            return f"{people} respondent(s) with no event"
        if active:
            return f"{active} active conversation(s) with no event"
        return None
