"""Sample data (``ecoute demo``): which respondents and conversations are made up, and counts.

The demo writes its people and conversations like any others (through the
engine) and lists their ids here, so removing it deletes exactly those rows and
what hangs off them (:func:`storage.erasure.remove`), anonymous ones included,
and nothing a real person wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import Answer, Respondent, SampleConversation, SampleRespondent


@dataclass(frozen=True)
class SampleIds:
    """The rows that are sample data."""

    respondents: tuple[int, ...]
    conversations: tuple[int, ...]


def mark(session: Session, *, respondents: Iterable[int] = (),
         conversations: Iterable[int] = ()) -> None:
    """Record rows as sample data (marking one twice changes nothing)."""
    insert = insert_for(session)
    for table, column, ids in ((SampleRespondent, "respondent_id", respondents),
                               (SampleConversation, "conversation_id", conversations)):
        rows = [{column: row_id} for row_id in ids]
        if rows:
            session.execute(insert(table).values(rows).on_conflict_do_nothing())


def ids(session: Session) -> SampleIds:
    """Return the ids of every sample respondent and conversation."""
    return SampleIds(
        tuple(session.scalars(select(SampleRespondent.respondent_id))),
        tuple(session.scalars(select(SampleConversation.conversation_id))),
    )


def sample_answers(session: Session) -> int:
    """Return how many answers belong to sample conversations."""
    return session.scalar(  # type: ignore[return-value]
        select(func.count()).select_from(Answer).join(
            SampleConversation, SampleConversation.conversation_id == Answer.conversation_id))


def real_answers(session: Session) -> int:
    """Return how many answers are not sample data."""
    sample = select(SampleConversation.conversation_id)
    return session.scalar(  # type: ignore[return-value]
        select(func.count()).select_from(Answer).where(Answer.conversation_id.not_in(sample)))


def real_people_among(session: Session, channel: str, external_ids: Iterable[str]) -> list[str]:
    """Return which of these platform ids on ``channel`` are people who are not sample data."""
    sample = select(SampleRespondent.respondent_id)
    return list(session.scalars(select(Respondent.external_id).where(
        Respondent.channel == channel, Respondent.external_id.in_(list(external_ids)),
        Respondent.id.not_in(sample))))
