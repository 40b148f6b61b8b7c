"""The outbox and what plans it: campaigns, deliveries, suppressions, installation facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id

ABOUT_RESPONDENT = text("about_respondent_id IS NOT NULL")
ABOUT_CONVERSATION = text("about_conversation_id IS NOT NULL")


class Campaign(Base):
    """One proactive campaign (a pulse run, an announcement): its deliveries point to it.

    It names what is sent and to which channel, never to whom: it holds no
    personal data (its deliveries do, and "forget" deletes those).
    """

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # active, paused or cancelled (CampaignState): the dispatcher sends an active one's only
    state: Mapped[str] = mapped_column(String(16), default="active", server_default="active")


class Delivery(Base):
    """The outbox: one proactive message to send, with its retry state."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        # Only staff alerts and webhook events are about someone: indexing just those rows
        # keeps "forget" fast and spares every planned campaign row two index entries
        # (migration 0021).
        Index("ix_delivery_about_respondent_id", "about_respondent_id",
              sqlite_where=ABOUT_RESPONDENT, postgresql_where=ABOUT_RESPONDENT),
        Index("ix_delivery_about_conversation_id", "about_conversation_id",
              sqlite_where=ABOUT_CONVERSATION, postgresql_where=ABOUT_CONVERSATION),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    # whom the message is about (a staff alert): "forget" deletes or retracts it
    about_respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL")
    )
    about_conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    # where the platform shows it once sent (Slack: channel and ts), to retract it
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )


class Suppression(Base):
    """An opted-out person who was forgotten: only a digest of (channel, id) remains."""

    __tablename__ = "suppression"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]


class Installation(Base):
    """Facts of this installation as key/value pairs (the secret of the keyed hashes)."""

    __tablename__ = "installation"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
