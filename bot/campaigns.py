"""Campaigns: the one way to send a proactive message to many people, through the outbox.

A campaign is a key (what makes it one: ``slack-pulse:internal:20261130T1000``),
a delivery kind, an :class:`Audience` (who) and a message per person (a callable
from the person's language to an :class:`Outbound`). :func:`plan` writes one
delivery per person, keyed by campaign and person, so planning a campaign again
(a second worker, a restart) plans nothing twice. The kind's row in
:data:`bot.delivery_rules.RULES` is applied to each person now (who said stop, cannot
be reached or did not consent is stored as skipped, with the reason) and again
by the dispatcher when it sends. :func:`progress` counts the outcomes.

Usage::

    roster = Roster("slack", {"U1": "fr-FR", "U2": None}, internal=True)
    planned = plan(db, "slack-pulse:internal:20261130T1000", DeliveryKind.PULSE, roster,
                   lambda language: invitation(survey, language), now=clock())
    progress(db, "slack-pulse:internal:20261130T1000")  # Progress(planned=2, sent=0, ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.delivery_rules import person_refusal
from bot.i18n import choose_language
from bot.messages import Outbound
from storage import campaigns as store
from storage import deliveries, respondents
from storage.campaigns import CampaignRow
from storage.db import Database
from storage.installation import Keyring
from storage.respondents import Known
from storage.vocabulary import DeliveryKind, DeliveryStatus

Message = Callable[[str], Outbound]  # the campaign's message in one language


@dataclass(frozen=True)
class Recipient:
    """One person a campaign is meant for, as the rules see them."""

    respondent_id: int
    channel: str
    language: str
    opted_out: bool = False
    unreachable: bool = False
    consented: bool = False


class Audience(Protocol):
    """Who a campaign goes to (on which channel, when it is one channel)."""

    @property
    def channel(self) -> str | None:
        """Return the channel every recipient is on, or None when they are on several."""

    def recipients(self, database: Database, now: datetime,
                   default_language: str) -> list[Recipient]:
        """Return the people the campaign is for (an audience may add newcomers to the store)."""


Vet = Callable[[Sequence[str]], Mapping[str, str | None]]


@dataclass(frozen=True)
class Roster:
    """People of one channel named by the platform: the known ones found, newcomers created.

    ``members`` maps platform ids to a locale hint (None when there is none). A
    known person's stored language (their choice, else their platform's latest
    hint) comes first. Newcomers are created through :mod:`storage.respondents`,
    so one who said stop before being forgotten starts opted out. ``vet``, when
    given, is asked once about the newcomers only and returns those who are
    people, with their hints: a platform uses it to leave out bots and deactivated
    accounts, and to look up locales only for people it does not know yet.
    ``keyring`` recognises forgotten people on the suppression list (the stored
    secret's when None: pass the engine's when ``ECOUTE_SECRET_KEY`` is set).
    """

    channel: str
    members: Mapping[str, str | None]
    internal: bool = False
    vet: Vet | None = None
    keyring: Keyring | None = None

    def recipients(self, database: Database, now: datetime,
                   default_language: str) -> list[Recipient]:
        """Return every member as a recipient, creating the newcomers."""
        try:
            return self._gather(database, now, default_language)
        except IntegrityError:  # another worker created one of them at the same moment
            return self._gather(database, now, default_language)

    def _gather(self, database: Database, now: datetime,
                default_language: str) -> list[Recipient]:
        """Find the known members, vet and create the newcomers, in the members' order."""
        ids = list(self.members)
        with database.transaction() as session:
            known = respondents.known_people(session, self.channel, ids)
        fresh = [member for member in ids if member not in known]
        hints = {m: self.members[m] for m in fresh}
        if self.vet is not None and fresh:
            vetted = self.vet(fresh)
            hints = {m: vetted[m] for m in fresh if m in vetted}
        created = self._create(database, hints, now, default_language)
        people = []
        for member in ids:
            if member in known:
                people.append(_recipient(self.channel, known[member], self.members[member],
                                         default_language))
            elif member in created:
                people.append(created[member])
        return people

    def _create(self, database: Database, hints: Mapping[str, str | None], now: datetime,
                default_language: str) -> dict[str, Recipient]:
        """Store the newcomers (in their hinted language) and return them as recipients."""
        created = {}
        keyring = self.keyring or Keyring.configured_or_stored(None, database)
        keyring.load()  # outside the transaction: it may store the secret
        with database.transaction() as session:
            for member, hint in hints.items():
                language = choose_language(None, hint, default_language)
                row = respondents.create_respondent(session, self.channel, member, now,
                                                    internal=self.internal, language=language,
                                                    keyring=keyring)
                created[member] = Recipient(row.id, self.channel, language,
                                            opted_out=row.opted_out_at is not None)
        return created


@dataclass(frozen=True)
class Consenting:
    """Everyone on one channel who agreed to hear from us: the audience of announcements."""

    channel: str

    def recipients(self, database: Database, now: datetime,
                   default_language: str) -> list[Recipient]:
        """Return the channel's consenting people (the rules still skip who said stop)."""
        with database.transaction() as session:
            found = respondents.consenting_people(session, self.channel)
        return [_recipient(self.channel, person, None, default_language)
                for person in found.values()]


def _recipient(channel: str, person: Known, hint: str | None, default: str) -> Recipient:
    """Return a stored person as a recipient, in the language they are spoken to in."""
    return Recipient(person.respondent_id, channel,
                     choose_language(person.language, hint, default),
                     person.opted_out, person.unreachable, person.consented)


@dataclass(frozen=True)
class Planned:
    """What one planning did: deliveries newly queued, and people newly skipped by reason."""

    planned: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    """Where a campaign stands: one delivery per person, each pending, sent, failed or skipped.

    ``planned`` is every person the campaign was for, so ``planned`` equals
    ``pending + sent + sum(failed.values()) + sum(skipped.values())``; people who
    said stop after planning are counted as skipped ("opted out").
    """

    planned: int = 0
    sent: int = 0
    pending: int = 0
    failed: Mapping[str, int] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)


class Gate(Protocol):
    """A campaign's own check beyond the kind's rule, run in the planning transaction.

    Triggered invitations use one for the contact cap: :meth:`refusal` locks and
    counts, :meth:`admitted` records the invitation of a delivery newly planned.
    """

    def refusal(self, session: Session, person: Recipient, now: datetime) -> str | None:
        """Return why this person is skipped (the kind's rule let them through), or None."""

    def admitted(self, session: Session, person: Recipient, campaign: CampaignRow,
                 now: datetime) -> None:
        """Record what the campaign needs once a delivery to this person is newly planned."""


def delivery_key(campaign: str, respondent_id: int) -> str:
    """Return the idempotency key of one person's delivery in a campaign."""
    return f"campaign:{campaign}:{respondent_id}"


def plan(database: Database, key: str, kind: DeliveryKind, audience: Audience,
         message: Message, *, now: datetime, default_language: str = "en",
         gate: Gate | None = None) -> Planned:
    """Plan a campaign: one delivery per person of the audience, once, by the kind's rule.

    A ``gate`` may skip people for the campaign's own reasons, in the same transaction.
    """
    kind = DeliveryKind(kind)
    people = audience.recipients(database, now, default_language)
    payloads: dict[str, dict[str, Any]] = {}
    planned = 0
    skipped: dict[str, int] = {}
    with database.transaction() as session:
        campaign = store.ensure_campaign(session, key, kind, audience.channel, now)
        for person in people:
            reason = person_refusal(kind, opted_out=person.opted_out,
                                    unreachable=person.unreachable, consented=person.consented)
            if reason is None and gate is not None:
                reason = gate.refusal(session, person, now)
            if reason is None and person.language not in payloads:
                payloads[person.language] = message(person.language).to_dict()
            added = deliveries.enqueue(
                session, key=delivery_key(key, person.respondent_id), kind=kind,
                channel=person.channel, respondent_id=person.respondent_id, address=None,
                payload={} if reason else payloads[person.language], now=now,
                campaign_id=campaign.id, skipped=reason,
            )
            if added and reason:
                skipped[reason] = skipped.get(reason, 0) + 1
            elif added:
                planned += 1
                if gate is not None:
                    gate.admitted(session, person, campaign, now)
    return Planned(planned, skipped)


def progress(database: Database, key: str) -> Progress | None:
    """Count a campaign's outcomes (None when there is no campaign with this key)."""
    with database.reading() as connection:
        campaign = store.find_campaign(connection, key)
        if campaign is None:
            return None
        return tally(store.outcomes(connection, campaign.id))


def tally(counted: Sequence[store.Outcome]) -> Progress:
    """Sum a campaign's outcomes by status and reason into its progress."""
    total = {status: 0 for status in DeliveryStatus}
    failed: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for outcome in counted:
        total[outcome.status] += outcome.count
        reason = outcome.reason or "unknown"
        if outcome.status is DeliveryStatus.FAILED:
            failed[reason] = failed.get(reason, 0) + outcome.count
        elif outcome.status in (DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED):
            skipped[reason] = skipped.get(reason, 0) + outcome.count
    return Progress(planned=sum(total.values()), sent=total[DeliveryStatus.SENT],
                    pending=total[DeliveryStatus.PENDING], failed=failed, skipped=skipped)
