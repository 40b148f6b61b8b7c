"""Respondents: find and create people (with the suppression check), language, timezone, reach.

A respondent is one person on one channel. The dialogue's hot path finds a person
and their active conversation in one prebuilt query and gets them as tracked rows
(:mod:`storage.hotpath.tracked`); a new person who had said stop before being
forgotten starts opted out (:mod:`storage.suppression`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage import suppression
from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.hotpath.tracked import ConversationRow, RespondentRow, fields_of
from storage.installation import Keyring
from storage.models import Conversation, Respondent
from storage.vocabulary import ConversationStatus

_RESPONDENT = Respondent.__table__
_CONVERSATION = Conversation.__table__
_FIND_RESPONDENT = Prepared(
    select(_RESPONDENT, _CONVERSATION)
    .outerjoin(
        _CONVERSATION,
        and_(_CONVERSATION.c.respondent_id == _RESPONDENT.c.id,
             _CONVERSATION.c.status == ConversationStatus.ACTIVE.value),
    )
    .where(
        _RESPONDENT.c.channel == bindparam("channel"),
        _RESPONDENT.c.external_id == bindparam("external_id"),
    )
)
_SPLIT = len(_RESPONDENT.columns)
_INSERT_RESPONDENT = Prepared(insert(_RESPONDENT).returning(_RESPONDENT.c.id))


def find_respondent(
    session: Executor, channel: str, external_id: str
) -> tuple[RespondentRow | None, ConversationRow | None]:
    """Return the respondent and their active conversation (one query, built once)."""
    row = _FIND_RESPONDENT.first(
        connection_of(session), {"channel": channel, "external_id": external_id}
    )
    if row is None:
        return None, None
    respondent = RespondentRow(fields_of(Respondent, row[:_SPLIT]))
    if row[_SPLIT] is None:
        return respondent, None
    return respondent, ConversationRow(fields_of(Conversation, row[_SPLIT:]))


def create_respondent(
    session: Executor, channel: str, external_id: str, now: datetime, internal: bool = False,
    language: str | None = None, *, keyring: Keyring,
) -> RespondentRow:
    """Add a new respondent (opted out if they said stop before being forgotten)."""
    suppressed = suppression.is_suppressed(session, keyring, channel, external_id)
    opted_out = now if suppressed else None
    values = {
        "channel": channel, "external_id": external_id, "language": language,
        "language_chosen": False, "internal": internal, "consent_at": None,
        "consent_asked_at": None, "opted_out_at": opted_out, "unreachable_at": None,
        "unreachable_reason": None, "pending": None, "created_at": now, "seen_at": now,
        "customer_ref": None,
    }
    new_id = _INSERT_RESPONDENT.scalar(connection_of(session), values)
    return RespondentRow({"id": new_id, **values})


def chosen_language(session: Executor, channel: str, external_id: str) -> str | None:
    """Return the language a person chose explicitly, if they did."""
    return session.scalar(
        select(Respondent.language).where(
            Respondent.channel == channel, Respondent.external_id == external_id,
            Respondent.language_chosen.is_(True),
        )
    )


@dataclass(frozen=True)
class Known:
    """What a campaign needs to know of a person already in the store."""

    respondent_id: int
    language: str | None
    opted_out: bool
    unreachable: bool
    consented: bool


def known_people(session: Session, channel: str, external_ids: Iterable[str]) -> dict[str, Known]:
    """Return the people among ``external_ids`` on ``channel`` who are already respondents."""
    wanted = list(external_ids)
    found: dict[str, Known] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(Respondent).where(Respondent.channel == channel,
                                        Respondent.external_id.in_(wanted[start:start + 500]))
        for person in session.scalars(stmt):
            found[person.external_id] = _known(person)
    return found


def _known(person: Respondent) -> Known:
    """Return what a campaign needs to know of a stored person."""
    return Known(person.id, person.language, person.opted_out_at is not None,
                 person.unreachable_at is not None, person.consent_at is not None)


def mark_unreachable(session: Session, respondent_id: int, reason: str, now: datetime) -> None:
    """Remember that a person cannot be messaged any more (blocked the bot, account gone)."""
    session.execute(
        update(Respondent)
        .where(Respondent.id == respondent_id)
        .values(unreachable_at=now, unreachable_reason=reason[:255])
    )


def consenting_people(session: Session, channel: str) -> dict[str, Known]:
    """Return everyone on ``channel`` who agreed to hear from us, by platform id."""
    stmt = (select(Respondent).where(Respondent.channel == channel,
                                     Respondent.consent_at.is_not(None))
            .order_by(Respondent.id))
    return {person.external_id: _known(person) for person in session.scalars(stmt)}


def set_timezone(session: Executor, channel: str, external_id: str, timezone: str, *,
                 keep: bool = False) -> bool:
    """Store a person's IANA timezone (checked by the caller); return whether the person is known.

    A stored zone is replaced by a different one (the person travelled) unless ``keep``
    (Slack: the profile's zone is read once). Nothing is written when it is unchanged.
    """
    found = session.execute(select(Respondent.id, Respondent.timezone).where(
        Respondent.channel == channel, Respondent.external_id == external_id)).first()
    if found is None:
        return False
    if found.timezone != timezone and (found.timezone is None or not keep):
        session.execute(update(Respondent).where(Respondent.id == found.id)
                        .values(timezone=timezone))
    return True
