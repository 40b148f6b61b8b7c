"""What a channel's sender is to the outbox: the protocols and the errors it may raise.

A sender (one per channel, injected: the core imports no platform) either returns,
optionally with a :data:`Receipt` (where the platform shows the message), or raises
:class:`RetryLater` (the platform asked to wait), :class:`TransientError` (retried
with back-off) or :class:`PermanentError` (failed for good). A :class:`Retracting`
sender can also take back a message it posted, given a :class:`Retraction`.

A :data:`Job` is one send ready to run; :class:`SendThreads` runs a group of them at
once (the dispatcher's waves) and hands back each :class:`Outcome` in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.messages import Outbound

Receipt = dict[str, str]  # where the platform shows a sent message (Slack: channel, ts)


class SendError(Exception):
    """A sender could not deliver a message."""


class RetryLater(SendError):
    """The platform asked to wait ``seconds`` before trying again."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


class TransientError(SendError):
    """A failure worth retrying (network, 5xx)."""


class PermanentError(SendError):
    """A failure that will not go away (blocked, account gone): never retry."""

    def __init__(self, reason: str, *, unreachable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


@dataclass(frozen=True)
class Retraction:
    """Take back a posted message: its receipt, and the language of any redacted text."""

    receipt: Receipt
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """Return the delivery payload (the receipt only, no text)."""
        return {"receipt": dict(self.receipt), "language": self.language}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Retraction:
        """Rebuild a retraction from its delivery payload."""
        receipt = data.get("receipt") or {}
        return cls({str(k): str(v) for k, v in receipt.items()},
                   str(data.get("language") or "en"))


class Sender(Protocol):
    """Sends one message to one address on one platform."""

    def send(self, address: str, message: Outbound) -> Receipt | None:
        """Deliver ``message`` (returning where it is shown, if known) or raise a SendError."""


@runtime_checkable
class Retracting(Protocol):
    """A sender that can also take back a message it posted (Slack: delete, else redact)."""

    def retract(self, address: str, retraction: Retraction) -> None:
        """Remove (or redact) the message the receipt points at, or raise a SendError."""


Job = Callable[[], "Receipt | None"]  # one send, ready to run on any thread


@dataclass(frozen=True)
class Outcome:
    """What one send gave: a receipt (or None), or the error it raised."""

    receipt: Receipt | None = None
    error: Exception | None = None


def attempt(job: Job) -> Outcome:
    """Run one send and catch what it raised (the dispatcher decides what follows)."""
    try:
        return Outcome(receipt=job())
    except Exception as error:  # sorted by _settle: wait, give up, or retry
        return Outcome(error=error)


class SendThreads:
    """Runs a group of sends at once on up to ``size`` threads (made again after a fork)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._pool: tuple[int, ThreadPoolExecutor] | None = None

    def run(self, jobs: list[Job]) -> list[Outcome]:
        """Run the sends and return their outcomes in the same order (one: on this thread)."""
        if len(jobs) <= 1 or self.size == 1:
            return [attempt(job) for job in jobs]
        if self._pool is None or self._pool[0] != os.getpid():
            self._pool = (os.getpid(), ThreadPoolExecutor(self.size, "outbox-send"))
        return list(self._pool[1].map(attempt, jobs))

    def close(self) -> None:
        """Stop the threads; the next run starts new ones."""
        if self._pool is not None and self._pool[0] == os.getpid():
            self._pool[1].shutdown(wait=True)
        self._pool = None
