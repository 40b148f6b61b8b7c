"""Calls for participants: staff invite chosen people to a product test, focus group or interview.

Usage::

    opened = calls.open_call(db, Draft(...), actor="staff:3", now=clock())
    opened.call_id, opened.planned   # the call, and its invitations queued in the outbox

A call is a campaign (:mod:`bot.campaigns`, kind ``call``): the kind's rule (consent
needed, stop blocks it) applies when planning and again when sending, and each
person gets one invitation keyed by (call, person). The audience is chosen with
the response filters staff already use (for example promoters of the last 90 days,
people who mentioned a theme, a context or internal service), the standing panel
and people who took part before (:class:`Audience`). Answers are taken by
:mod:`bot.call_answers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime

from bot import staff
from bot.call_errors import CallError, Refusal
from bot.campaigns import Planned, Progress, delivery_key, tally
from bot.delivery_rules import RULES
from bot.i18n import SUPPORTED, gettext_for, pick
from bot.messages import Choice, InputHint, Kind, Outbound
from bot.metrics import THRESHOLDS
from storage import calls as store
from storage import campaigns
from storage.calls import CallRow, NewCall, Reach
from storage.campaigns import PerLanguage
from storage.db import Database
from storage.filters import Band, ResponseFilter
from storage.vocabulary import AuditAction, CallKind, CallStatus, DeliveryKind

REF_PREFIX = "call:"
MAX_PLACES = 100_000
MAX_TITLE, MAX_TEXT, MAX_WORD = 200, 2000, 128
AUDIENCE_KEYS = frozenset({"days", "band", "text", "context", "service", "channel", "survey",
                           "panel", "past_participants"})


@dataclass(frozen=True)
class Audience:
    """Who a call is for: answers matching filters within ``days``, the panel, past participants.

    At least one of them must be chosen. ``days`` bounds the answers' period
    (the last 90 days by default).
    """

    days: int = 90
    band: Band | None = None
    text: str | None = None
    context: str | None = None
    service: str | None = None
    channel: str | None = None
    survey: str | None = None
    panel: bool = False
    past_participants: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audience:
        """Read an audience from JSON, refusing unknown keys and malformed values."""
        if not isinstance(data, Mapping):
            raise CallError(Refusal.AUDIENCE_SHAPE)
        unknown = set(data) - AUDIENCE_KEYS
        if unknown:
            raise CallError(Refusal.UNKNOWN_AUDIENCE_KEYS, names=", ".join(sorted(unknown)))
        days = data.get("days", 90)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3660:
            raise CallError(Refusal.BAD_DAYS)
        try:
            band = Band(data["band"]) if data.get("band") else None
        except ValueError:
            raise CallError(Refusal.BAD_BAND) from None
        words = {k: _word(data, k) for k in ("text", "context", "service", "channel", "survey")}
        flags = {k: _flag(data, k) for k in ("panel", "past_participants")}
        found = cls(days=days, band=band, **words, **flags)
        if not found.filters() and not found.panel and not found.past_participants:
            raise CallError(Refusal.NO_AUDIENCE)
        return found

    def filters(self) -> dict[str, str]:
        """Return the answer filters chosen (none means "no answers-based audience")."""
        named = {"band": self.band.value if self.band else None, "text": self.text,
                 "context": self.context, "service": self.service, "channel": self.channel,
                 "survey": self.survey}
        return {k: v for k, v in named.items() if v}

    def to_json(self) -> dict[str, Any]:
        """Return the audience as stored with the call."""
        return {"days": self.days, **self.filters(), "panel": self.panel,
                "past_participants": self.past_participants}

    def reach(self, now: datetime) -> Reach:
        """Return the audience as the store queries it."""
        chosen = self.filters()
        answers = ResponseFilter(
            since=now - timedelta(days=self.days), band=self.band, text=self.text,
            context=self.context, service=self.service, channel=self.channel,
            survey=self.survey) if chosen else None
        return Reach(answers, self.panel, self.past_participants)


def _word(data: Mapping[str, Any], key: str) -> str | None:
    """Return an optional short text value."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_WORD:
        raise CallError(Refusal.BAD_WORD, key=key, longest=MAX_WORD)
    return value.strip() or None


def _flag(data: Mapping[str, Any], key: str) -> bool:
    """Return an optional true/false value."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise CallError(Refusal.BAD_FLAG, key=key)
    return value


@dataclass(frozen=True)
class Draft:
    """A call as staff write it, before it is checked."""

    title: Mapping[str, str]
    description: Mapping[str, str]
    kind: str
    location: str
    happens_at: datetime
    places: int
    closes_at: datetime
    audience: Audience = field(default_factory=Audience)


@dataclass(frozen=True)
class Opened:
    """A call made: its id and its invitations planned (skipped people counted by reason)."""

    call_id: int
    planned: Planned


def check(draft: Draft, now: datetime, actor: str) -> NewCall:
    """Return the call to store, or raise :class:`CallError` saying what is wrong."""
    for texts, longest, missing, too_long in (
            (draft.title, MAX_TITLE, Refusal.NO_TITLE, Refusal.LONG_TITLE),
            (draft.description, MAX_TEXT, Refusal.NO_DESCRIPTION, Refusal.LONG_DESCRIPTION)):
        if set(texts) - set(SUPPORTED) or not any((t or "").strip() for t in texts.values()):
            raise CallError(missing)
        if any(len(t) > longest for t in texts.values()):
            raise CallError(too_long, longest=longest)
    if draft.kind not in {k.value for k in CallKind}:
        raise CallError(Refusal.BAD_KIND)
    if not draft.location.strip() or len(draft.location) > 255:
        raise CallError(Refusal.BAD_LOCATION)
    if not 1 <= draft.places <= MAX_PLACES:
        raise CallError(Refusal.BAD_PLACES, most=MAX_PLACES)
    if draft.closes_at <= now:
        raise CallError(Refusal.PAST_CLOSING)
    texts = {n: {k: v.strip() for k, v in t.items() if v and v.strip()}
             for n, t in (("title", draft.title), ("description", draft.description))}
    return NewCall(texts["title"], texts["description"], draft.kind, draft.location.strip(),
                   draft.happens_at, draft.places, draft.closes_at, draft.audience.to_json(),
                   actor)


def campaign_key(call_id: int) -> str:
    """Return the key of the campaign that carries a call's invitations."""
    return f"call:{call_id}"


def open_call(database: Database, draft: Draft, *, actor: str, now: datetime,
              default_language: str = "en") -> Opened:
    """Store the call and plan one invitation per person of its audience."""
    new = check(draft, now, actor)
    with database.transaction() as session:
        call_id = store.create_call(session, new, now=now)
        staff.audit(session, now, actor, AuditAction.CALL_CREATED, f"call:{call_id}",
                    places=new.places, kind=new.kind)
    return Opened(call_id, invite(database, call_id, now=now, default_language=default_language))


def invite(database: Database, call_id: int, *, now: datetime,
           default_language: str = "en") -> Planned:
    """Plan a call's invitations, set-based: ONE ``INSERT … SELECT``, once.

    Each person gets one delivery keyed by (call, person), written in their language
    (people in another language, or none, get ``default_language``'s); the kind's rule
    stores who said stop, cannot be reached or did not consent as skipped with the
    reason. Planning again (a retry, a second worker) adds nobody: the call's row is
    locked meanwhile, so the counts before and after are this planning's own.
    """
    key, rule = campaign_key(call_id), RULES[DeliveryKind.CALL]
    with database.transaction() as session:
        call = store.find_call(session, call_id, lock=True)
        if call is None:
            raise LookupError(call_id)
        campaign = campaigns.ensure_campaign(session, key, DeliveryKind.CALL, None, now)
        before = tally(campaigns.outcomes(session, campaign.id))
        reach = Audience.from_json(call.audience).reach(now)
        default = default_language if default_language in SUPPORTED else SUPPORTED[0]
        payloads = PerLanguage({language: invitation(call, language).to_dict()
                                for language in SUPPORTED}, default)
        campaigns.plan_from_query(
            session, campaign.id, DeliveryKind.CALL, delivery_key(key, 0)[:-1],
            store.audience_ids(reach, THRESHOLDS), payloads, now,
            needs_consent=rule.needs_consent, stopped_by_stop=rule.stopped_by_stop)
        if call.campaign_id is None:
            store.set_campaign(session, call_id, campaign.id)
        after = tally(campaigns.outcomes(session, campaign.id))
    return Planned(after.planned - before.planned - _skipped(after) + _skipped(before),
                   {reason: count - before.skipped.get(reason, 0)
                    for reason, count in after.skipped.items()
                    if count > before.skipped.get(reason, 0)})


def _skipped(progress: Progress) -> int:
    """Return how many of a campaign's people were skipped."""
    return sum(progress.skipped.values())


def is_open(call: CallRow, now: datetime) -> bool:
    """Tell whether a call still takes answers (open, and before its closing date)."""
    return call.status is CallStatus.OPEN and now < call.closes_at


def close(database: Database, call_id: int, *, actor: str, now: datetime) -> bool:
    """Close a call; return False when it was closed already (or is unknown)."""
    with database.transaction() as session:
        closed = store.close_call(session, call_id, now=now)
        if closed:
            staff.audit(session, now, actor, AuditAction.CALL_CLOSED, f"call:{call_id}")
        return closed


def when(moment: datetime, language: str) -> str:
    """Return a date and time as the person reads it (UTC: calls name their own place)."""
    return format_datetime(moment, "EEEE d MMMM y, HH:mm 'UTC'", locale=language)


def invitation(call: CallRow, language: str) -> Outbound:
    """Return the invitation: what, where and when, how many places, with I'm in / No thanks."""
    _ = gettext_for(language)
    kinds = {CallKind.PRODUCT_TEST: _("a product test"), CallKind.FOCUS_GROUP: _("a focus group"),
             CallKind.INTERVIEW: _("an interview"), CallKind.OTHER: _("a session")}
    lines = [
        _("You are invited to {kind}: {title}").format(kind=kinds[CallKind(call.kind)],
                                                       title=pick(call.title, language)),
        pick(call.description, language),
        _("Where: {place}. When: {moment}.").format(place=call.location,
                                                   moment=when(call.happens_at, language)),
        _("{places} places, first come, first served, until {moment}.").format(
            places=call.places, moment=when(call.closes_at, language)),
        _("(Reply “stop” and we will not write to you again.)"),
    ]
    choices = (Choice("in", _("I'm in")), Choice("out", _("No thanks")))
    return Outbound("\n".join(lines), Kind.QUESTION, choices=choices,
                    ref=f"{REF_PREFIX}{call.id}", expects=InputHint.CHOICE, language=language)
