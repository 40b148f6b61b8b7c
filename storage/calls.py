"""Calls for participants: the calls, who answered what, the audience, and the standing panel.

Places are given first come, first served, even with several workers answering in
the same second: :func:`take_place` locks the call's row (``SELECT … FOR UPDATE``;
SQLite has one writer at a time, which gives the same order), counts the confirmed
places and adds the answer in that transaction. A person answers a call once (a
unique row per call and person); answering again returns the stored answer.

The audience is set-based: one query over conversations (the staff console's
:class:`~storage.filters.ResponseFilter`), the standing panel and past participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, update

from storage.db import Executor, connection_of
from storage.filters import ResponseFilter
from storage.models import Call, Conversation, Participation, Respondent
from storage.responses import Thresholds, matching
from storage.vocabulary import CallStatus, ParticipationStatus


@dataclass(frozen=True)
class NewCall:
    """A call as staff write it (already validated by the core)."""

    title: Mapping[str, str]
    description: Mapping[str, str]
    kind: str
    location: str
    happens_at: datetime
    places: int
    closes_at: datetime
    audience: Mapping[str, Any]
    created_by: str


@dataclass(frozen=True)
class CallRow:
    """A stored call, with its answers counted."""

    id: int
    title: dict[str, str]
    description: dict[str, str]
    kind: str
    location: str
    happens_at: datetime
    places: int
    closes_at: datetime
    audience: dict[str, Any]
    status: CallStatus
    campaign_id: int | None
    created_by: str
    created_at: datetime
    counts: dict[ParticipationStatus, int]


@dataclass(frozen=True)
class Reach:
    """Who a call goes to: people whose answers match a filter, the panel, past participants."""

    answers: ResponseFilter | None = None
    panel: bool = False
    past_participants: bool = False


@dataclass(frozen=True)
class ParticipantRow:
    """One answer to a call, as staff see it (the contact only when the person agreed)."""

    respondent_id: int
    channel: str
    external_id: str
    status: ParticipationStatus
    answered_at: datetime
    contact: str | None


def create_call(session: Executor, new: NewCall, *, now: datetime) -> int:
    """Store an open call and return its id."""
    row = connection_of(session).execute(Call.__table__.insert().values(
        title=dict(new.title), description=dict(new.description), kind=new.kind,
        location=new.location, happens_at=new.happens_at, places=new.places,
        closes_at=new.closes_at, audience=dict(new.audience), status=CallStatus.OPEN,
        created_by=new.created_by, created_at=now).returning(Call.__table__.c.id))
    return int(row.scalar_one())


def set_campaign(session: Executor, call_id: int, campaign_id: int) -> None:
    """Record the campaign that carries the call's invitations."""
    connection_of(session).execute(
        update(Call).where(Call.id == call_id).values(campaign_id=campaign_id))


def _counts(session: Executor, call_ids: list[int]) -> dict[int, dict[ParticipationStatus, int]]:
    """Count each call's answers by status."""
    found: dict[int, dict[ParticipationStatus, int]] = {i: {} for i in call_ids}
    rows = connection_of(session).execute(
        select(Participation.call_id, Participation.status, func.count())
        .where(Participation.call_id.in_(call_ids))
        .group_by(Participation.call_id, Participation.status))
    for call_id, status, count in rows:
        found[call_id][ParticipationStatus(status)] = int(count)
    return found


def _row(call: Any, counts: dict[ParticipationStatus, int]) -> CallRow:
    """Return a stored call as a row."""
    return CallRow(call.id, dict(call.title), dict(call.description), call.kind, call.location,
                   call.happens_at, call.places, call.closes_at, dict(call.audience),
                   CallStatus(call.status), call.campaign_id, call.created_by, call.created_at,
                   counts)


def find_call(session: Executor, call_id: int, *, lock: bool = False) -> CallRow | None:
    """Return a call with its counts (locked until the caller commits when ``lock``)."""
    stmt = select(Call.__table__).where(Call.id == call_id)
    call = connection_of(session).execute(stmt.with_for_update() if lock else stmt).first()
    if call is None:
        return None
    return _row(call, _counts(session, [call_id])[call_id])


def list_calls(session: Executor, *, after_id: int | None = None, limit: int = 50) -> list[CallRow]:
    """Return calls, newest first, after a cursor (an id)."""
    stmt = select(Call.__table__).order_by(Call.id.desc()).limit(limit)
    if after_id is not None:
        stmt = stmt.where(Call.id < after_id)
    calls = connection_of(session).execute(stmt).all()
    counts = _counts(session, [c.id for c in calls])
    return [_row(c, counts[c.id]) for c in calls]


def close_call(session: Executor, call_id: int, *, now: datetime) -> bool:
    """Close an open call; return False when it was not open."""
    done = connection_of(session).execute(
        update(Call).where(Call.id == call_id, Call.status == CallStatus.OPEN)
        .values(status=CallStatus.CLOSED, closed_at=now))
    return bool(done.rowcount)


def _reach_condition(reach: Reach, thresholds: Thresholds) -> ColumnElement[bool]:
    """Return "this respondent is in the audience"."""
    parts: list[ColumnElement[bool]] = []
    if reach.answers is not None:
        parts.append(Respondent.id.in_(
            select(Conversation.respondent_id)
            .where(matching(reach.answers, thresholds, None))))
    if reach.panel:
        parts.append(Respondent.panel_since.is_not(None))
    if reach.past_participants:
        parts.append(Respondent.id.in_(
            select(Participation.respondent_id)
            .where(Participation.status == ParticipationStatus.CONFIRMED)))
    return or_(*parts) if parts else false()


def audience_ids(reach: Reach, thresholds: Thresholds) -> Select[tuple[int]]:
    """Return a query of the named people a call reaches (each once, whatever their language)."""
    return select(Respondent.id.label("respondent_id")).where(_reach_condition(reach, thresholds))


@dataclass(frozen=True)
class AnswerRow:
    """One person's stored answer to a call."""

    id: int
    call_id: int
    status: ParticipationStatus


ANSWER = (Participation.id, Participation.call_id, Participation.status)


def answer_of(session: Executor, call_id: int, respondent_id: int) -> AnswerRow | None:
    """Return a person's answer to a call, or None."""
    row = connection_of(session).execute(
        select(*ANSWER).where(Participation.call_id == call_id,
                              Participation.respondent_id == respondent_id)).first()
    return AnswerRow(row[0], row[1], ParticipationStatus(row[2])) if row else None


def take_place(session: Executor, call: CallRow, respondent_id: int, *,
               status: ParticipationStatus, now: datetime, contact_until: datetime | None
               ) -> ParticipationStatus:
    """Record an answer; a place is taken only while one is left (the call is locked).

    ``status`` CONFIRMED asks for a place: it comes back WAITING only when the
    caller asked for the waiting list; when the call is full, nothing is stored and
    the call's counts say so (the caller offers the waiting list).
    """
    if status is ParticipationStatus.CONFIRMED:
        confirmed = connection_of(session).scalar(
            select(func.count()).select_from(Participation)
            .where(Participation.call_id == call.id,
                   Participation.status == ParticipationStatus.CONFIRMED))
        if int(confirmed or 0) >= call.places:
            raise CallFull(call.id)
    connection_of(session).execute(Participation.__table__.insert().values(
        call_id=call.id, respondent_id=respondent_id, status=status, answered_at=now,
        contact_asked_until=contact_until, contact_consent=False))
    return status


class CallFull(Exception):
    """Every place of the call is taken."""


def awaiting_contact(session: Executor, respondent_id: int,
                     now: datetime) -> AnswerRow | None:
    """Return the person's answer whose contact detail is being asked for, if still fresh."""
    row = connection_of(session).execute(
        select(*ANSWER).where(Participation.respondent_id == respondent_id,
                              Participation.contact_asked_until > now)
        .order_by(Participation.answered_at.desc()).limit(1)).first()
    return AnswerRow(row[0], row[1], ParticipationStatus(row[2])) if row else None


def set_contact(session: Executor, participation_id: int, contact: str | None) -> None:
    """Store the contact detail the person agreed to pass on (None: they declined)."""
    connection_of(session).execute(
        update(Participation).where(Participation.id == participation_id)
        .values(contact=contact, contact_consent=contact is not None, contact_asked_until=None))


def participants(session: Executor, call_id: int) -> list[ParticipantRow]:
    """Return every answer to a call, first come first, with contacts given with consent."""
    rows = connection_of(session).execute(
        select(Participation.respondent_id, Respondent.channel, Respondent.external_id,
               Participation.status, Participation.answered_at, Participation.contact,
               Participation.contact_consent)
        .join(Respondent, Respondent.id == Participation.respondent_id)
        .where(Participation.call_id == call_id)
        .order_by(Participation.answered_at, Participation.id))
    return [ParticipantRow(r[0], r[1], r[2], ParticipationStatus(r[3]), r[4],
                           r[5] if r[6] else None) for r in rows]


def set_panel(session: Executor, respondent_id: int, since: datetime | None) -> bool:
    """Put a person in the standing panel (``since``) or take them out (None); True if changed."""
    stmt = update(Respondent).where(Respondent.id == respondent_id)
    stmt = stmt.where(Respondent.panel_since.is_(None)) if since is not None \
        else stmt.where(Respondent.panel_since.is_not(None))
    return bool(connection_of(session).execute(stmt.values(panel_since=since)).rowcount)

