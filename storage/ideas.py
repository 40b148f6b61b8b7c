"""Employees' ideas as stored: adding, supporting, deciding, erasing, counting, who to thank.

Rows in, rows out: :mod:`bot.ideas` decides what may be done and says it. An
anonymous idea is written with a random negative id and no author (the caller
cuts its time to the hour); a signed one takes the table's next id. A support is
unique per (idea, person), so a second tap adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, func, insert, literal, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from storage.anonymous import random_id
from storage.db import Executor
from storage.models import Idea, IdeaSupport, Respondent
from storage.vocabulary import IdeaStatus


@dataclass(frozen=True)
class IdeaRow:
    """An idea as staff and the App Home read it (``author``: the signed author's platform id)."""

    id: int
    text: str | None
    service: str | None
    signed: bool
    author: str | None
    status: str
    tags: tuple[str, ...]
    decline_reason: str | None
    merged_into_id: int | None
    improvement_id: int | None
    created_at: datetime
    supporters: int


def add(session: Executor, *, text: str, service: str | None, author_id: int | None,
        now: datetime) -> int:
    """Store a new idea; anonymous (no author) gets a random negative id. Return its id."""
    values: dict[str, Any] = {"text": text, "service": service, "signed": author_id is not None,
                              "author_id": author_id, "status": IdeaStatus.NEW, "tags": [],
                              "created_at": now}
    if author_id is None:
        values["id"] = random_id()
    return int(session.execute(insert(Idea).values(**values).returning(Idea.id)).scalar_one())


def _listing() -> Select[Any]:
    """Return the select of ideas with their author's platform id and supporters' count."""
    counted = (select(func.count(IdeaSupport.id)).where(IdeaSupport.idea_id == Idea.id)
               .correlate(Idea).scalar_subquery())
    return (select(Idea.id, Idea.text, Idea.service, Idea.signed, Respondent.external_id,
                   Idea.status, Idea.tags, Idea.decline_reason, Idea.merged_into_id,
                   Idea.improvement_id, Idea.created_at, counted)
            .outerjoin(Respondent, Respondent.id == Idea.author_id))


def _row(row: Any) -> IdeaRow:
    """Return one listing row as an :class:`IdeaRow`."""
    values = list(row)
    values[6] = tuple(values[6] or ())
    return IdeaRow(*values)


def listing(session: Executor, *, status: str | None = None, service: str | None = None,
            limit: int = 200) -> list[IdeaRow]:
    """Return ideas, newest first (to the hour for anonymous ones), optionally narrowed."""
    stmt = _listing().order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Idea.status == status)
    if service is not None:
        stmt = stmt.where(Idea.service == service)
    return [_row(row) for row in session.execute(stmt)]


def find(session: Executor, idea_id: int) -> IdeaRow | None:
    """Return the idea with this id, or None."""
    row = session.execute(_listing().where(Idea.id == idea_id)).one_or_none()
    return None if row is None else _row(row)


def supported_by(session: Executor, respondent_id: int, idea_ids: Sequence[int]) -> set[int]:
    """Return which of ``idea_ids`` this person supports."""
    return set(session.scalars(select(IdeaSupport.idea_id).where(
        IdeaSupport.respondent_id == respondent_id, IdeaSupport.idea_id.in_(list(idea_ids)))))


def support(session: Executor, idea_id: int, respondent_id: int, now: datetime) -> bool:
    """Add one person's support (once); return whether it is new."""
    try:
        with session.begin_nested():
            session.execute(insert(IdeaSupport).values(
                idea_id=idea_id, respondent_id=respondent_id, created_at=now))
    except IntegrityError:
        return False
    return True


def set_tags(session: Executor, idea_id: int, tags: Sequence[str]) -> None:
    """Replace an idea's tags."""
    session.execute(update(Idea).where(Idea.id == idea_id).values(tags=list(tags)))


def decline(session: Executor, idea_id: int, reason: str) -> None:
    """Mark an idea declined, with the reason staff gave."""
    session.execute(update(Idea).where(Idea.id == idea_id).values(
        status=IdeaStatus.DECLINED, decline_reason=reason))


def link_improvement(session: Executor, idea_id: int, improvement_id: int) -> None:
    """Mark an idea done: it became this improvement."""
    session.execute(update(Idea).where(Idea.id == idea_id).values(
        status=IdeaStatus.DONE, improvement_id=improvement_id))


def merge(session: Executor, duplicate_id: int, into_id: int, now: datetime) -> None:
    """Merge a duplicate into an idea: its supporters (and its signed author) back the other.

    Nobody backs an idea twice, and an idea's own author does not become its supporter.
    """
    target = aliased(Idea)
    backers = union(
        select(IdeaSupport.respondent_id.label("rid")).where(IdeaSupport.idea_id == duplicate_id),
        select(Idea.author_id.label("rid")).where(Idea.id == duplicate_id,
                                                  Idea.author_id.is_not(None)),
    ).subquery()
    already = exists().where(IdeaSupport.idea_id == into_id,
                             IdeaSupport.respondent_id == backers.c.rid)
    own = exists().where(target.id == into_id, target.author_id == backers.c.rid)
    session.execute(insert(IdeaSupport).from_select(
        ["idea_id", "respondent_id", "created_at"],
        select(literal(into_id), backers.c.rid, literal(now, Idea.created_at.type))
        .where(~already, ~own)))
    session.execute(update(Idea).where(Idea.id == duplicate_id).values(
        status=IdeaStatus.MERGED, merged_into_id=into_id))


def to_thank(improvement_id: int) -> Select[tuple[int]]:
    """Return a query of the people to thank for an improvement, each once.

    The signed authors of the ideas it was made from, and their supporters (a
    merged duplicate's supporters and author were carried over when merging).
    Someone forgotten is in neither table any more.
    """
    ideas = select(Idea.id).where(Idea.improvement_id == improvement_id)
    people = union(
        select(Idea.author_id.label("respondent_id")).where(
            Idea.improvement_id == improvement_id, Idea.author_id.is_not(None)),
        select(IdeaSupport.respondent_id.label("respondent_id")).where(
            IdeaSupport.idea_id.in_(ideas)),
    ).subquery()
    return select(people.c.respondent_id)


def forget_person(session: Executor, respondent_id: int) -> None:
    """Erase a person from ideas: their supports go; their signed ideas lose author and words."""
    session.execute(delete(IdeaSupport).where(IdeaSupport.respondent_id == respondent_id))
    session.execute(update(Idea).where(Idea.author_id == respondent_id).values(
        author_id=None, text=None))


def received(session: Executor, since: datetime, until: datetime,
             service: str | None = None) -> dict[str, int]:
    """Return how many ideas arrived in [since, until), by service ("" for none)."""
    stmt = (select(Idea.service, func.count(Idea.id))
            .where(Idea.created_at >= since, Idea.created_at < until).group_by(Idea.service))
    if service is not None:
        stmt = stmt.where(Idea.service == service)
    return {name or "": int(count) for name, count in session.execute(stmt)}


@dataclass(frozen=True)
class Person:
    """Someone to thank, as the delivery rules see them."""

    respondent_id: int
    channel: str
    language: str | None
    opted_out: bool
    unreachable: bool
    consented: bool


def people_to_thank(session: Executor, improvement_id: int) -> list[Person]:
    """Return the people of :func:`to_thank` with what the delivery rules need, by id."""
    wanted = to_thank(improvement_id).subquery()
    stmt = (select(Respondent.id, Respondent.channel, Respondent.language,
                   Respondent.opted_out_at.is_not(None), Respondent.unreachable_at.is_not(None),
                   Respondent.consent_at.is_not(None))
            .join(wanted, wanted.c.respondent_id == Respondent.id).order_by(Respondent.id))
    return [Person(*row) for row in session.execute(stmt)]
