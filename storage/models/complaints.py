"""Complaints, their history and the per-year counter of their references."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id

# The open statuses (bot.complaints.OPEN), sorted: the board's default filter, which its partial
# index below serves newest first (a query must name them in this order to use it).
OPEN_STATUSES = ("acknowledged", "in_progress", "received", "reopened")
OPEN_PREDICATE = text("status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES)))


class Complaint(Base):
    """A complaint: its reference, what it is about, its priority, status and deadlines.

    ``description``, ``own_reference`` and ``photo_file_id`` hold the person's words:
    "forget" blanks them and unlinks the respondent; the workflow record stays.
    """

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_complaint_status_acknowledge_due_at", "status", "acknowledge_due_at"),
        Index("ix_complaint_status_resolve_due_at", "status", "resolve_due_at"),
        Index("ix_complaint_deadline_check_at", "deadline_check_at"),
        Index("ix_complaint_open_created_at", "created_at", "id",
              sqlite_where=OPEN_PREDICATE, postgresql_where=OPEN_PREDICATE),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int]
    number: Mapped[int]
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    own_reference: Mapped[str | None] = mapped_column(String(255))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    urgency: Mapped[str] = mapped_column(String(16))
    importance: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    contact_consent: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    acknowledge_due_at: Mapped[datetime]
    resolve_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # the resolution's question ("Does this settle your complaint?"): when it was asked, and how
    # the complaint was closed (ComplaintClosure); then the complainant's CSAT 1-5 of the handling
    resolution_asked_at: Mapped[datetime | None]
    closure: Mapped[str | None] = mapped_column(String(16))
    handling_score: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    # the deadline scan (bot.complaint_deadlines): when to remind before each deadline (by
    # default at 80 % of its business hours), and the next moment the scan must look at it
    acknowledge_remind_at: Mapped[datetime | None]
    resolve_remind_at: Mapped[datetime | None]
    deadline_check_at: Mapped[datetime | None]


class ComplaintEvent(Base):
    """One step of a complaint's history: who, when, the status change, the note, sent or not."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None]
    # what the step records (ComplaintEventKind); for an assignment, to whom (None: unassigned);
    # for an adjustment, the urgency, importance and priority it set
    kind: Mapped[str] = mapped_column(String(16), default="status", server_default="status")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"))
    urgency: Mapped[str | None] = mapped_column(String(16))
    importance: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(16))


class ComplaintCounter(Base):
    """The last complaint number given in a year: references are gap-free per year."""

    __tablename__ = "complaint_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int]


class ComplaintBreach(Base):
    """A missed deadline: which complaint, which deadline, when it was due, who had it.

    Recorded once per (complaint, deadline, due date) by the deadline scan; it holds
    no word of the complainant, so "forget" leaves it as a workflow record.
    """

    __tablename__ = "complaint_breach"
    __table_args__ = (UniqueConstraint("complaint_id", "deadline", "due_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    deadline: Mapped[str] = mapped_column(String(16))  # ComplaintDeadline
    due_at: Mapped[datetime]
    detected_at: Mapped[datetime] = mapped_column(index=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
