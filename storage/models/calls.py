"""Calls for participants (a client panel): the call, and each person's answer to it.

A call holds no personal data (staff write it). A participation is one person's
answer, with the contact detail they chose to pass to the organiser (only with
their consent, and erased with them: "forget" deletes their participations). The
standing panel is ``respondent.panel_since``, an audience filter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


class Call(Base):
    """A call for participants: what, where and when, how many places, until when, for whom."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    title: Mapped[dict[str, Any]]  # {"fr": …, "en": …}
    description: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(255))
    happens_at: Mapped[datetime]
    places: Mapped[int]
    closes_at: Mapped[datetime]
    audience: Mapped[dict[str, Any]]  # the audience filter, as given
    status: Mapped[str] = mapped_column(String(16), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Participation(Base):
    """One person's answer to a call: a place, the waiting list, or no thanks."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("call_id", "respondent_id"),
        Index("ix_participation_call_id_status_answered_at", "call_id", "status", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]
    # asked for a contact detail until then (the next typed message is it)
    contact_asked_until: Mapped[datetime | None]
    contact_consent: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str | None] = mapped_column(Text)
