"""What outside systems asked for: triggered invitations and outgoing webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


class Invitation(Base):
    """A survey an outside system triggered for one person: what to ask, and whether they began.

    One row per planned invitation (a skipped request stores none); the contact cap
    counts these rows. Its delivery is the outbox row of campaign ``campaign_id``.
    ``context`` may name the person's order or visit: "forget" deletes the row.
    """

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_respondent_id_created_at", "respondent_id",
                            "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             unique=True)
    survey: Mapped[str] = mapped_column(String(64))
    context: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]


class Webhook(Base):
    """An outgoing webhook: where signed events go, which ones, and the secret that signs them.

    The secret must sign every delivery, so it is stored as given (never shown
    again after creation, never logged); deleting a webhook blanks it.
    """

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[Any]]
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)
