"""Employees' ideas: receiving them (signed or anonymous), support, staff decisions, thanks.

An idea says what clients expect or what could be better, for an internal
service (the internal survey's ``service`` options). Sent anonymously, it keeps
what anonymous feedback keeps (:mod:`bot.submissions`): no author, a random
negative id, its time cut to the hour, no language, and its event stored under a
keyed hash, so a replayed submission stores nothing twice. Colleagues support an
idea once each. Staff tag, merge, decline (with a reason) or turn an idea into a
draft improvement; each is an audit entry. When that improvement is published,
:func:`plan_thanks` tells the signed authors and the supporters, once each,
through the outbox (a campaign keyed by improvement and person).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import staff
from bot.campaigns import Message, Planned, Recipient, plan
from bot.engine import DialogueEngine
from bot.i18n import choose_language, gettext_for, pick
from bot.messages import Identity, Kind, Outbound
from bot.surveys import SurveyCatalog
from storage import events, improvements, respondents
from storage import ideas as store
from storage.db import Database
from storage.ideas import IdeaRow
from storage.improvements import NewImprovement
from storage.vocabulary import AuditAction, DeliveryKind, IdeaStatus

DOMAIN = "messages"
MAX_TEXT = 3000
MAX_TAGS = 10
MAX_TAG = 32
SERVICE_SURVEY = "internal"
SERVICE_QUESTION = "service"


class IdeaError(Exception):
    """A staff action refused; ``refusal`` is a stable word (:func:`explain` says it)."""

    def __init__(self, refusal: str) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def explain(refusal: str, language: str) -> str:
    """Return a refusal in words."""
    _ = gettext_for(language, DOMAIN)
    return {
        "not_found": _("There is no such idea."),
        "reason_required": _("Say why the idea is declined."),
        "same_idea": _("An idea cannot be merged into itself."),
        "not_open": _("This idea was already decided."),
    }.get(refusal, refusal)


def services(catalog: SurveyCatalog) -> list[tuple[str, Mapping[str, str]]]:
    """Return the internal services an idea may concern: (id, label by language)."""
    survey = catalog.get(SERVICE_SURVEY)
    if survey is None:
        return []
    try:
        question = survey.question(SERVICE_QUESTION)
    except KeyError:
        return []
    return [(option.id, option.label) for option in question.options]


def service_label(catalog: SurveyCatalog, service: str | None, language: str) -> str:
    """Return a service's label in ``language`` (its id when no longer offered, "" for none)."""
    for key, label in services(catalog):
        if key == service:
            return pick(label, language)
    return service or ""


@dataclass(frozen=True)
class NewIdea:
    """An idea as an employee sent it; no author means anonymous."""

    channel: str
    text: str
    service: str | None = None
    author: Identity | None = None
    event_id: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Received:
    """What became of a sent idea: its id, or the errors by field ("text", "service")."""

    idea_id: int | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    duplicate: bool = False


def validate(new: NewIdea, catalog: SurveyCatalog) -> dict[str, str]:
    """Return the errors of an idea by field (none when it may be stored)."""
    _ = gettext_for(new.language, DOMAIN)
    errors = {}
    if not new.text.strip():
        errors["text"] = _("Please write your idea.")
    elif len(new.text) > MAX_TEXT:
        errors["text"] = _("Please keep it under {max} characters.").format(max=MAX_TEXT)
    if new.service is not None and new.service not in dict(services(catalog)):
        errors["service"] = _("Please choose a service from the list.")
    return errors


def submit(engine: DialogueEngine, new: NewIdea) -> Received:
    """Store an idea once per event (a replay stores nothing); anonymous keeps no identity."""
    errors = validate(new, engine.catalog)
    if errors:
        return Received(errors=errors)
    now = engine.clock()
    engine.keyring.load()  # outside the transaction: it may store the secret
    anonymous = new.author is None
    stored_at = now.replace(minute=0, second=0, microsecond=0) if anonymous else now
    try:
        with engine.db.transaction() as session:
            if new.event_id is not None and events.event_reply(
                    session, engine.keyring, new.channel, new.event_id) is not None:
                return Received(duplicate=True)
            author = None if new.author is None else _respondent_id(engine, session, new.author)
            idea_id = store.add(session, text=new.text.strip(), service=new.service,
                                author_id=author, now=stored_at)
            if new.event_id is not None:
                events.record_event(session, engine.keyring, new.channel, new.event_id,
                                    respondent_id=author, reply={}, now=stored_at,
                                    anonymous=anonymous)
    except IntegrityError:  # the same event applied at this very moment by another worker
        return Received(duplicate=True)
    return Received(idea_id)


def _respondent_id(engine: DialogueEngine, session: Session, who: Identity) -> int:
    """Return the person's respondent id, created the first time."""
    found, _active = respondents.find_respondent(session, who.channel, who.external_id)
    if found is not None:
        return found.id
    created = respondents.create_respondent(
        session, who.channel, who.external_id, engine.clock(),
        internal=who.channel in engine.settings.internal_channels, keyring=engine.keyring)
    return created.id


def support(engine: DialogueEngine, who: Identity, idea_id: int) -> bool:
    """Add a person's 👍 to an open idea (a merged one's counts for where it went).

    Return whether it is new: a second tap changes nothing.
    """
    engine.keyring.load()  # outside the transaction: it may store the secret
    with engine.db.transaction() as session:
        idea = store.find(session, idea_id)
        if idea is not None and idea.status == IdeaStatus.MERGED and idea.merged_into_id:
            idea = store.find(session, idea.merged_into_id)
        if idea is None or idea.status != IdeaStatus.NEW:
            return False
        return store.support(session, idea.id, _respondent_id(engine, session, who),
                             engine.clock())


@dataclass(frozen=True)
class HomeIdea:
    """An open idea as the App Home lists it (the day only, never the author)."""

    id: int
    text: str
    service: str
    day: str
    supporters: int
    mine: bool


def recent(engine: DialogueEngine, who: Identity, language: str,
           limit: int = 10) -> list[HomeIdea]:
    """Return the latest open ideas, with whether ``who`` supports each."""
    with engine.db.reading() as connection:
        rows = [r for r in store.listing(connection, status=IdeaStatus.NEW, limit=limit)
                if r.text]
        found, _active = respondents.find_respondent(connection, who.channel, who.external_id)
        mine = set() if found is None else store.supported_by(connection, found.id,
                                                              [r.id for r in rows])
    return [HomeIdea(r.id, _short(r.text or "", 280),
                     service_label(engine.catalog, r.service, language),
                     r.created_at.strftime("%Y-%m-%d"), r.supporters, r.id in mine)
            for r in rows]


def _short(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- staff decisions -------------------------------------------------------------------------


def _open_idea(session: Session, idea_id: int) -> IdeaRow:
    """Return an idea staff may still decide, or refuse."""
    idea = store.find(session, idea_id)
    if idea is None:
        raise IdeaError("not_found")
    if idea.status in (IdeaStatus.MERGED, IdeaStatus.DONE):
        raise IdeaError("not_open")
    return idea


def parse_tags(raw: str) -> list[str]:
    """Return tags from a comma-separated line: trimmed, lower-cased, unique, bounded."""
    tags: list[str] = []
    for part in raw.split(","):
        tag = " ".join(part.split()).casefold()[:MAX_TAG]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def tag(db: Database, idea_id: int, raw: str, *, actor: str, now: datetime) -> list[str]:
    """Replace an idea's tags; return them."""
    tags = parse_tags(raw)
    with db.transaction() as session:
        if store.find(session, idea_id) is None:
            raise IdeaError("not_found")
        store.set_tags(session, idea_id, tags)
        staff.audit(session, now, actor, AuditAction.IDEA_TAGGED, f"idea:{idea_id}", tags=tags)
    return tags


def decline(db: Database, idea_id: int, reason: str, *, actor: str, now: datetime) -> None:
    """Decline an open idea with a reason (the reason is staff's words, not audited)."""
    reason = reason.strip()
    if not reason:
        raise IdeaError("reason_required")
    with db.transaction() as session:
        _open_idea(session, idea_id)
        store.decline(session, idea_id, reason[:2000])
        staff.audit(session, now, actor, AuditAction.IDEA_DECLINED, f"idea:{idea_id}")


def merge(db: Database, duplicate: int, into: int, *, actor: str, now: datetime) -> None:
    """Merge a duplicate into another open idea: its supporters and author back that one."""
    if duplicate == into:
        raise IdeaError("same_idea")
    with db.transaction() as session:
        _open_idea(session, duplicate)
        target = store.find(session, into)
        if target is None:
            raise IdeaError("not_found")
        if target.status != IdeaStatus.NEW:
            raise IdeaError("not_open")
        store.merge(session, duplicate, into, now)
        staff.audit(session, now, actor, AuditAction.IDEA_MERGED, f"idea:{duplicate}",
                    into=into)


def to_improvement(db: Database, idea_id: int, *, actor: str, now: datetime,
                   language: str) -> int:
    """Turn an open idea into a draft improvement linked to it; return the improvement's id."""
    with db.transaction() as session:
        idea = _open_idea(session, idea_id)
        new = NewImprovement(you_said=idea.text or "", we_did="", language=language,
                             created_by=actor,
                             concerns={"services": [idea.service]} if idea.service else {})
        improvement_id = improvements.create(session, new, now=now)
        store.link_improvement(session, idea_id, improvement_id)
        staff.audit(session, now, actor, AuditAction.IDEA_TO_IMPROVEMENT, f"idea:{idea_id}",
                    improvement=improvement_id)
    return improvement_id


# -- "your idea led to this" -------------------------------------------------------------------


@dataclass(frozen=True)
class ThankAudience:
    """The people to thank for an improvement made from ideas (read once, at planning)."""

    people: tuple[Recipient, ...]
    channel: str | None = None

    def recipients(self, database: Database, now: datetime,
                   default_language: str) -> list[Recipient]:
        """Return the people read when the audience was made."""
        return list(self.people)


def to_thank(session: Session, improvement_id: int, default_language: str = "en") -> ThankAudience:
    """Return who hears that an idea led to this improvement: signed authors and supporters.

    One set-based query: each person once, nobody forgotten (their supports and
    authorship are erased); who said stop is skipped by the delivery rules.
    """
    people = tuple(
        Recipient(p.respondent_id, p.channel, choose_language(p.language, None, default_language),
                  p.opted_out, p.unreachable, p.consented)
        for p in store.people_to_thank(session, improvement_id))
    channels = {p.channel for p in people}
    return ThankAudience(people, channels.pop() if len(channels) == 1 else None)


def thanks_message(we_did: str, language: str) -> Outbound:
    """Return "your idea led to this" with what was done."""
    _ = gettext_for(language, DOMAIN)
    text = _("Your idea led to this: {we_did}").format(we_did=we_did) if we_did else _(
        "An idea you shared or supported has led to a change. Thank you!")
    return Outbound(text, Kind.ANNOUNCEMENT, language=language)


def campaign_key(improvement_id: int) -> str:
    """Return the key of an improvement's thanks (a delivery per person within it)."""
    return f"idea-thanks:{improvement_id}"


def plan_thanks(db: Database, improvement_id: int, *, now: datetime,
                default_language: str = "en", message: Message | None = None) -> Planned:
    """Plan the thanks for an improvement made from ideas, once per person however often called."""
    with db.transaction() as session:
        audience = to_thank(session, improvement_id, default_language)
        found = improvements.find(session, improvement_id)
    we_did = found.we_did if found is not None else ""
    return plan(db, campaign_key(improvement_id), DeliveryKind.IDEA_THANKS, audience,
                message or (lambda language: thanks_message(we_did, language)), now=now,
                default_language=default_language)


def listing(db: Database, status: str | None = None, limit: int = 200) -> list[IdeaRow]:
    """Return the ideas staff see, newest first, optionally of one status."""
    if status is not None and status not in set(IdeaStatus):
        status = None
    with db.reading() as connection:
        return store.listing(connection, status=status, limit=limit)
