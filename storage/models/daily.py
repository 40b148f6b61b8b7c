"""The dashboard's pre-aggregated counts (storage.daily fills them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

SCORE_VALUES = range(11)  # every score value of every type: NPS 0-10, CSAT 1-5, CES 1-7


class _ScoreCounts:
    """How many answers gave each score value, one column per value (``n0`` … ``n10``)."""

    n0: Mapped[int] = mapped_column(default=0)
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)
    n6: Mapped[int] = mapped_column(default=0)
    n7: Mapped[int] = mapped_column(default=0)
    n8: Mapped[int] = mapped_column(default=0)
    n9: Mapped[int] = mapped_column(default=0)
    n10: Mapped[int] = mapped_column(default=0)


class DailyScore(_ScoreCounts, Base):
    """Named answers' scores of one UTC day, per channel, survey, context, service and type.

    The dashboard's pre-aggregated counts (:mod:`storage.daily`): only answers of
    conversations linked to a person; ``context`` and ``service`` are ``""`` for none.
    """

    __tablename__ = "daily_score"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(128), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class DailyTotal(_ScoreCounts, Base):
    """``daily_score`` summed over contexts: what most readings need, a tenth of the rows."""

    __tablename__ = "daily_total"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class MonthlyScore(_ScoreCounts, Base):
    """``daily_score`` summed per calendar month (of the days rolled up so far).

    A reading over a long period takes its whole months here and only its first and
    last partial months from ``daily_score``: a year is about 12 months and 30 days
    instead of 365 days.
    """

    __tablename__ = "monthly_score"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(128), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class UnlinkedScore(_ScoreCounts, Base):
    """Scores of the conversations linked to nobody that the rule of five shows, per month.

    Only groups of at least five in closed calendar months are counted here, by the
    month their conversation started (:func:`bot.dashboard.roll` decides and fills it).
    """

    __tablename__ = "unlinked_score"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(128), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class DailyRollup(Base):
    """How far the dashboard's counts go: one row, id 1.

    ``rolled_until`` (a UTC midnight): ``daily_score`` holds the named answers given
    before it; later ones are counted from their rows. ``unlinked_until`` (a month's
    first day): ``unlinked_score`` holds the months before it, except from
    ``unlinked_dirty`` on, which a forget changed and the next roll recounts.
    """

    __tablename__ = "daily_rollup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rolled_until: Mapped[datetime]
    unlinked_until: Mapped[date | None] = mapped_column(Date)
    unlinked_dirty: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]
