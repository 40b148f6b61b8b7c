"""The complainant's side of the conversation about their complaint, inside the engine's turn.

Called by the engine (:meth:`bot.engine.DialogueEngine._route`) after commands
and invitations, :func:`handle` takes the message when it belongs to one of the
person's complaints:

- a tap on a notice's or a question's choice (ids ``complaint:R-2026-0042:yes``,
  ``…:no``, ``…:score:4``, made by :mod:`bot.complaint_notices`): always theirs;
- typed outside any survey: "yes"/"no" (or 1/2) while a resolution of theirs
  awaits its answer, a number 1-5 while the handling rating does;
- anything else typed outside any survey while one of their complaints is open:
  it is attached to it, as the complainant's message in its history (actor
  ``respondent``, no status change, not a staff note), the assignee is alerted
  (:data:`~bot.complaint_alerts.ComplaintAlert.MESSAGE`, without the words) and
  the person is told it was added.

Everything happens in the turn's transaction, so one inbound event has its effect
once. Only the complaint's author is answered about it: someone else's reference
gets the same "no complaint with that reference" as a made-up one.
"""

from __future__ import annotations

from bot import complaint_alerts, complaint_resolution
from bot.complaint_alerts import ComplaintAlert
from bot.complaint_desk import MAX_DESCRIPTION
from bot.complaint_notices import REF_PREFIX, question_ref, resolution_choice
from bot.complaints import OPEN, Reference
from bot.context import TurnContext
from bot.messages import Choice, InputHint, Kind
from bot.questions import NO_WORDS, YES_WORDS
from storage import complaint_followups as followups
from storage import complaints as store
from storage.complaint_followups import Theirs
from storage.complaints import EventRow
from storage.vocabulary import ComplaintClosure, ComplaintStatus

THREAD = frozenset({*OPEN, ComplaintStatus.RESOLVED})  # what the person's messages join


def handle(ctx: TurnContext) -> bool:
    """Take the message when it answers or joins one of the person's complaints; True if so."""
    inbound = ctx.inbound
    if inbound.choice_id is not None:
        if not inbound.choice_id.startswith(REF_PREFIX):
            return False
        reference, _, answer = inbound.choice_id[len(REF_PREFIX):].partition(":")
        _answer(ctx, reference, answer)
        return True
    text = (inbound.text or "").strip()
    if not text or (ctx.conversation is not None and ctx.conversation.step is not None):
        return False
    return _typed(ctx, text)


def _typed(ctx: TurnContext, text: str) -> bool:
    """Read typed text as an answer about a complaint, or as a message to add to one."""
    mentioned = _mentioned(ctx.inbound.ref)
    word = text.casefold().rstrip(".!")
    asked = followups.theirs(ctx.connection, ctx.respondent.id, reference=mentioned,
                             statuses=(ComplaintStatus.RESOLVED,))
    if asked is not None and asked.resolution_asked_at is not None:
        if word in YES_WORDS or word == "1":
            _answer(ctx, asked.reference, "yes")
            return True
        if word in NO_WORDS or word == "2":
            _answer(ctx, asked.reference, "no")
            return True
    rating = followups.awaiting_score(ctx.connection, ctx.respondent.id,
                                      ctx.now - ctx.settings.idle_timeout)
    if rating is not None and word.isdecimal() and int(word) in complaint_resolution.SCORES:
        _answer(ctx, rating.reference, f"score:{word}")
        return True
    current = followups.theirs(ctx.connection, ctx.respondent.id, reference=mentioned,
                               statuses=THREAD)
    if current is None:
        return False
    _attach(ctx, current, text)
    return True


def said_by_complainant(event: EventRow) -> bool:
    """Tell whether a history event is a message the complainant wrote (for the history's view)."""
    return (event.actor == complaint_resolution.COMPLAINANT and event.status_to is None
            and event.note is not None)


def _answer(ctx: TurnContext, reference: str, answer: str) -> None:
    """Apply the person's answer about their complaint ``reference``."""
    _ = ctx._
    parsed = Reference.parse(reference)
    theirs = None if parsed is None else followups.theirs(
        ctx.connection, ctx.respondent.id, reference=str(parsed))
    if theirs is None:  # not theirs, or no such complaint: the very same answer
        ctx.say(_("There is no complaint with the reference {ref}.").format(
            ref=reference.strip().upper()[:32]))
        return
    complaint = store.find(ctx.connection, theirs.reference)
    assert complaint is not None
    settings = ctx.settings
    if answer in ("yes", "no") and theirs.status == ComplaintStatus.RESOLVED:
        if answer == "yes":
            complaint_resolution.settle(ctx.connection, settings, complaint, now=ctx.now)
            ctx.say(_("Thank you! Your complaint {ref} is closed.").format(ref=theirs.reference),
                    Kind.ACKNOWLEDGEMENT)
            _ask_rating(ctx, theirs.reference)
        else:
            complaint_resolution.reopen(ctx.connection, settings, complaint, now=ctx.now)
            ctx.say(_("We are sorry it is not settled. Your complaint {ref} is reopened and "
                      "the person handling it has been told.").format(ref=theirs.reference),
                    Kind.ACKNOWLEDGEMENT)
        return
    score = _score(answer)
    if score is not None and _may_rate(theirs) and complaint_resolution.rate(
            ctx.connection, settings, complaint, score, now=ctx.now):
        ctx.say(_("Thank you for your rating!"), Kind.ACKNOWLEDGEMENT)
        return
    ctx.say(_("That question has already been answered."), Kind.NOTICE)


def _ask_rating(ctx: TurnContext, reference: str) -> None:
    """Ask the one question on how the complaint was handled (CSAT 1-5)."""
    choices = tuple(Choice(resolution_choice(reference, f"score:{n}"), str(n))
                    for n in complaint_resolution.SCORES)
    ctx.say(ctx._("One last question: how satisfied are you with how your complaint was "
                  "handled? (1 = not at all, 5 = very satisfied)"),
            Kind.QUESTION, choices=choices, ref=question_ref(reference),
            expects=InputHint.SCALE)


def _attach(ctx: TurnContext, current: Theirs, text: str) -> None:
    """Add the person's message to their open complaint, alert its assignee, acknowledge."""
    _ = ctx._
    if len(text) > MAX_DESCRIPTION:
        ctx.say(_("Your message is too long: please keep it under {limit} characters.").format(
            limit=MAX_DESCRIPTION), Kind.NOTICE)
        return
    event_id = followups.add_message(ctx.connection, current.id,
                                     actor=complaint_resolution.COMPLAINANT, text=text,
                                     now=ctx.now)
    complaint = store.find(ctx.connection, current.reference)
    assert complaint is not None
    complaint_alerts.plan(
        ctx.connection, ctx.settings, complaint, ComplaintAlert.MESSAGE,
        key=f"complaint-message:{current.reference}:{event_id}", now=ctx.now,
        for_staff=followups.staff_to_alert(ctx.connection, current.id, managers=False))
    ctx.say(_("Your message was added to your complaint {ref}. We will answer you here.")
            .format(ref=current.reference), Kind.ACKNOWLEDGEMENT)


def _may_rate(theirs: Theirs) -> bool:
    """Tell whether the complaint awaits its author's rating (closed with their yes)."""
    return theirs.closure == ComplaintClosure.CONFIRMED and theirs.handling_score is None


def _score(answer: str) -> int | None:
    """Read ``score:4`` into 4 (None for anything else)."""
    kind, _, value = answer.partition(":")
    if kind != "score" or not value.isdecimal():
        return None
    score = int(value)
    return score if score in complaint_resolution.SCORES else None


def _mentioned(ref: str | None) -> str | None:
    """Return the reference a question's ref names (``complaint:R-2026-0042``), if any."""
    if not ref or not ref.startswith(REF_PREFIX):
        return None
    parsed = Reference.parse(ref[len(REF_PREFIX):])
    return str(parsed) if parsed is not None else None
