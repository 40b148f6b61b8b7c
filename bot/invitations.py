"""Triggered surveys: an outside system asks Écoute to survey one person after something happened.

Usage::

    outcome = invite(db, catalog, Request("csat", "telegram", "42", context="order-981",
                                          customer_ref="C-1"), now=clock(), cap=timedelta(days=7))
    outcome.invitation   # "3f0c…" when planned, else None and outcome.skipped says why

An invitation is a campaign of one (:mod:`bot.campaigns`, kind ``invitation``):
the outbox's rule for the kind (consent needed, stop blocks it) is applied when
planning and again when sending, and a :class:`~bot.campaigns.Gate` adds the
contact cap: at most one invitation per person per ``cap``, counted over every
identity that shares their ``customer_ref`` (:mod:`storage.invitations` says how
the rows are locked). The campaign's key is derived from the caller's idempotency
key when there is one, so a retried request plans nothing twice and gets the first
answer again.

The message is the survey's first question, with its choices (buttons where the
platform has them). The person's tap, or a typed reply while the invitation is
fresh (the idle timeout), opens the conversation with the invitation's context and
takes that answer (:func:`handle`, called by the engine): they go on as if they had
started the survey themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import dialogue
from bot.campaigns import Recipient, plan
from bot.context import TurnContext
from bot.i18n import choose_language, gettext_for, pick
from bot.messages import Kind, Outbound
from bot.surveys import Survey, SurveyCatalog
from storage import campaigns
from storage import invitations as store
from storage.campaigns import CampaignRow
from storage.db import Database
from storage.vocabulary import DeliveryKind, DeliveryStatus, InvitationSkip

REF_PREFIX = "invite:"
CAPPED = "capped"  # the gate's reason, stored on the skipped delivery
SKIPS = {  # the outbox's and the gate's reasons, in the API's words
    "opted out": InvitationSkip.STOPPED,
    "unreachable": InvitationSkip.UNREACHABLE,
    "no consent": InvitationSkip.NO_CONSENT,
    CAPPED: InvitationSkip.CAPPED,
}


@dataclass(frozen=True)
class Request:
    """What an outside system asks: survey one person, found by channel and platform id.

    ``idempotency`` names the request for good (see :func:`idempotency`): the same
    value plans at most once. ``customer_ref`` sets or confirms the company's id for
    the person (a different one replaces the old).
    """

    survey: str
    channel: str
    external_id: str
    context: str | None = None
    customer_ref: str | None = None
    idempotency: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The answer: the planned invitation's public id, or why none was planned."""

    invitation: str | None = None
    skipped: InvitationSkip | None = None


def idempotency(caller: str, key: str) -> str:
    """Return the digest naming one caller's request by its idempotency key (no key stored)."""
    return hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()[:40]


def invitation_ref(public_id: str) -> str:
    """Return the ref an invitation's first question carries."""
    return f"{REF_PREFIX}{public_id}"


def invite(database: Database, catalog: SurveyCatalog, request: Request, *, now: datetime,
           cap: timedelta, default_language: str = "en") -> Outcome:
    """Plan the invitation ``request`` asks for, or say why not (LookupError: no such survey)."""
    survey = catalog.get(request.survey)
    if survey is None:
        raise LookupError(f"no survey {request.survey!r}")
    key = f"invitation:{request.idempotency or secrets.token_hex(20)}"
    answered = outcome_of(database, key)
    if answered is not None:
        return answered  # a retry: the first answer again
    with database.transaction() as session:
        person = store.find_person(session, request.channel, request.external_id)
        if person is not None and request.customer_ref is not None:
            store.link_customer(session, person.respondent_id, request.customer_ref)
    if person is None:
        return Outcome(skipped=InvitationSkip.UNKNOWN_PERSON)
    public_id = secrets.token_hex(12)
    recipient = Recipient(person.respondent_id, request.channel,
                          choose_language(person.language, None, default_language),
                          person.opted_out, person.unreachable, person.consented)
    plan(database, key, DeliveryKind.INVITATION, _One(recipient),
         lambda language: first_question(survey, language, public_id), now=now,
         default_language=default_language,
         gate=_Cap(public_id, survey.key, request.context, cap))
    found = outcome_of(database, key)
    assert found is not None, "planning stores the campaign"
    return found


def outcome_of(database: Database, key: str) -> Outcome | None:
    """Return what the campaign ``key`` planned, or None when there is no such campaign."""
    with database.reading() as connection:
        campaign = campaigns.find_campaign(connection, key)
        if campaign is None:
            return None
        invitation = store.by_campaign(connection, campaign.id)
        if invitation is not None:
            return Outcome(invitation=invitation.public_id)
        reasons = [o.reason for o in campaigns.outcomes(connection, campaign.id)
                   if o.status is DeliveryStatus.SKIPPED]
    return Outcome(skipped=SKIPS.get(reasons[0] if reasons else "", InvitationSkip.CAPPED))


def first_question(survey: Survey, language: str, public_id: str) -> Outbound:
    """Return the invitation: the survey's first question, its choices, and how to say stop."""
    _ = gettext_for(language)
    question = survey.next_question(None, {})
    assert question is not None, "a validated survey has a question"
    lines = [_("A quick question from us: {title}").format(title=pick(survey.title, language)),
             pick(question.text, language)]
    if question.hint:
        lines.append(pick(question.hint, language))
    lines.append(_("(Reply “stop” and we will not write to you again.)"))
    choices, expects = dialogue.choices_for(question, language)
    return Outbound(
        "\n".join(lines), Kind.QUESTION, choices=choices, ref=invitation_ref(public_id),
        expects=expects, progress=dialogue.progress_of(survey, question, {}),
        max_length=question.max_length if question.type == "text" else None, language=language,
    )


def handle(ctx: TurnContext) -> bool:
    """Take the inbound message as the answer to an invitation, if it is one; True if it was.

    A tap on an invitation's buttons (or text sent with its ref, from the widget)
    always is (a stale or foreign one gets a notice); other typed text is when the
    person has no active conversation and an invitation of theirs, not yet begun, is
    younger than the idle timeout.
    """
    inbound = ctx.inbound
    answers = inbound.choice_id is not None or bool(inbound.text)
    if answers and (inbound.ref or "").startswith(REF_PREFIX):
        found = store.by_public_id(ctx.connection, str(inbound.ref)[len(REF_PREFIX):])
        if found is None or found.respondent_id != ctx.respondent.id \
                or found.conversation_id is not None:
            ctx.say(ctx._("That question has already been answered."), Kind.NOTICE)
            return True
    elif inbound.choice_id is None and inbound.text and ctx.conversation is None:
        found = store.awaiting_answer(ctx.connection, ctx.respondent.id,
                                      ctx.now - ctx.settings.idle_timeout)
        if found is None:
            return False
    else:
        return False
    survey = ctx.catalog.get(found.survey)
    if survey is None:  # the survey was removed since: the message is read as usual
        return False
    dialogue.begin_with_answer(ctx, survey, found.context)
    assert ctx.conversation is not None
    store.mark_started(ctx.connection, found.id, ctx.conversation.id, ctx.now)
    return True


@dataclass(frozen=True)
class _One:
    """The audience of an invitation: one known person."""

    person: Recipient

    @property
    def channel(self) -> str:
        """Return the person's channel."""
        return self.person.channel

    def recipients(self, database: Database, now: datetime,
                   default_language: str) -> list[Recipient]:
        """Return the person."""
        return [self.person]


@dataclass(frozen=True)
class _Cap:
    """The contact cap, checked and recorded in the planning transaction."""

    public_id: str
    survey: str
    context: str | None
    window: timedelta

    def refusal(self, session: Session, person: Recipient, now: datetime) -> str | None:
        """Lock the person's group and refuse when any of them was invited within the window."""
        group = store.lock_group(session, person.respondent_id)
        return CAPPED if store.invited_since(session, group, now - self.window) else None

    def admitted(self, session: Session, person: Recipient, campaign: CampaignRow,
                 now: datetime) -> None:
        """Store the invitation (what the cap counts, and what the answer opens)."""
        store.add_invitation(session, public_id=self.public_id,
                             respondent_id=person.respondent_id, campaign_id=campaign.id,
                             survey=self.survey, context=self.context, now=now)
