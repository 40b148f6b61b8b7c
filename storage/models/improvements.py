""""You said, we did": improvements, the feedback linked to them, and the reactions to them.

An improvement holds no personal data (staff write its summary). Its links point
to conversations and complaints: the audience is the people behind those, read
through the links at planning time, so "forget" (which unlinks conversations and
complaints from the person) takes the person out of every audience. A reaction keeps
the answer for the statistics; "forget" unlinks it from the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


class Improvement(Base):
    """A change made because of feedback: what people said, what was done, and when."""

    __tablename__ = "improvement"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    done_on: Mapped[date | None] = mapped_column(Date)
    # what it concerns: {"channels": [...], "surveys": [...], "contexts": [...],
    # "services": [...], "categories": [...]}, each optional
    concerns: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # a digest of the API token and its Idempotency-Key (bot.invitations.idempotency):
    # a repeated POST finds the draft it made
    idempotency: Mapped[str | None] = mapped_column(String(40), unique=True)


class ImprovementLink(Base):
    """One conversation or one complaint that led to an improvement (or a rejected suggestion)."""

    __tablename__ = "improvement_link"
    __table_args__ = (
        UniqueConstraint("improvement_id", "conversation_id"),
        UniqueConstraint("improvement_id", "complaint_id"),
        CheckConstraint("(conversation_id IS NULL) <> (complaint_id IS NULL)", name="one_target"),
        Index("ix_improvement_link_improvement_id_accepted", "improvement_id", "accepted"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    improvement_id: Mapped[int] = mapped_column(
        ForeignKey("improvement.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    # False: a suggestion staff rejected (kept so it is not proposed again)
    accepted: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Reaction(Base):
    """A person's answer to an announcement: does this answer your concern? yes, partly, no."""

    __tablename__ = "reaction"
    __table_args__ = (UniqueConstraint("improvement_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    improvement_id: Mapped[int] = mapped_column(
        ForeignKey("improvement.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
