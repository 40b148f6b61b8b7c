"""Answers to calls for participants, and the standing panel, as the engine sees them.

A tap on an invitation's buttons carries the call's ref (``call:<id>``):

- **I'm in** takes a place while one is left (first come, first served: the store
  locks the call); when the call is full the person is told so kindly and offered
  the waiting list;
- **No thanks** records the refusal;
- after a place or a place on the waiting list, the person is asked for a contact
  detail to pass to the organiser: typed (an e-mail address or a phone number), or,
  for an employee, their profile on the platform they use; "no" passes nothing.

``panel leave`` / ``quitter le panel`` takes a person out of the standing panel on
every channel; joining it is offered after they agree to hear from us
(:mod:`bot.commands`).
"""

from __future__ import annotations

import re

from bot import calls
from bot.context import TurnContext
from bot.messages import Choice, InputHint, Kind
from bot.questions import NO_WORDS
from storage import calls as store
from storage.calls import CallFull, CallRow
from storage.vocabulary import ParticipationStatus

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
PHONE = re.compile(r"\+?[\d\s().-]{7,24}")
LEAVE_PANEL = frozenset({"panel leave", "leave panel", "leave the panel", "quitter le panel",
                         "quitter panel"})
P = ParticipationStatus


def handle(ctx: TurnContext) -> bool:
    """Take the message as an answer to a call or as leaving the panel; True if it was."""
    inbound = ctx.inbound
    if (inbound.ref or "").startswith(calls.REF_PREFIX) and inbound.choice_id:
        _tapped(ctx, (inbound.ref or "")[len(calls.REF_PREFIX):], inbound.choice_id)
        return True
    text = (inbound.text or "").strip()
    if not text or inbound.choice_id is not None:
        return False
    if " ".join(text.casefold().split()) in LEAVE_PANEL:
        _leave_panel(ctx)
        return True
    if ctx.conversation is not None and ctx.conversation.step is not None:
        return False
    asked = store.awaiting_contact(ctx.connection, ctx.respondent.id, ctx.now)
    if asked is None:
        return False
    _contact(ctx, asked.id, text)
    return True


def _tapped(ctx: TurnContext, call_ref: str, choice: str) -> None:
    """Answer a tap on a call's buttons."""
    _ = ctx._
    call = store.find_call(ctx.connection, int(call_ref), lock=True) \
        if call_ref.isdecimal() else None
    if call is None or not calls.is_open(call, ctx.now):
        ctx.say(_("This call for participants is closed. Thank you all the same!"), Kind.NOTICE)
        return
    if choice == "share" or choice == "noshare":
        asked = store.awaiting_contact(ctx.connection, ctx.respondent.id, ctx.now)
        if asked is not None and asked.call_id == call.id and choice == "share":
            profile = f"{ctx.respondent.channel}:{ctx.respondent.external_id}"
            _pass_on(ctx, asked.id, profile)
        elif asked is not None and asked.call_id == call.id:
            _contact(ctx, asked.id, "no")
        return
    done = store.answer_of(ctx.connection, call.id, ctx.respondent.id)
    if done is not None:
        ctx.say(_("You have already answered this call: {answer}.").format(
            answer=_status_words(ctx, done.status)), Kind.NOTICE)
        return
    wanted = {"in": P.CONFIRMED, "wait": P.WAITING, "out": P.DECLINED}.get(choice)
    if wanted is None:
        ctx.say(_("That question has already been answered."), Kind.NOTICE)
        return
    _answer(ctx, call, wanted)


def _answer(ctx: TurnContext, call: CallRow, wanted: ParticipationStatus) -> None:
    """Record the answer and say what it means; a full call offers the waiting list."""
    _ = ctx._
    asking = wanted is not P.DECLINED
    until = ctx.now + ctx.settings.idle_timeout if asking else None
    try:
        store.take_place(ctx.connection, call, ctx.respondent.id, status=wanted, now=ctx.now,
                         contact_until=until)
    except CallFull:
        ctx.say(_("Thank you! All the places are taken already, sorry. "
                  "Would you like to be on the waiting list? We will write if a place frees up."),
                Kind.QUESTION, choices=(Choice("wait", _("Yes, put me on the list")),
                                        Choice("out", _("No thanks"))),
                ref=f"{calls.REF_PREFIX}{call.id}", expects=InputHint.CHOICE)
        return
    if wanted is P.DECLINED:
        ctx.say(_("Understood, thank you for your answer."), Kind.ACKNOWLEDGEMENT)
        return
    said = _("You have a place. Thank you!") if wanted is P.CONFIRMED \
        else _("You are on the waiting list. Thank you!")
    _ask_contact(ctx, call, said)


def _ask_contact(ctx: TurnContext, call: CallRow, said: str) -> None:
    """Ask for consent to pass a contact detail to the organiser."""
    _ = ctx._
    if ctx.respondent.internal:
        ctx.say(f"{said}\n" + _("May we pass your profile to the organiser so they can "
                                "contact you?"),
                Kind.QUESTION, choices=(Choice("share", _("Yes, share my profile")),
                                        Choice("noshare", _("No"))),
                ref=f"{calls.REF_PREFIX}{call.id}", expects=InputHint.CHOICE)
        return
    ctx.say(f"{said}\n" + _("So the organiser can contact you, type an e-mail address or a "
                            "phone number we may pass on to them, or “no”."),
            Kind.QUESTION, expects=InputHint.TEXT)


def _contact(ctx: TurnContext, participation_id: int, text: str) -> None:
    """Store the contact detail given with consent, or nothing on "no"; re-ask what is neither."""
    _ = ctx._
    word = text.casefold().rstrip(".!")
    if word in NO_WORDS:
        store.set_contact(ctx.connection, participation_id, None)
        ctx.say(_("Understood: we pass nothing on. The organiser will reach you here."),
                Kind.ACKNOWLEDGEMENT)
        return
    if len(text) > 254 or not (EMAIL.fullmatch(text) or PHONE.fullmatch(text)):
        ctx.say(_("That does not look like an e-mail address or a phone number. "
                  "Type one, or “no”."), Kind.REASK, expects=InputHint.TEXT)
        return
    _pass_on(ctx, participation_id, text)


def _pass_on(ctx: TurnContext, participation_id: int, contact: str) -> None:
    """Store the contact detail the person agreed to pass on (typed, or their profile)."""
    store.set_contact(ctx.connection, participation_id, contact)
    ctx.say(ctx._("Thank you! The organiser will contact you."), Kind.ACKNOWLEDGEMENT)


def _leave_panel(ctx: TurnContext) -> None:
    """Take the person out of the standing panel."""
    _ = ctx._
    if store.set_panel(ctx.connection, ctx.respondent.id, None):
        ctx.say(_("You have left the panel: no more invitations to tests."), Kind.ACKNOWLEDGEMENT)
    else:
        ctx.say(_("You are not in the panel."), Kind.INFO)


def join_panel(ctx: TurnContext) -> None:
    """Put the person in the standing panel and say how to leave it."""
    store.set_panel(ctx.connection, ctx.respondent.id, ctx.now)
    ctx.say(ctx._("Thank you! You are in our panel. To leave it, type “panel leave”."),
            Kind.ACKNOWLEDGEMENT)


def _status_words(ctx: TurnContext, status: ParticipationStatus) -> str:
    """Return an answer to a call in words."""
    _ = ctx._
    return {P.CONFIRMED: _("you have a place"), P.WAITING: _("you are on the waiting list"),
            P.DECLINED: _("no thanks")}[status]
