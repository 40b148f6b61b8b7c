"""Telling the complainant what happened to their complaint: one notice per visible event.

Usage (after a staff change is committed or in its transaction)::

    complaint_notices.after_event(session, settings, event_id, now=now)

A visible event of a complaint's history (a staff note or reply, a status change
with a visible note) becomes one message to the person who filed it, through the
outbox (kind ``complaint_update``), on the channel they used and in the language
they filed in, with the reference and the new status in words. The outbox key is
``complaint-notice:<event id>``: an event is told once however often this runs.
On the widget (a pull channel) the message waits in the visitor's inbox.

Who gets one: only the person who agreed to be contacted about this complaint
(its own ``contact_consent``); their "stop" still blocks it (the rule of
``complaint_update`` in :mod:`bot.delivery_rules`); an anonymised complaint (its
author said "forget") has nobody to tell.

A move to ``resolved`` carries the resolution (the note) and asks "Does this
settle your complaint?" with yes and no as choices whose ids carry the reference
(:func:`resolution_choice`); the time it was asked is kept
(``resolution_asked_at``). :mod:`bot.complaint_thread` reads the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.complaints import STATUS_NAMES
from bot.context import EngineSettings
from bot.i18n import gettext_for
from bot.messages import Choice, InputHint, Kind, Outbound
from storage import complaint_followups as store
from storage import deliveries
from storage.complaint_followups import NoticeEvent
from storage.db import Database, Executor
from storage.vocabulary import ComplaintStatus, DeliveryKind, RejectionReason

REF_PREFIX = "complaint:"  # the ref of a question about a complaint: complaint:R-2026-0042
SENT_LOOKBACK = timedelta(days=30)  # how far back a notice's send time is copied to its event


def N_(text: str) -> str:
    """Mark a message for extraction; it is translated when the notice is built."""
    return text


REASONS = {
    RejectionReason.NOT_A_COMPLAINT: N_("it is not a complaint we can handle"),
    RejectionReason.OUT_OF_SCOPE: N_("it is outside what we handle"),
}


def question_ref(reference: str) -> str:
    """Return the ref of the questions about one complaint."""
    return f"{REF_PREFIX}{reference}"


def resolution_choice(reference: str, answer: str) -> str:
    """Return the id of one answer (``yes``, ``no``, ``score:4``) about one complaint."""
    return f"{REF_PREFIX}{reference}:{answer}"


def after_event(session: Executor, settings: EngineSettings, event_id: int, *,
                now: datetime) -> bool:
    """Plan the notice of one event to the complainant, if it is for them; True if planned."""
    event = store.event_of(session, event_id)
    if event is None or not event.visible or event.respondent_id is None:
        return False  # no such event, a staff-only note, or the author was forgotten
    if not event.contact_consent:
        return False  # they did not agree to be contacted about this complaint
    asks = event.status_to == ComplaintStatus.RESOLVED and event.status_from != event.status_to
    planned = deliveries.enqueue(
        session, key=store.notice_key(event.event_id), kind=DeliveryKind.COMPLAINT_UPDATE,
        channel=event.channel, respondent_id=event.respondent_id, address=None,
        payload=notice(event, asks=asks).to_dict(), now=now,
    )
    if planned and asks:
        store.mark_asked(session, event.complaint_id, now)
    return planned


def notice(event: NoticeEvent, *, asks: bool) -> Outbound:
    """Return the message telling the complainant about ``event`` (in their language)."""
    _ = gettext_for(event.language)
    reference = event.reference
    moved = event.status_to is not None and event.status_to != event.status_from
    if not moved:
        lines = [_("A message about your complaint {ref}:").format(ref=reference)]
    elif event.status_to == ComplaintStatus.REJECTED and event.reason:
        lines = [_("Your complaint {ref} was not taken further: {reason}.").format(
            ref=reference, reason=_(REASONS[RejectionReason(event.reason)]))]
    else:
        status = _(STATUS_NAMES[ComplaintStatus(str(event.status_to))])
        lines = [_("Your complaint {ref} is now {status}.").format(ref=reference, status=status)]
    if event.note:
        lines.append(event.note)
    if not asks:
        return Outbound("\n".join(lines), Kind.INFO, language=event.language)
    lines.append(_("Does this settle your complaint?"))
    choices = (Choice(resolution_choice(reference, "yes"), _("Yes, it is settled")),
               Choice(resolution_choice(reference, "no"), _("No, it is not settled")))
    return Outbound("\n".join(lines), Kind.QUESTION, choices=choices,
                    ref=question_ref(reference), expects=InputHint.CHOICE,
                    language=event.language)


def record_sent(database: Database, now: datetime) -> int:
    """Mark the events whose notice was sent (``complaint_event.sent_at``); return how many."""
    with database.transaction() as session:
        return store.record_sent(session, now - SENT_LOOKBACK)
