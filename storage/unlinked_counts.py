"""The anonymous months' counts (``unlinked_score``), recounted in SQL with the rule of five.

:func:`replace_months` recounts closed months in one ``INSERT … SELECT``: the groups of
conversations linked to nobody (one survey, one month, the same options chosen) are
sized with a window function, and only those of at least the minimum count. The core
(:func:`bot.dashboard.roll`) says which months and what minimum, as
:mod:`bot.small_groups` decides for every output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from storage.daily import COUNTS, DIMENSIONS, answers_by_key
from storage.models import Answer, Conversation, SurveyVersion, UnlinkedScore


def replace_months(session: Session, first: date, closed: date, minimum: int) -> None:
    """Recount the shown anonymous scores of the months in [first, closed), in one statement.

    The rule of five as :mod:`bot.small_groups` states it, in SQL: a conversation linked
    to nobody is shown when at least ``minimum`` of them share its survey, its month
    and the options chosen; the caller passes closed months only.
    """
    session.execute(delete(UnlinkedScore).where(UnlinkedScore.month >= first,
                                                UnlinkedScore.month < closed))
    shown = _shown_unlinked(session, _moment(first), _moment(closed), minimum)
    stmt, _keys = answers_by_key(session, shown.c.month.label("month"))
    stmt = stmt.join(shown, shown.c.id == Answer.conversation_id)
    names = ("month", *DIMENSIONS, "question_type", *COUNTS)
    session.execute(insert(UnlinkedScore).from_select(names, stmt))


def _moment(day: date) -> datetime:
    """Return a day's UTC midnight."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _unlinked_in(stmt: Any, since: datetime, until: datetime) -> Any:
    """Narrow ``stmt`` (which joins ``conversation``) to those linked to nobody started in range."""
    return stmt.where(Conversation.respondent_id.is_(None), Conversation.started_at >= since,
                      Conversation.started_at < until)


def _shown_unlinked(session: Session, since: datetime, until: datetime, minimum: int) -> Any:
    """Return a subquery (id, month) of the unlinked conversations in groups of ``minimum``."""
    postgres = session.get_bind().dialect.name == "postgresql"
    choice = Answer.question_id + "\x1f" + Answer.choice
    if postgres:
        month: Any = cast(func.date_trunc("month", func.timezone("UTC", Conversation.started_at)),
                          Date)
        signature = func.string_agg(choice, aggregate_order_by(literal("\x1e"),
                                                               Answer.question_id))
        chosen = select(Answer.conversation_id.label("id"), signature.label("signature"))
    else:  # SQLite's group_concat keeps the order of an ordered subquery
        month = func.strftime("%Y-%m-01", Conversation.started_at)
        ordered = _unlinked_in(
            select(Answer.conversation_id.label("id"), choice.label("choice"))
            .join(Conversation, Conversation.id == Answer.conversation_id)
            .where(Answer.choice.is_not(None)), since, until,
        ).order_by(Answer.conversation_id, Answer.question_id).subquery()
        chosen = select(ordered.c.id, func.group_concat(ordered.c.choice, "\x1e")
                        .label("signature")).group_by(ordered.c.id)
    if postgres:
        chosen = _unlinked_in(chosen.join(Conversation, Conversation.id == Answer.conversation_id)
                              .where(Answer.choice.is_not(None)), since, until
                              ).group_by(Answer.conversation_id)
    choices = chosen.subquery()
    group = (SurveyVersion.key, month, func.coalesce(choices.c.signature, ""))
    sized = _unlinked_in(
        select(Conversation.id.label("id"), month.label("month"),
               func.count().over(partition_by=group).label("size"))
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(choices, choices.c.id == Conversation.id), since, until,
    ).subquery()
    return select(sized.c.id, sized.c.month).where(sized.c.size >= minimum).subquery()
