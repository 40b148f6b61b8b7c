"""Reads of the response browser: a :class:`ResponseFilter` turned into SQL, pages by key.

Storage knows rows, not meaning: the score bands' thresholds come from the core
(:data:`bot.metrics.THRESHOLDS`), and which conversations linked to nobody may be
shown, and when they are placed, is the core's rule (:mod:`bot.responses`). So the
period of named conversations is the filter's own, while the span of unlinked ones
is handed in (whole calendar buckets).

Paging is by key, ``(started_at, id)``, walked on the index of migration 0008: a
page costs the same at the millionth conversation as at the first. Filters that
need the answers (band, comment, service, text) are checked per conversation while
walking, and a walk examines at most :data:`SCAN` conversations: a page of a rare
search ends early and says where it stopped, so no request reads the whole table.
Text search is a case-insensitive ``LIKE`` on the free-text answers, portable to
SQLite (whose ``lower()`` folds ASCII letters only) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true, tuple_

from storage.db import Executor
from storage.filters import Band, ResponseFilter
from storage.models import Answer, Conversation, Respondent, SurveyVersion

SCAN = 20_000  # the most conversations one page examines
SCORE_TYPES = ("nps", "csat", "ces")
Thresholds = Mapping[str, tuple[int, int]]  # per score type: (high band's min, low band's max)
Span = tuple[datetime | None, datetime | None]  # [since, until), either open


@dataclass(frozen=True)
class Listed:
    """One conversation of a page, as stored (the core masks unlinked ones)."""

    id: int
    public_id: str
    started_at: datetime
    completed_at: datetime | None
    channel: str
    survey: str
    survey_hash: str
    language: str
    status: str
    context: str | None
    linked: bool
    external_id: str | None


@dataclass(frozen=True)
class Walk:
    """A walk's rows, and where it stopped early (None when it saw every candidate)."""

    rows: list[Listed]
    stopped_at: tuple[datetime, int] | None


def _text_answer(*extra: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return "the conversation has a free-text answer" (with ``extra`` conditions)."""
    return exists().where(Answer.conversation_id == Conversation.id,
                          Answer.question_type == "text", Answer.text.is_not(None),
                          Answer.text != "", *extra)


def _band(band: Band, thresholds: Thresholds) -> ColumnElement[bool]:
    """Return "the conversation's score falls in ``band``" over every score type."""
    per_type = []
    for kind, (high_min, low_max) in thresholds.items():
        number = Answer.number
        within = {Band.PROMOTER: number >= high_min, Band.DETRACTOR: number <= low_max,
                  Band.PASSIVE: and_(number > low_max, number < high_min)}[band]
        per_type.append(and_(Answer.question_type == kind, within))
    return exists().where(Answer.conversation_id == Conversation.id, Answer.number.is_not(None),
                          or_(*per_type) if per_type else false())


def _words(text: str) -> list[str]:
    """Return the distinct words of a search, lower-cased (at most ten)."""
    return list(dict.fromkeys(text.lower().split()))[:10]


def answer_conditions(wanted: ResponseFilter, thresholds: Thresholds) -> list[ColumnElement[bool]]:
    """Return the conditions that look into a conversation's answers."""
    found: list[ColumnElement[bool]] = []
    if wanted.band is not None:
        found.append(_band(wanted.band, thresholds))
    if wanted.has_comment is not None:
        found.append(_text_answer() if wanted.has_comment else ~_text_answer())
    if wanted.service is not None:
        found.append(exists().where(Answer.conversation_id == Conversation.id,
                                    Answer.question_id == "service",
                                    Answer.choice == wanted.service))
    for word in _words(wanted.text or ""):
        found.append(_text_answer(func.lower(Answer.text).contains(word, autoescape=True)))
    return found


def row_conditions(wanted: ResponseFilter) -> list[ColumnElement[bool]]:
    """Return the conditions on the conversation's own columns (the period aside)."""
    found: list[ColumnElement[bool]] = []
    if wanted.channel is not None:
        found.append(Conversation.channel == wanted.channel)
    if wanted.context is not None:
        found.append(Conversation.context == wanted.context)
    if wanted.survey is not None:
        found.append(Conversation.survey_version_id.in_(
            select(SurveyVersion.id).where(SurveyVersion.key == wanted.survey)))
    return found


def within(span: Span) -> ColumnElement[bool]:
    """Return "started in [since, until)"."""
    since, until = span
    return and_(Conversation.started_at >= since if since else true(),
                Conversation.started_at < until if until else true())


def matching(wanted: ResponseFilter, thresholds: Thresholds,
             unlinked: Span | None) -> ColumnElement[bool]:
    """Return the whole filter: named conversations in its period, unlinked ones in ``unlinked``.

    ``unlinked`` None leaves every conversation linked to nobody out.
    """
    named = and_(Conversation.respondent_id.is_not(None), within((wanted.since, wanted.until)))
    nobody = and_(Conversation.respondent_id.is_(None), within(unlinked)) \
        if unlinked is not None else false()
    return and_(or_(named, nobody), *row_conditions(wanted),
                *answer_conditions(wanted, thresholds))


def _listing() -> Any:
    """Return the select of a page's columns."""
    return (select(Conversation.id, Conversation.public_id, Conversation.started_at,
                   Conversation.completed_at, Conversation.channel, SurveyVersion.key,
                   SurveyVersion.hash, Conversation.language, Conversation.status,
                   Conversation.context, Conversation.respondent_id.is_not(None),
                   Respondent.external_id)
            .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
            .outerjoin(Respondent, Respondent.id == Conversation.respondent_id))


def _listed(rows: Iterable[Sequence[Any]]) -> list[Listed]:
    """Return the rows as :class:`Listed`."""
    return [Listed(*row) for row in rows]


def named_walk(executor: Executor, wanted: ResponseFilter, thresholds: Thresholds, *,
               after: tuple[datetime, int] | None, older: bool, limit: int,
               scan: int = SCAN) -> Walk:
    """Return up to ``limit`` named conversations past ``after``, newest first when ``older``.

    With filters beyond the period, at most ``scan`` conversations of the period are
    examined; when the page is not full by then, ``stopped_at`` is the last key examined.
    """
    key = tuple_(Conversation.started_at, Conversation.id)
    order = (Conversation.started_at.desc(), Conversation.id.desc()) if older else \
        (Conversation.started_at.asc(), Conversation.id.asc())
    walked = [Conversation.respondent_id.is_not(None), within((wanted.since, wanted.until))]
    if after is not None:
        walked.append(key < tuple_(*after) if older else key > tuple_(*after))
    checks = row_conditions(wanted) + answer_conditions(wanted, thresholds)
    boundary = None
    if checks:
        boundary = executor.execute(select(Conversation.started_at, Conversation.id)
                                    .where(*walked).order_by(*order).offset(scan - 1)
                                    .limit(1)).first()
        if boundary is not None:
            walked.append(key >= tuple_(*boundary) if older else key <= tuple_(*boundary))
    rows = _listed(executor.execute(_listing().where(*walked, *checks).order_by(*order)
                                    .limit(limit)).all())
    stopped = (boundary[0], boundary[1]) if boundary is not None and len(rows) < limit else None
    return Walk(rows, stopped)


def unlinked_edge(executor: Executor, wanted: ResponseFilter, thresholds: Thresholds,
                  span: Span, *, older: bool) -> datetime | None:
    """Return the latest (``older``) or earliest start of a matching unlinked conversation."""
    moment = func.max(Conversation.started_at) if older else func.min(Conversation.started_at)
    return executor.execute(select(moment).where(  # type: ignore[no-any-return]
        Conversation.respondent_id.is_(None), within(span), *row_conditions(wanted),
        *answer_conditions(wanted, thresholds))).scalar()


def unlinked_in(executor: Executor, wanted: ResponseFilter, thresholds: Thresholds,
                span: Span) -> list[Listed]:
    """Return the matching conversations linked to nobody that started in ``span``."""
    return _listed(executor.execute(_listing().where(
        Conversation.respondent_id.is_(None), within(span), *row_conditions(wanted),
        *answer_conditions(wanted, thresholds))).all())


def export_batch(executor: Executor, condition: ColumnElement[bool], after_id: int | None,
                 batch: int) -> list[Listed]:
    """Return the next ``batch`` matching conversations in id order, after ``after_id``."""
    stmt = _listing().where(condition).order_by(Conversation.id).limit(batch)
    if after_id is not None:
        stmt = stmt.where(Conversation.id > after_id)
    return _listed(executor.execute(stmt).all())


def by_public_id(executor: Executor, public_id: str) -> Listed | None:
    """Return one conversation by its public id, or None."""
    rows = _listed(executor.execute(_listing().where(Conversation.public_id == public_id)))
    return rows[0] if rows else None


@dataclass(frozen=True)
class AnswerValue:
    """One answer of a listed conversation: question id and type, and the typed value."""

    question_id: str
    question_type: str
    value: int | str | None


def answers_of(executor: Executor, ids: Sequence[int]) -> dict[int, list[AnswerValue]]:
    """Return each conversation's answers, in the order given."""
    if not ids:
        return {}
    found: dict[int, list[AnswerValue]] = {}
    for conversation_id, question_id, kind, number, choice, text in executor.execute(
        select(Answer.conversation_id, Answer.question_id, Answer.question_type, Answer.number,
               Answer.choice, Answer.text)
        .where(Answer.conversation_id.in_(list(ids))).order_by(Answer.created_at, Answer.id)
    ):
        value = number if number is not None else (choice if choice is not None else text)
        found.setdefault(conversation_id, []).append(AnswerValue(question_id, kind, value))
    return found


def count_answers(executor: Executor) -> int:
    """Count every answer: the benchmark's baseline (a plain ``SELECT count(*)``)."""
    return int(executor.execute(select(func.count()).select_from(Answer)).scalar() or 0)
