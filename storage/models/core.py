"""People, surveys, conversations, answers and the inbound events that made them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


class Respondent(Base):
    """A person on one channel; consent, opt-out and reachability live here."""

    __tablename__ = "respondent"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(default=False)
    internal: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]
    consent_asked_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(255))
    pending: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    # the company's own id for the person: links their identities on several channels
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    # in the standing panel (asked to take part in future tests) since then
    panel_since: Mapped[datetime | None]
    # the person's IANA timezone where a platform tells it (Slack): quiet hours use it
    timezone: Mapped[str | None] = mapped_column(String(64))


class SurveyVersion(Base):
    """One exact version of a declared survey, identified by its content hash."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("key", "hash"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Conversation(Base):
    """One run of one survey with one person (or with nobody, when anonymous)."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index(
            "uq_conversation_active_respondent",
            "respondent_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_conversation_status_updated_at", "status", "updated_at"),
        {"sqlite_autoincrement": True},  # ids never follow anonymous ones (storage.anonymous)
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    context: Mapped[str | None] = mapped_column(String(128))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Answer(Base):
    """One answer: the question id, its type and a typed value."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("conversation_id", "question_id"),
        Index("ix_answer_question_type_created_at", "question_type", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_type: Mapped[str] = mapped_column(String(16))
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    choice: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class InboundEvent(Base):
    """One applied turn: the platform's event (unique per channel), what was said, the replies.

    The unique (channel, event id) pair makes replays harmless; ordered by time,
    a person's rows are the transcript of their conversations ("forget" blanks
    them, keeping only the event id so a late replay still changes nothing).
    """

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("channel", "event_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    said: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(index=True)


# The response browser (migration 0008): pages of named conversations walk this index by
# key, newest first; those linked to nobody (respondent_id NULL) a calendar bucket at a time.
Index("ix_conversation_named_started_at", Conversation.started_at, Conversation.id,
      sqlite_where=text("respondent_id IS NOT NULL"),
      postgresql_where=text("respondent_id IS NOT NULL"))
Index("ix_conversation_respondent_id_started_at", Conversation.respondent_id,
      Conversation.started_at)
