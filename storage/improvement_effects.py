"""The counts behind improvements' effects, for one improvement or several in the same queries.

Rows in, counts out: :mod:`bot.announcement_effect` turns them into NPS, CSAT and
CES before and after, and shares of answers. The group of an improvement is the
people behind its accepted links; only their conversations of the linked
conversations' surveys and contexts count (same survey, same contexts), split at
the moment the improvement was published. Asking for five improvements costs the
same three queries as asking for one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from storage.db import Executor
from storage.improvements import linked_people
from storage.models import (
    Answer,
    Conversation,
    Improvement,
    ImprovementLink,
    Reaction,
    SurveyVersion,
)


@dataclass(frozen=True)
class ScoreTally:
    """One improvement's score answers of one type, before or after: count, sum, the two bands."""

    improvement_id: int
    question_type: str
    after: bool
    count: int
    total: int
    high: int
    low: int


def group_scores(session: Executor, ids: Iterable[int],
                 thresholds: Mapping[str, tuple[int, int]]) -> list[ScoreTally]:
    """Tally each published improvement's group scores before and after, in two queries.

    The first reads which surveys and contexts the improvements' links are about (a
    handful of rows), the second tallies the group's answers to those, people first:
    joined in one query the planner crossed every person with every linked kind.
    A draft has no tally. An anonymous link chooses nothing: it may belong to a
    group the rule of five withholds, and the group's scores would tell where it was.
    """
    wanted = list(ids)
    kinds = _linked(session, wanted) if wanted and thresholds else {}
    if not kinds:
        return []
    people = linked_people(wanted)
    after = Conversation.started_at >= Improvement.published_at
    number, kind = Answer.number, Answer.question_type
    high = or_(*(and_(kind == k, number >= h) for k, (h, _low) in thresholds.items()))
    low = or_(*(and_(kind == k, number <= lo) for k, (_high, lo) in thresholds.items()))
    rows = session.execute(
        select(people.c.improvement_id, kind, after, func.count(number), func.sum(number),
               func.sum(case((high, 1), else_=0)), func.sum(case((low, 1), else_=0)))
        .select_from(people)
        .join(Conversation, Conversation.respondent_id == people.c.respondent_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .join(Answer, Answer.conversation_id == Conversation.id)
        .join(Improvement, Improvement.id == people.c.improvement_id)
        .where(_same_kind(people.c.improvement_id, kinds), kind.in_(list(thresholds)),
               number.is_not(None), Improvement.published_at.is_not(None))
        .group_by(people.c.improvement_id, kind, after))
    return [ScoreTally(int(i), str(k), bool(a), int(c or 0), int(t or 0), int(h or 0),
                       int(lo or 0)) for i, k, a, c, t, h, lo in rows]


Kinds = dict[tuple[int, str], set[str | None]]  # (improvement, survey key) -> its contexts


def _linked(session: Executor, ids: list[int]) -> Kinds:
    """Return the surveys and contexts of the improvements' named links, by improvement."""
    kinds: Kinds = {}
    for improvement, key, context in session.execute(
            select(ImprovementLink.improvement_id, SurveyVersion.key, Conversation.context)
            .join(Conversation, ImprovementLink.conversation_id == Conversation.id)
            .join(SurveyVersion, Conversation.survey_version_id == SurveyVersion.id)
            .where(ImprovementLink.improvement_id.in_(ids), ImprovementLink.accepted,
                   Conversation.respondent_id.is_not(None))  # never an anonymous link's
            .distinct()):
        kinds.setdefault((int(improvement), str(key)), set()).add(context)
    return kinds


def _same_kind(improvement: ColumnElement[int], kinds: Kinds) -> ColumnElement[bool]:
    """Return the test that a conversation is of a survey and context its improvement links."""
    tests = []
    for (linked, key), contexts in kinds.items():
        named = sorted(c for c in contexts if c is not None)
        context = Conversation.context.in_(named) if named else None
        if None in contexts:
            none = Conversation.context.is_(None)
            context = none if context is None else or_(context, none)
        tests.append(and_(improvement == linked, SurveyVersion.key == key, context))
    return or_(*tests)


def reaction_counts(session: Executor, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Count the answers to each improvement's announcement, by answer, in one query."""
    wanted = list(ids)
    counts: dict[int, dict[str, int]] = {i: {} for i in wanted}
    if not wanted:
        return counts
    for improvement, answer, count in session.execute(
            select(Reaction.improvement_id, Reaction.answer, func.count())
            .where(Reaction.improvement_id.in_(wanted))
            .group_by(Reaction.improvement_id, Reaction.answer)):
        counts[int(improvement)][str(answer)] = int(count)
    return counts
