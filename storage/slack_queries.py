"""The queries the Slack channel needs beyond the core's: App Home, pulses, per-service results.

Read-mostly helpers over the core's tables (no migration): a person's recent
named feedback, who of a pulse audience is known (and said stop), and the
results per internal service with the small-group rule: a service with fewer
than ``min_anonymous`` anonymous answers (but some) in the period is withheld,
so a handful of anonymous answers cannot be traced back to their authors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from storage import suppression
from storage.db import Executor
from storage.models import Answer, Conversation, Respondent, SurveyVersion

CHANNEL = "slack"
MIN_ANONYMOUS = 5


def chosen_language(session: Executor, user: str) -> str | None:
    """Return the language a Slack user chose explicitly, if they did."""
    return session.scalar(
        select(Respondent.language).where(
            Respondent.channel == CHANNEL, Respondent.external_id == user,
            Respondent.language_chosen.is_(True),
        )
    )


@dataclass(frozen=True)
class Feedback:
    """One completed, named conversation of a person."""

    survey: str
    completed_at: datetime
    values: dict[str, Any]


def recent_feedback(session: Executor, user: str, limit: int = 10) -> list[Feedback]:
    """Return a Slack user's latest completed feedback under their name, newest first."""
    stmt = (
        select(SurveyVersion.key, Conversation.completed_at, Conversation.values)
        .join(Respondent, Respondent.id == Conversation.respondent_id)
        .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
        .where(Respondent.channel == CHANNEL, Respondent.external_id == user,
               Conversation.status == "completed")
        .order_by(Conversation.completed_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [Feedback(key, done, dict(values or {})) for key, done, values in session.execute(stmt)]


@dataclass(frozen=True)
class Known:
    """What the pulse needs to know of a Slack user already in the store."""

    respondent_id: int
    language: str | None
    opted_out: bool
    unreachable: bool


def known_people(session: Session, users: Iterable[str]) -> dict[str, Known]:
    """Return the Slack users among ``users`` who are already respondents."""
    wanted = list(users)
    found: dict[str, Known] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(Respondent).where(Respondent.channel == CHANNEL,
                                        Respondent.external_id.in_(wanted[start:start + 500]))
        for person in session.scalars(stmt):
            found[person.external_id] = Known(person.id, person.language,
                                              person.opted_out_at is not None,
                                              person.unreachable_at is not None)
    return found


def add_person(session: Session, user: str, language: str | None, now: datetime) -> int:
    """Store a new internal Slack respondent (a pulse's recipient) and return its id."""
    person = Respondent(channel=CHANNEL, external_id=user, internal=True, language=language,
                        created_at=now, seen_at=now)
    if suppression.is_suppressed(session, CHANNEL, user):
        person.opted_out_at = now  # said stop, then asked to be forgotten
    session.add(person)
    session.flush()
    return person.id


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
               Conversation.status == "completed", Conversation.completed_at >= since,
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
