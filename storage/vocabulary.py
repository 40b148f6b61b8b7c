"""The words stored in status and kind columns, written once: every module uses these enums.

They are ``StrEnum`` members, so they compare equal to (and are stored as) their
plain string values; the database never holds anything else in these columns.
Which delivery kinds need consent and which ones "stop" blocks is the core's
policy (:data:`bot.outbox.RULES`), one row per kind below.
"""

from __future__ import annotations

from enum import StrEnum


class ConversationStatus(StrEnum):
    """Where a conversation stands."""

    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class DeliveryStatus(StrEnum):
    """Where a proactive message stands in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class DeliveryKind(StrEnum):
    """What a proactive message is for (the outbox's rules depend on it)."""

    ALERT = "alert"  # a staff alert about someone's answers, to a staff channel
    REPLY = "reply"  # a live reply the platform refused at first, sent again later
    PULSE = "pulse"  # a scheduled invitation to answer a survey (Slack pulses)
    ANNOUNCEMENT = "announcement"  # "you said, we did" and other news to consenting people
    RETRACTION = "retraction"  # take back a posted message about someone forgotten (always)
