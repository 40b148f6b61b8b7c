"""Read-only queries for statistics and exports: SQL aggregates (counts) and batched reads.

Storage counts; the core gives the counts their meaning (:mod:`bot.metrics` turns
them into NPS, CSAT and CES, with its thresholds passed in here).
"""

from __future__ import annotations

from collections.abc import Iterator
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
    """Yield one record per conversation with its answers, oldest first, in batches."""
    last_id = 0
    while True:
        stmt = (
            select(Conversation, SurveyVersion.key, SurveyVersion.hash)
            .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
            .where(Conversation.id > last_id)
            .order_by(Conversation.id)
            .limit(batch)
        )
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
                "started_at": _iso(conversation.started_at),
                "completed_at": _iso(conversation.completed_at),
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


def _iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 timestamp (UTC) or None."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def question_ids(session: Session) -> list[str]:
    """Return every question id that has an answer, sorted (the export's CSV columns)."""
    return list(session.scalars(select(Answer.question_id).distinct().order_by(Answer.question_id)))


@dataclass(frozen=True)
class ServiceResult:
    """One internal service's results over a period; ``shown`` is False when withheld."""

    service: str
    answers: int
    anonymous: int
    average: float | None
    satisfied: float | None
    shown: bool


def service_results(
    session: Session, since: datetime, until: datetime, *, survey: str = "internal",
    service_question: str = "service", rating_question: str = "rating",
    min_anonymous: int = MIN_ANONYMOUS,
) -> list[ServiceResult]:
    """Return each service's rating over [since, until), withholding small anonymous groups."""
    service, rating = aliased(Answer), aliased(Answer)
    anonymous = func.sum(case((Conversation.respondent_id.is_(None), 1), else_=0))
    stmt = (
        select(service.choice, func.count(), anonymous, func.avg(rating.number),
               func.sum(case((rating.number >= 4, 1), else_=0)), func.count(rating.number))
        .select_from(service)
        .join(Conversation, Conversation.id == service.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(rating, and_(rating.conversation_id == service.conversation_id,
                                rating.question_id == rating_question))
        .where(SurveyVersion.key == survey, service.question_id == service_question,
               Conversation.status == ConversationStatus.COMPLETED,
               Conversation.completed_at >= since,
               Conversation.completed_at < until)
        .group_by(service.choice)
        .order_by(service.choice)
    )
    results = []
    for choice, count, anon, average, satisfied, rated in session.execute(stmt):
        anon = int(anon or 0)
        shown = anon == 0 or anon >= min_anonymous
        results.append(ServiceResult(
            service=str(choice), answers=int(count), anonymous=anon,
            average=round(float(average), 2) if shown and average is not None else None,
            satisfied=round(100 * int(satisfied) / int(rated), 1) if shown and rated else None,
            shown=shown,
        ))
    return results
