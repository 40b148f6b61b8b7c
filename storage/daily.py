"""The dashboard's pre-aggregated counts: named scores per day, kept equal to a recount.

``daily_score`` holds, per UTC day, channel, survey, context, internal service,
score type and value, how many answers of conversations linked to a person gave
that score. It covers the answers given before ``daily_rollup.rolled_until`` (a
UTC midnight); the answers given since then (the *live tail*, at most a day and a
few minutes of them) are counted from their rows in the same query, so the
figures are live while a turn writes nothing more than its answer.

- :func:`roll` (the worker, every few minutes) adds the days that closed
  :data:`MARGIN` ago, so an answer still in an open transaction is never missed.
- :func:`rebuild` recounts everything in bulk SQL (``INSERT … SELECT … GROUP BY``):
  after a bulk load, or when an operator asks (``ecoute db aggregates``).
- :func:`recount_days` recounts the days whose answers a change touched:
  :mod:`storage.erasure` calls it after a person is forgotten (their answers are then
  linked to nobody, so they leave the named counts).

Answers linked to nobody are not counted here: the rule of five decides which of
them show (:mod:`bot.small_groups`), from their rows. Both writers of the counts
take the ``daily_rollup`` row ``FOR UPDATE`` first, so a roll and a recount never
interleave on PostgreSQL (SQLite has a single writer anyway).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from storage.filters import ResponseFilter
from storage.models import Answer, Conversation, DailyRollup, DailyScore, SurveyVersion

MARGIN = timedelta(minutes=15)  # longer than any turn's transaction
SCORE_TYPES = ("nps", "csat", "ces")
SERVICE_QUESTION = "service"  # the internal survey's choice of the service rated
DIMENSIONS = ("channel", "survey", "context", "service", "value")


@dataclass(frozen=True)
class ScoreTally:
    """One group's answers of one score type: how many, their sum, how many high and low."""

    key: tuple[Any, ...]
    question_type: str
    count: int
    total: int
    high: int
    low: int


def midnight(moment: datetime) -> datetime:
    """Return the UTC midnight starting ``moment``'s day."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def rolled_until(session: Session, *, lock: bool = False) -> datetime | None:
    """Return up to when the counts are rolled up (None before the first roll)."""
    stmt = select(DailyRollup.rolled_until).where(DailyRollup.id == 1)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def rebuild(session: Session, now: datetime | None = None) -> datetime:
    """Recount every day closed :data:`MARGIN` before ``now`` from the answers; return the edge."""
    edge = midnight((now or datetime.now(UTC)) - MARGIN)
    rolled_until(session, lock=True)
    session.execute(delete(DailyScore))
    _insert_counts(session, None, edge)
    _set_rolled_until(session, edge, now or datetime.now(UTC))
    return edge


def roll(session: Session, now: datetime) -> datetime:
    """Add the days closed since the last roll (a first roll rebuilds); return the edge."""
    current = rolled_until(session, lock=True)
    if current is None:
        return rebuild(session, now)
    edge = midnight(now - MARGIN)
    if edge > current:
        _insert_counts(session, current, edge)
        _set_rolled_until(session, edge, now)
    return max(edge, current)


def recount_days(session: Session, days: Iterable[date]) -> None:
    """Recount the given days from the answers (those already rolled up)."""
    current = rolled_until(session, lock=True)
    wanted = sorted(day for day in set(days) if current is not None and day < current.date())
    for day in wanted:
        session.execute(delete(DailyScore).where(DailyScore.day == day))
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        _insert_counts(session, start, start + timedelta(days=1))


def answer_days(session: Session, conversation_ids: Any) -> set[date]:
    """Return the days on which these conversations (a select of ids) got scores."""
    stmt = select(Answer.created_at).where(Answer.conversation_id.in_(conversation_ids),
                                           Answer.question_type.in_(SCORE_TYPES),
                                           Answer.number.is_not(None))
    return {moment.astimezone(UTC).date() for moment in session.scalars(stmt)}


def _set_rolled_until(session: Session, edge: datetime, now: datetime) -> None:
    """Record up to when the counts are rolled up."""
    row = session.get(DailyRollup, 1)
    if row is None:
        session.add(DailyRollup(id=1, rolled_until=edge, updated_at=now))
    else:
        row.rolled_until, row.updated_at = edge, now
    session.flush()


def _day(session: Session, column: Any) -> Any:
    """Return the UTC day of a timestamp column, in the store's SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _named_answers(session: Session, since: datetime | None, until: datetime | None) -> Any:
    """Return a select of the named score answers given in [since, until), grouped by key."""
    service = aliased(Answer)
    day = _day(session, Answer.created_at)
    columns = (day.label("day"), Conversation.channel.label("channel"),
               SurveyVersion.key.label("survey"),
               func.coalesce(Conversation.context, "").label("context"),
               func.coalesce(service.choice, "").label("service"),
               Answer.question_type.label("question_type"), Answer.number.label("value"))
    stmt = (
        select(*columns, func.count().label("answers"))
        .select_from(Answer)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == Answer.survey_version_id)
        .outerjoin(service, and_(service.conversation_id == Answer.conversation_id,
                                 service.question_id == SERVICE_QUESTION))
        .where(Answer.question_type.in_(SCORE_TYPES), Answer.number.is_not(None),
               Conversation.respondent_id.is_not(None))
        .group_by(*columns)
    )
    if since is not None:
        stmt = stmt.where(Answer.created_at >= since)
    if until is not None:
        stmt = stmt.where(Answer.created_at < until)
    return stmt


def _insert_counts(session: Session, since: datetime | None, until: datetime) -> None:
    """Insert the counts of the named answers given in [since, until): one bulk statement."""
    names = ("day", "channel", "survey", "context", "service", "question_type", "value",
             "answers")
    session.execute(insert(DailyScore).from_select(names, _named_answers(session, since, until)))


def tallies(session: Session, wanted: ResponseFilter, thresholds: dict[str, tuple[int, int]],
            dims: Sequence[str] = (), edges: Sequence[date] | None = None) -> list[ScoreTally]:
    """Count the named scores ``wanted`` covers, grouped by ``dims`` (and buckets of ``edges``).

    ``thresholds`` maps a score type to ``(high_min, low_max)``. ``dims`` are names of
    :data:`DIMENSIONS`; with ``edges`` (days), the key starts with the index of the
    bucket ``[edges[i], edges[i + 1])``. Periods are read in whole UTC days.
    """
    edge = rolled_until(session)
    rolled = select(DailyScore.day, *(getattr(DailyScore, n) for n in DIMENSIONS[:-1]),
                    DailyScore.question_type, DailyScore.value, DailyScore.answers)
    if edge is not None:
        rolled = rolled.where(DailyScore.day < edge.date())
    parts = [_narrowed(rolled, DailyScore, wanted)] if edge is not None else []
    tail = _named_answers(session, edge, None).subquery()
    parts.append(_narrowed(select(tail), tail.c, wanted))
    rows = union_all(*parts).subquery()
    keys = ([_bucket(rows.c.day, edges)] if edges is not None else []) + [
        rows.c[name] for name in dims]
    high = case(*((and_(rows.c.question_type == kind, rows.c.value >= hi), rows.c.answers)
                  for kind, (hi, _lo) in thresholds.items()), else_=0)
    low = case(*((and_(rows.c.question_type == kind, rows.c.value <= lo), rows.c.answers)
                 for kind, (_hi, lo) in thresholds.items()), else_=0)
    stmt = (select(*keys, rows.c.question_type, func.sum(rows.c.answers),
                   func.sum(rows.c.answers * rows.c.value), func.sum(high), func.sum(low))
            .where(rows.c.question_type.in_(list(thresholds)))
            .group_by(*keys, rows.c.question_type))
    width = len(keys)
    return [ScoreTally(tuple(row[:width]), row[width], *(int(v or 0) for v in row[width + 1:]))
            for row in session.execute(stmt)]


def _narrowed(stmt: Any, columns: Any, wanted: ResponseFilter) -> Any:
    """Apply the period (whole days) and the exact-match fields of ``wanted`` to ``stmt``."""
    if wanted.since is not None:
        stmt = stmt.where(columns.day >= wanted.since.astimezone(UTC).date())
    if wanted.until is not None:
        stmt = stmt.where(columns.day < wanted.until.astimezone(UTC).date())
    for name in ("channel", "survey", "context", "service"):
        value = getattr(wanted, name)
        if value is not None:
            stmt = stmt.where(getattr(columns, name) == value)
    return stmt


def _bucket(column: Any, edges: Sequence[date]) -> Any:
    """Return the index of the bucket [edges[i], edges[i + 1]) holding ``column`` (-1: none)."""
    return case(*((column < edge, index - 1) for index, edge in enumerate(edges) if index),
                else_=-1).label("bucket") if len(edges) > 1 else literal(-1).label("bucket")


def _key(row: Sequence[Any]) -> tuple[Any, ...]:
    """Return a count's key with its day as a date (SQLite's ``date()`` gives text)."""
    day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
    return (day, *row[1:-1])


def recount(session: Session) -> dict[tuple[Any, ...], int]:
    """Return the counts a full recount from the rows would give (for checks and tests)."""
    return {_key(row): int(row[-1]) for row in session.execute(_named_answers(session, None, None))}


def stored(session: Session) -> dict[tuple[Any, ...], int]:
    """Return the stored counts plus the live tail: what the dashboard counts from."""
    edge = rolled_until(session)
    out: dict[tuple[Any, ...], int] = {}
    for row in session.execute(select(DailyScore)).scalars():
        out[(row.day, row.channel, row.survey, row.context, row.service, row.question_type,
             row.value)] = row.answers
    for row in session.execute(_named_answers(session, edge, None)):
        key = _key(row)
        out[key] = out.get(key, 0) + int(row[-1])
    return out


__all__: Collection[str] = ("MARGIN", "ScoreTally", "answer_days", "rebuild", "recount",
                            "recount_days", "roll", "rolled_until", "stored", "tallies")


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
