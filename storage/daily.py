"""The dashboard's pre-aggregated counts, kept equal to a recount from the answers.

- ``daily_score``: per UTC day, channel, survey, context, internal service and score
  type, how many answers of conversations linked to a person gave each value
  (``n0`` … ``n10``); ``daily_total`` is the same summed over contexts (what a
  reading uses unless it filters or breaks down by context: far fewer rows).
  They cover the answers given before ``daily_rollup.rolled_until`` (a UTC
  midnight); later answers (the *live tail*, about a day of them) are counted from
  their rows in the same query, so figures are live while a turn writes nothing
  more than its answer.
- ``unlinked_score``: per month, the scores of the conversations linked to nobody
  that the rule of five shows (whole groups of closed months). The core fills it
  (:func:`bot.dashboard.roll`, which alone applies the rule) through
  :func:`storage.unlinked_counts.replace_months`; months it does not hold yet are counted live.

:func:`roll` (the worker, every few minutes) adds the days closed :data:`MARGIN`
ago (an answer still in an open transaction is never missed). :func:`rebuild`
recounts the named days in bulk SQL (``INSERT … SELECT … GROUP BY``), after a bulk
load or when an operator asks (``ecoute db aggregates``). :mod:`storage.erasure`
calls :func:`recount_days` and :func:`mark_unlinked_dirty` when a person is
forgotten: their scores leave the named counts at once and may join an anonymous
group at the next roll. Every writer takes the ``daily_rollup`` row ``FOR UPDATE``
first, so rolls and recounts never interleave on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session, aliased

from storage.models import (
    SCORE_VALUES,
    Answer,
    Conversation,
    DailyRollup,
    DailyScore,
    DailyTotal,
    MonthlyScore,
    SurveyVersion,
    UnlinkedScore,
)

MARGIN = timedelta(minutes=15)  # longer than any turn's transaction
SCORE_TYPES = ("nps", "csat", "ces")
SERVICE_QUESTION = "service"  # the internal survey's choice of the service rated
DIMENSIONS = ("channel", "survey", "context", "service")
COUNTS = tuple(f"n{value}" for value in SCORE_VALUES)
CHUNK = 500  # conversation ids per statement


@dataclass(frozen=True)
class ScoreRow:
    """One group's answers of one score type: how many gave each value (index = value)."""

    key: tuple[Any, ...]
    question_type: str
    counts: tuple[int, ...]


def midnight(moment: datetime) -> datetime:
    """Return the UTC midnight starting ``moment``'s day."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def rolled_until(session: Session, *, lock: bool = False) -> datetime | None:
    """Return up to when the named counts are rolled up (None before the first roll)."""
    stmt = select(DailyRollup.rolled_until).where(DailyRollup.id == 1)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _state(session: Session, now: datetime) -> DailyRollup:
    """Return the roll-up's row, locked (made when missing: nothing rolled yet)."""
    row = session.scalar(select(DailyRollup).where(DailyRollup.id == 1).with_for_update())
    if row is None:
        row = DailyRollup(id=1, rolled_until=datetime(1970, 1, 1, tzinfo=UTC), updated_at=now)
        session.add(row)
        session.flush()
    return row


def rebuild(session: Session, now: datetime | None = None) -> datetime:
    """Recount the named scores of every day closed :data:`MARGIN` ago, in bulk; return the edge.

    The anonymous months are left for the next roll of the core (:func:`bot.dashboard.roll`),
    which alone applies the rule of five; until then they are counted from their rows.
    """
    now = now or datetime.now(UTC)
    edge = midnight(now - MARGIN)
    state = _state(session, now)
    session.execute(delete(DailyScore))
    session.execute(delete(DailyTotal))
    session.execute(delete(MonthlyScore))
    _insert_counts(session, None, edge)
    state.rolled_until, state.updated_at = edge, now
    state.unlinked_until = state.unlinked_dirty = None
    session.execute(delete(UnlinkedScore))
    session.flush()
    return edge


def roll(session: Session, now: datetime) -> datetime:
    """Add the days closed since the last roll (a first roll rebuilds); return the edge."""
    current = rolled_until(session, lock=True)
    if current is None:
        return rebuild(session, now)
    edge = midnight(now - MARGIN)
    if edge > current:
        _insert_counts(session, current, edge)
        state = _state(session, now)
        state.rolled_until, state.updated_at = edge, now
        session.flush()
    return max(edge, current)


def recount_days(session: Session, days: Iterable[date]) -> None:
    """Recount the given days' named scores from the answers (those already rolled up)."""
    current = rolled_until(session, lock=True)
    for day in sorted(d for d in set(days) if current is not None and d < current.date()):
        session.execute(delete(DailyScore).where(DailyScore.day == day))
        session.execute(delete(DailyTotal).where(DailyTotal.day == day))
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        _insert_counts(session, start, start + timedelta(days=1))


def answer_days(session: Session, conversation_ids: Any) -> set[date]:
    """Return the days on which these conversations (a select of ids) got scores."""
    stmt = select(Answer.created_at).where(Answer.conversation_id.in_(conversation_ids),
                                           Answer.question_type.in_(SCORE_TYPES),
                                           Answer.number.is_not(None))
    return {moment.astimezone(UTC).date() for moment in session.scalars(stmt)}


def started_days(session: Session, conversation_ids: Any) -> set[date]:
    """Return the days on which these conversations (a select of ids) started."""
    stmt = select(Conversation.started_at).where(Conversation.id.in_(conversation_ids))
    return {moment.astimezone(UTC).date() for moment in session.scalars(stmt)}


def _day(session: Session, column: Any) -> Any:
    """Return the UTC day of a timestamp column, in the store's SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _histogram(number: Any) -> list[Any]:
    """Return one column per score value: how many rows gave it."""
    return [func.sum(case((number == value, 1), else_=0)).label(f"n{value}")
            for value in SCORE_VALUES]


def answers_by_key(session: Session, first: Any) -> tuple[Any, list[Any]]:
    """Return a select of score answers' counts per key (``first`` then the dimensions)."""
    service = aliased(Answer)
    keys = [first, Conversation.channel.label("channel"), SurveyVersion.key.label("survey"),
            func.coalesce(Conversation.context, "").label("context"),
            func.coalesce(service.choice, "").label("service"),
            Answer.question_type.label("question_type")]
    stmt = (
        select(*keys, *_histogram(Answer.number))
        .select_from(Answer)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == Answer.survey_version_id)
        .outerjoin(service, and_(service.conversation_id == Answer.conversation_id,
                                 service.question_id == SERVICE_QUESTION))
        .where(Answer.question_type.in_(SCORE_TYPES), Answer.number.is_not(None))
        .group_by(*keys)
    )
    return stmt, keys


def named_answers(session: Session, since: datetime | None, until: datetime | None) -> Any:
    """Return a select of the named score answers given in [since, until), counted per key."""
    stmt, _keys = answers_by_key(session, _day(session, Answer.created_at).label("day"))
    stmt = stmt.where(Conversation.respondent_id.is_not(None))
    if since is not None:
        stmt = stmt.where(Answer.created_at >= since)
    if until is not None:
        stmt = stmt.where(Answer.created_at < until)
    return stmt


def _insert_counts(session: Session, since: datetime | None, until: datetime) -> None:
    """Insert the counts of the named answers given in [since, until): one bulk statement."""
    names = ("day", *DIMENSIONS, "question_type", *COUNTS)
    session.execute(insert(DailyScore).from_select(names, named_answers(session, since, until)))
    coarse = ("day", "channel", "survey", "service", "question_type")
    keys = [getattr(DailyScore, name) for name in coarse]
    summed = select(*keys, *(func.sum(getattr(DailyScore, n)) for n in COUNTS)).group_by(*keys)
    if since is not None:
        summed = summed.where(DailyScore.day >= since.date())
    summed = summed.where(DailyScore.day < until.date())
    session.execute(insert(DailyTotal).from_select((*coarse, *COUNTS), summed))
    _recount_months(session, since.date() if since is not None else None, until.date())


def _recount_months(session: Session, since: date | None, until: date) -> None:
    """Recount from ``daily_score`` the months holding the days in [since, until)."""
    if since is not None and since >= until:
        return
    first = since.replace(day=1) if since is not None else None
    last = (until - timedelta(days=1)).replace(day=1)
    end = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    gone = delete(MonthlyScore).where(MonthlyScore.month < end)
    if first is not None:
        gone = gone.where(MonthlyScore.month >= first)
    session.execute(gone)
    if session.get_bind().dialect.name == "postgresql":
        month: Any = cast(func.date_trunc("month", DailyScore.day), Date)
    else:
        month = func.strftime("%Y-%m-01", DailyScore.day)
    keys = [getattr(DailyScore, name) for name in (*DIMENSIONS, "question_type")]
    summed = (select(month, *keys, *(func.sum(getattr(DailyScore, n)) for n in COUNTS))
              .where(DailyScore.day < end).group_by(month, *keys))
    if first is not None:
        summed = summed.where(DailyScore.day >= first)
    session.execute(insert(MonthlyScore).from_select(
        ("month", *DIMENSIONS, "question_type", *COUNTS), summed))


def unlinked_pending(session: Session) -> date | None:
    """Return the first month ``unlinked_score`` does not hold exactly (None: every month)."""
    row = session.scalar(select(DailyRollup).where(DailyRollup.id == 1))
    if row is None or row.unlinked_until is None:
        return None
    if row.unlinked_dirty is not None:
        return min(row.unlinked_until, row.unlinked_dirty)
    return row.unlinked_until


def mark_unlinked_dirty(session: Session, days: Iterable[date]) -> None:
    """Note that conversations started on these days became unlinked: their months change."""
    firsts = [day.replace(day=1) for day in days]
    row = session.scalar(select(DailyRollup).where(DailyRollup.id == 1).with_for_update())
    if not firsts or row is None or row.unlinked_until is None:
        return
    first = min(firsts)
    if first < row.unlinked_until:
        row.unlinked_dirty = min(first, row.unlinked_dirty or first)
        session.flush()


def set_unlinked_until(session: Session, until: date, now: datetime) -> None:
    """Record that ``unlinked_score`` holds every month before ``until`` exactly."""
    state = _state(session, now)
    state.unlinked_until, state.unlinked_dirty, state.updated_at = until, None, now
    session.flush()


def _key(row: Sequence[Any]) -> tuple[Any, ...]:
    """Return a count's key with its day as a date (SQLite's ``date()`` gives text)."""
    day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
    return (day, *row[1:6])


def recount(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Return the named counts a full recount from the rows gives (for checks and tests)."""
    return {_key(row): tuple(int(v) for v in row[6:])
            for row in session.execute(named_answers(session, None, None))}


def stored(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Return the stored named counts plus the live tail: what the dashboard counts from."""
    edge = rolled_until(session)
    out: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for row in session.execute(select(DailyScore)).scalars():
        out[(row.day, row.channel, row.survey, row.context, row.service, row.question_type)] = \
            tuple(getattr(row, n) for n in COUNTS)
    for row in session.execute(named_answers(session, edge, None)):
        key, counts = _key(row), tuple(int(v) for v in row[6:])
        out[key] = tuple(a + b for a, b in zip(out.get(key, (0,) * len(COUNTS)), counts,
                                                strict=True))
    return out


def version(session: Session) -> str:
    """Return a short tag that changes whenever an answer is stored (cheap: two index reads)."""
    edge = rolled_until(session)
    tail = select(func.count(), func.max(Answer.id)).where(Answer.question_type.in_(
        (*SCORE_TYPES, "text")))
    if edge is not None:
        tail = tail.where(Answer.created_at >= edge)
    count, last = session.execute(tail).one()
    stamp = int(edge.timestamp()) if edge else 0
    return f"{stamp:x}.{count or 0:x}.{last or 0:x}"
