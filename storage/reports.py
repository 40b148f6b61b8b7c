"""Read-only queries for statistics and exports: SQL aggregates (counts) and batched reads.

Storage counts; the core gives the counts their meaning (:mod:`bot.metrics` turns
them into NPS, CSAT and CES, with its thresholds passed in here) and decides
what may be shown of anonymous answers (:mod:`bot.small_groups`, on buckets
whose edges are passed in here).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from storage.models import Answer, Conversation, SurveyVersion
from storage.vocabulary import ConversationStatus

MIN_ANONYMOUS = 5  # the smallest group of anonymous answers ever shown


@dataclass(frozen=True)
class ScoreCounts:
    """Counts of one score type's answers: how many, their sum, and how many in each band."""

    count: int = 0
    total: int = 0
    high: int = 0  # at least ``high_min``: promoters (NPS), satisfied (CSAT)
    low: int = 0  # at most ``low_max``: detractors (NPS)


def score_counts(
    session: Session, thresholds: dict[str, tuple[int, int]], since: datetime | None = None,
) -> dict[str, ScoreCounts]:
    """Count the answers of each score type since ``since`` (all when None).

    ``thresholds`` maps a question type to ``(high_min, low_max)``: the bands to count.
    """
    number = Answer.number
    counts: dict[str, ScoreCounts] = {}
    for kind, (high_min, low_max) in thresholds.items():
        stmt = select(
            func.count(number), func.sum(number),
            func.sum(case((number >= high_min, 1), else_=0)),
            func.sum(case((number <= low_max, 1), else_=0)),
        ).where(Answer.question_type == kind, number.is_not(None))
        if since is not None:
            stmt = stmt.where(Answer.created_at >= since)
        row = session.execute(stmt).one()
        counts[kind] = ScoreCounts(*(int(v or 0) for v in row))
    return counts


def conversations(
    session: Session, since: datetime | None = None, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """Yield one record per conversation with its answers, in batches, in id order.

    Anonymous rows have random negative ids (:mod:`storage.anonymous`): they come
    first, in no meaningful order. ``anonymous`` marks rows linked to nobody.
    """
    last_id: int | None = None
    while True:
        stmt = (
            select(Conversation, SurveyVersion.key, SurveyVersion.hash)
            .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
            .order_by(Conversation.id)
            .limit(batch)
        )
        if last_id is not None:
            stmt = stmt.where(Conversation.id > last_id)
        if since is not None:
            stmt = stmt.where(Conversation.started_at >= since)
        rows = session.execute(stmt).all()
        if not rows:
            return
        ids = [row[0].id for row in rows]
        answers = _answers(session, ids)
        for conversation, key, digest in rows:
            yield {
                "id": conversation.public_id,
                "channel": conversation.channel,
                "survey": key,
                "survey_version": digest[:12],
                "language": conversation.language,
                "status": conversation.status,
                "context": conversation.context,
                "anonymous": conversation.respondent_id is None,
                "started_at": iso(conversation.started_at),
                "completed_at": iso(conversation.completed_at),
                "answers": answers.get(conversation.id, {}),
            }
        last_id = ids[-1]


def _answers(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return question id -> typed value for each conversation id."""
    stmt = (
        select(Answer.conversation_id, Answer.question_id, Answer.number, Answer.choice,
               Answer.text)
        .where(Answer.conversation_id.in_(ids))
        .order_by(Answer.id)
    )
    out: dict[int, dict[str, Any]] = {}
    for conversation_id, question_id, number, choice, text in session.execute(stmt):
        value = number if number is not None else (choice if choice is not None else text)
        out.setdefault(conversation_id, {})[question_id] = value
    return out


def iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 timestamp (UTC) or None."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def question_ids(session: Session) -> list[str]:
    """Return every question id that has an answer, sorted (the export's CSV columns)."""
    return list(session.scalars(select(Answer.question_id).distinct().order_by(Answer.question_id)))


@dataclass(frozen=True)
class Tally:
    """A group's rated answers: how many, their sum, how many satisfied (4-5), how many rated."""

    answers: int = 0
    total: int = 0
    satisfied: int = 0
    rated: int = 0

    def __add__(self, other: Tally) -> Tally:
        """Return the tally of both groups together."""
        return Tally(self.answers + other.answers, self.total + other.total,
                     self.satisfied + other.satisfied, self.rated + other.rated)


@dataclass(frozen=True)
class ServiceTally:
    """One service's answers in one bucket (an index into the edges), named and anonymous apart."""

    bucket: int
    service: str
    named: Tally
    anonymous: Tally


def _bucket(column: Any, edges: Sequence[datetime]) -> Any:
    """Return the index of the bucket [edges[i], edges[i + 1]) holding ``column``."""
    return case(*((column < edge, index) for index, edge in enumerate(edges[1:])), else_=-1)


def service_tallies(
    session: Session, edges: Sequence[datetime], *, survey: str = "internal",
    service_question: str = "service", rating_question: str = "rating",
) -> list[ServiceTally]:
    """Count each service's completed answers per bucket between consecutive ``edges``."""
    service, rating = aliased(Answer), aliased(Answer)
    rows = (
        select(service.choice.label("service"), rating.number.label("number"),
               case((Conversation.respondent_id.is_(None), 1), else_=0).label("anonymous"),
               _bucket(Conversation.completed_at, edges).label("bucket"))
        .select_from(service)
        .join(Conversation, Conversation.id == service.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(rating, and_(rating.conversation_id == service.conversation_id,
                                rating.question_id == rating_question))
        .where(SurveyVersion.key == survey, service.question_id == service_question,
               Conversation.status == ConversationStatus.COMPLETED,
               Conversation.completed_at >= edges[0], Conversation.completed_at < edges[-1])
        .subquery()
    )
    stmt = (
        select(rows.c.bucket, rows.c.service, rows.c.anonymous, func.count(),
               func.sum(rows.c.number), func.sum(case((rows.c.number >= 4, 1), else_=0)),
               func.count(rows.c.number))
        .group_by(rows.c.bucket, rows.c.service, rows.c.anonymous)
        .order_by(rows.c.bucket, rows.c.service)
    )
    tallies: dict[tuple[int, str], dict[bool, Tally]] = {}
    for bucket, choice, anonymous, count, total, satisfied, rated in session.execute(stmt):
        tally = Tally(int(count), int(total or 0), int(satisfied or 0), int(rated))
        tallies.setdefault((int(bucket), str(choice)), {})[bool(anonymous)] = tally
    return [ServiceTally(bucket, choice, kinds.get(False, Tally()), kinds.get(True, Tally()))
            for (bucket, choice), kinds in tallies.items()]


def first_anonymous(session: Session, since: datetime | None = None) -> datetime | None:
    """Return when the first conversation linked to nobody started (since ``since``)."""
    stmt = select(func.min(Conversation.started_at)).where(Conversation.respondent_id.is_(None))
    if since is not None:
        stmt = stmt.where(Conversation.started_at >= since)
    return session.scalar(stmt)


def anonymous_counts(session: Session, edges: Sequence[datetime]) -> dict[tuple[str, int], int]:
    """Count conversations linked to nobody by (survey key, bucket index), by start time."""
    rows = (
        select(SurveyVersion.key.label("survey"),
               _bucket(Conversation.started_at, edges).label("bucket"))
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .where(Conversation.respondent_id.is_(None), Conversation.started_at >= edges[0],
               Conversation.started_at < edges[-1])
        .subquery()
    )
    stmt = select(rows.c.survey, rows.c.bucket, func.count()).group_by(rows.c.survey,
                                                                       rows.c.bucket)
    return {(str(key), int(bucket)): int(count) for key, bucket, count in session.execute(stmt)}
