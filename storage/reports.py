"""Read-only queries for statistics and exports: SQL aggregates and batched reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.metrics import CSAT_SATISFIED_MIN, DETRACTOR_MAX, PROMOTER_MIN, Summary, ces, csat, nps
from storage.models import Answer, Conversation, SurveyVersion


def summary(session: Session, since: datetime | None = None) -> Summary:
    """Return NPS, CSAT and CES over the answers given since ``since`` (all when None)."""
    number = Answer.number
    stmt = (
        select(
            Answer.question_type,
            func.count(number),
            func.sum(number),
            func.sum(case((number >= PROMOTER_MIN, 1), else_=0)),
            func.sum(case((number <= DETRACTOR_MAX, 1), else_=0)),
            func.sum(case((number >= CSAT_SATISFIED_MIN, 1), else_=0)),
        )
        .where(Answer.question_type.in_(("nps", "csat", "ces")), number.is_not(None))
        .group_by(Answer.question_type)
    )
    if since is not None:
        stmt = stmt.where(Answer.created_at >= since)
    rows = {row[0]: [int(v or 0) for v in row[1:]] for row in session.execute(stmt)}
    n_count, _, promoters, detractors, _ = rows.get("nps", [0] * 5)
    c_count, c_sum, _, _, satisfied = rows.get("csat", [0] * 5)
    e_count, e_sum, *_ = rows.get("ces", [0] * 5)
    return Summary(
        nps=nps(promoters, n_count - promoters - detractors, detractors),
        csat=csat(satisfied, c_count, c_sum),
        ces=ces(e_count, e_sum),
    )


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
