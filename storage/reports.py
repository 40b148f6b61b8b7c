"""Read-only queries for statistics and exports: SQL aggregates (counts) and batched reads.

Storage counts; the core gives the counts their meaning (:mod:`bot.metrics` turns
them into NPS, CSAT and CES, with its thresholds passed in here) and decides
what may be shown of anonymous answers (:mod:`bot.small_groups`, on buckets
whose edges are passed in here).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from storage.daily import ScoreRow
from storage.filters import ResponseFilter
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
    *, visible: Collection[str] | None = None,
) -> dict[str, ScoreCounts]:
    """Count the answers of each score type since ``since`` (all when None).

    ``thresholds`` maps a question type to ``(high_min, low_max)``: the bands to count.
    With ``visible``, answers linked to nobody count only when their conversation's
    public id is in it (whatever ``since`` says: the caller chose them).
    """
    number = Answer.number
    counts: dict[str, ScoreCounts] = {}
    for kind, (high_min, low_max) in thresholds.items():
        stmt = select(
            func.count(number), func.sum(number),
            func.sum(case((number >= high_min, 1), else_=0)),
            func.sum(case((number <= low_max, 1), else_=0)),
        ).where(Answer.question_type == kind, number.is_not(None))
        named = Answer.created_at >= since if since is not None else true()
        if visible is not None:
            stmt = stmt.join(Conversation, Conversation.id == Answer.conversation_id).where(or_(
                and_(Conversation.respondent_id.is_not(None), named),
                Conversation.public_id.in_(list(visible))))
        elif since is not None:
            stmt = stmt.where(named)
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
    """One service's answers in one bucket (an index into the edges), by kind.

    ``anonymous`` counts the answers linked to nobody that the caller lets show;
    ``hidden`` how many others there are.
    """

    bucket: int
    service: str
    named: Tally
    anonymous: Tally
    hidden: int


def _bucket(column: Any, edges: Sequence[datetime]) -> Any:
    """Return the index of the bucket [edges[i], edges[i + 1]) holding ``column``."""
    return case(*((column < edge, index) for index, edge in enumerate(edges[1:])), else_=-1)


def service_tallies(
    session: Session, edges: Sequence[datetime], *, visible: Collection[str],
    survey: str = "internal", service_question: str = "service", rating_question: str = "rating",
) -> list[ServiceTally]:
    """Count each service's completed answers per bucket between consecutive ``edges``.

    Answers linked to nobody count as anonymous when their conversation's public
    id is in ``visible``, else as hidden.
    """
    service, rating = aliased(Answer), aliased(Answer)
    kind = case((Conversation.respondent_id.is_not(None), 0),
                (Conversation.public_id.in_(list(visible)), 1), else_=2)
    rows = (
        select(service.choice.label("service"), rating.number.label("number"),
               kind.label("kind"), _bucket(Conversation.completed_at, edges).label("bucket"))
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
        select(rows.c.bucket, rows.c.service, rows.c.kind, func.count(),
               func.sum(rows.c.number), func.sum(case((rows.c.number >= 4, 1), else_=0)),
               func.count(rows.c.number))
        .group_by(rows.c.bucket, rows.c.service, rows.c.kind)
        .order_by(rows.c.bucket, rows.c.service)
    )
    tallies: dict[tuple[int, str], dict[int, Tally]] = {}
    for bucket, choice, kind_, count, total, satisfied, rated in session.execute(stmt):
        tally = Tally(int(count), int(total or 0), int(satisfied or 0), int(rated))
        tallies.setdefault((int(bucket), str(choice)), {})[int(kind_)] = tally
    return [ServiceTally(bucket, choice, kinds.get(0, Tally()), kinds.get(1, Tally()),
                         kinds.get(2, Tally()).answers)
            for (bucket, choice), kinds in tallies.items()]


@dataclass(frozen=True)
class Unlinked:
    """A conversation linked to nobody: its survey, start and closed answers (option ids)."""

    public_id: str
    survey: str
    started_at: datetime
    choices: tuple[tuple[str, str], ...]


def unlinked_conversations(session: Session, since: datetime | None = None,
                           until: datetime | None = None) -> list[Unlinked]:
    """Return the conversations linked to nobody (anonymous, or of someone forgotten) started
    in [since, until) (either may be open).
    """
    stmt = (
        select(Conversation.public_id, SurveyVersion.key, Conversation.started_at,
               Answer.question_id, Answer.choice)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .outerjoin(Answer, and_(Answer.conversation_id == Conversation.id,
                                Answer.choice.is_not(None)))
        .where(Conversation.respondent_id.is_(None))
        .order_by(Conversation.id, Answer.question_id)
    )
    if since is not None:
        stmt = stmt.where(Conversation.started_at >= since)
    if until is not None:
        stmt = stmt.where(Conversation.started_at < until)
    found: dict[str, tuple[str, datetime, list[tuple[str, str]]]] = {}
    for public_id, key, started, question_id, choice in session.execute(stmt):
        entry = found.setdefault(public_id, (key, started, []))
        if question_id is not None:
            entry[2].append((question_id, choice))
    return [Unlinked(public_id, key, started, tuple(choices))
            for public_id, (key, started, choices) in found.items()]


def unlinked_rows(
    session: Session, visible: Collection[str], wanted: ResponseFilter, dims: Sequence[str] = (),
    edges: Sequence[datetime] | None = None, batch: int = 500,
) -> list[ScoreRow]:
    """Count the scores of the visible conversations linked to nobody, grouped by ``dims``.

    Every answer of a visible conversation counts, whenever it was given: the rule
    of five places such conversations by the calendar bucket they started in (with
    ``edges``, the key starts with that bucket's index). The caller chose ``visible``;
    the exact-match fields of ``wanted`` apply here.
    """
    if not visible:
        return []
    service = aliased(Answer)
    columns = {"channel": Conversation.channel, "survey": SurveyVersion.key,
               "context": func.coalesce(Conversation.context, ""),
               "service": func.coalesce(service.choice, "")}
    bucket = (_bucket(Conversation.started_at, edges) if edges and len(edges) > 1
              else literal(-1))
    keys = ([bucket] if edges is not None else []) + [columns[name] for name in dims]
    histogram = [func.sum(case((Answer.number == value, 1), else_=0)) for value in range(11)]
    totals: dict[tuple[Any, ...], list[int]] = {}
    ids = sorted(visible)
    for start in range(0, len(ids), batch):
        stmt = (
            select(*keys, Answer.question_type, *histogram)
            .select_from(Answer)
            .join(Conversation, Conversation.id == Answer.conversation_id)
            .join(SurveyVersion, SurveyVersion.id == Answer.survey_version_id)
            .outerjoin(service, and_(service.conversation_id == Answer.conversation_id,
                                     service.question_id == "service"))
            .where(Answer.question_type.in_(("nps", "csat", "ces")), Answer.number.is_not(None),
                   Conversation.respondent_id.is_(None),
                   Conversation.public_id.in_(ids[start:start + batch]))
            .group_by(*keys, Answer.question_type)
        )
        for name in ("channel", "survey", "context", "service"):
            if getattr(wanted, name) is not None:
                stmt = stmt.where(columns[name] == getattr(wanted, name))
        for row in session.execute(stmt):
            counts = totals.setdefault(tuple(row[:len(keys) + 1]), [0] * 11)
            for index, value in enumerate(row[len(keys) + 1:]):
                counts[index] += int(value or 0)
    return [ScoreRow(key[:-1], key[-1], tuple(counts)) for key, counts in totals.items()]


@dataclass(frozen=True)
class Comment:
    """A free-text answer shown on the dashboard, with its conversation and score."""

    conversation: str
    channel: str
    survey: str
    score: int
    text: str
    at: datetime


def detractor_comments(session: Session, wanted: ResponseFilter, low_max: int,
                       limit: int = 10, score_type: str = "nps") -> list[Comment]:
    """Return the latest comments of named conversations whose score is at most ``low_max``."""
    score, comment = aliased(Answer), aliased(Answer)
    stmt = (
        select(Conversation.public_id, Conversation.channel, SurveyVersion.key, score.number,
               comment.text, comment.created_at)
        .select_from(comment)
        .join(score, and_(score.conversation_id == comment.conversation_id,
                          score.question_type == score_type, score.number <= low_max))
        .join(Conversation, Conversation.id == comment.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == comment.survey_version_id)
        .where(comment.question_type == "text", comment.text.is_not(None),
               Conversation.respondent_id.is_not(None))
        .order_by(comment.created_at.desc(), comment.id.desc())
        .limit(limit)
    )
    return [Comment(*row) for row in session.execute(_narrow(stmt, comment, wanted))]


def comment_texts(session: Session, wanted: ResponseFilter, limit: int) -> list[tuple[str, str]]:
    """Return the latest ``limit`` named free-text answers of the period, with their language."""
    comment = aliased(Answer)
    stmt = (
        select(comment.text, Conversation.language)
        .select_from(comment)
        .join(Conversation, Conversation.id == comment.conversation_id)
        .join(SurveyVersion, SurveyVersion.id == comment.survey_version_id)
        .where(comment.question_type == "text", comment.text.is_not(None),
               Conversation.respondent_id.is_not(None))
        .order_by(comment.created_at.desc())
        .limit(limit)
    )
    return [(text, language or "") for text, language in session.execute(
        _narrow(stmt, comment, wanted))]


def _narrow(stmt: Any, answer: Any, wanted: ResponseFilter) -> Any:
    """Apply ``wanted``'s period (by the answer's time) and exact-match fields to ``stmt``."""
    if wanted.since is not None:
        stmt = stmt.where(answer.created_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(answer.created_at < wanted.until)
    for name in ("channel", "context"):
        value = getattr(wanted, name)
        if value is not None:
            stmt = stmt.where(getattr(Conversation, name) == value)
    if wanted.survey is not None:
        stmt = stmt.where(SurveyVersion.key == wanted.survey)
    if wanted.service is not None:
        rated = aliased(Answer)
        stmt = stmt.where(select(rated.id).where(
            rated.conversation_id == answer.conversation_id, rated.question_id == "service",
            rated.choice == wanted.service).exists())
    return stmt


def first_unlinked_start(session: Session) -> datetime | None:
    """Return when the first conversation linked to nobody started (None when there is none)."""
    return session.scalar(select(func.min(Conversation.started_at))
                          .where(Conversation.respondent_id.is_(None)))
