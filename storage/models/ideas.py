"""Employees' ideas and who supports them.

An idea is signed (``author_id`` names the employee) or anonymous: then nothing
names or orders it, as for anonymous feedback (:mod:`bot.submissions`): no
author, a random negative id (:mod:`storage.anonymous`; the table counts with
AUTOINCREMENT on SQLite, so a named id never follows it) and its time cut to the
hour. "Forget" unlinks a signed author and blanks the idea's text (their words);
the record stays (service, status, tags, supporters, the improvement it led to).
A support is one person backing one idea, once; "forget" deletes theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


class Idea(Base):
    """What an employee thinks clients expect or could be better, for a service or department."""

    __tablename__ = "idea"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never follow anonymous ones

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)  # None once a signed author is forgotten
    service: Mapped[str | None] = mapped_column(String(64), index=True)
    signed: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea.id", ondelete="SET NULL"), index=True)
    improvement_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)  # to the hour when anonymous


class IdeaSupport(Base):
    """One employee's 👍 on one idea (once each)."""

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
