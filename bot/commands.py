"""The commands every channel maps to: help, start, start again, language, stop, forget,
complaint, status.

A platform may mark a command itself (``Inbound.command``: Telegram's ``/stop``, a
Slack slash command); a person may also type it as a word in English or French
(``aide``, ``langue fr``). A whole message must be the command (plus one argument
for the commands that take one), so a free-text answer such as "stop making me
wait" stays an answer. Tapped choices carry namespaced ids (``survey:nps``,
``lang:fr``) that can never collide with survey option ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import call_answers, complaint_intake, dialogue
from bot.context import TurnContext
from bot.i18n import SUPPORTED, language_name, normalise, pick
from bot.messages import Choice, InputHint, Kind
from bot.questions import NO_WORDS, YES_WORDS
from storage import conversations, deliveries, erasure, suppression
from storage.hotpath import tracked
from storage.vocabulary import ConversationStatus

ALIASES: dict[str, str] = {
    "help": "help", "aide": "help", "?": "help", "menu": "help", "commands": "help",
    "start": "start", "feedback": "start", "survey": "start", "surveys": "start",
    "commencer": "start", "démarrer": "start", "avis": "start", "sondage": "start",
    "hello": "start", "hi": "start", "bonjour": "start", "salut": "start",
    "restart": "restart", "start again": "restart", "again": "restart",
    "recommencer": "restart",
    "language": "language", "langue": "language", "lang": "language",
    "stop": "stop", "arrêt": "stop", "arret": "stop", "unsubscribe": "stop",
    "désabonner": "stop",
    "forget": "forget", "forget me": "forget", "oublier": "forget",
    "oubliez-moi": "forget", "oublie-moi": "forget", "oubliez moi": "forget",
    "status": "status", "statut": "status", "suivi": "status",
    "complaint": "complaint", "complain": "complaint", "réclamation": "complaint",
    "reclamation": "complaint", "plainte": "complaint",
}
TAKES_ARGUMENT = frozenset({"start", "language", "status"})


@dataclass(frozen=True)
class Command:
    """A recognised command and its optional argument."""

    name: str
    argument: str | None = None


def recognise(ctx: TurnContext) -> Command | None:
    """Return the command an inbound message is, if it is one."""
    inbound = ctx.inbound
    if inbound.command:
        name = ALIASES.get(inbound.command.lstrip("/").casefold(), "unknown")
        return Command(name, inbound.argument)
    if inbound.choice_id:
        prefix, _, rest = inbound.choice_id.partition(":")
        if prefix == "survey":
            return Command("start", rest)
        if prefix == "lang":
            return Command("language", rest)
        if prefix == "cmd":
            return Command(rest)
        return None
    return _typed(inbound.text or "")


def _typed(text: str) -> Command | None:
    """Recognise a command typed as a word (``/stop``, ``langue fr``)."""
    words = text.strip().casefold().lstrip("/").split()
    if not words or len(words) > 2:
        return None
    whole = " ".join(words)
    if whole in ALIASES:
        return Command(ALIASES[whole])
    name = ALIASES.get(words[0])
    if name in TAKES_ARGUMENT and len(words) == 2:
        return Command(name, words[1])
    return None


def run(ctx: TurnContext, command: Command) -> None:
    """Carry out a recognised command."""
    handler = {
        "help": _help,
        "start": _start,
        "restart": _restart,
        "language": _language,
        "stop": _stop,
        "forget": _forget,
        "status": complaint_intake.status,
        "complaint": _complaint,
    }.get(command.name, _unknown)
    handler(ctx, command.argument)


def menu(ctx: TurnContext, text: str) -> None:
    """Say ``text`` with the surveys this person may start as choices."""
    surveys = [s for s in ctx.catalog.offered(ctx.respondent.internal) if s.kind == "survey"]
    if not surveys:
        ctx.say(ctx._("There is no survey to answer right now."), Kind.INFO)
        return
    choices = tuple(Choice(f"survey:{s.key}", pick(s.title, ctx.language)) for s in surveys)
    ctx.say(text, Kind.MENU, choices=choices, ref="menu", expects=InputHint.CHOICE)


def _help(ctx: TurnContext, _argument: str | None) -> None:
    """Explain what the bot does and which words it understands."""
    _ = ctx._
    ctx.say(
        _(
            "I collect your feedback in a few quick questions. You can type:\n"
            "• start: answer a survey\n"
            "• start again: restart the current survey\n"
            "• language: choose English or French\n"
            "• complaint: file a complaint\n"
            "• status REF: follow a complaint\n"
            "• stop: no more messages from us\n"
            "• forget: erase everything we know about you"
        ),
        Kind.INFO,
    )
    if ctx.conversation is not None:
        dialogue.resume(ctx)
    else:
        menu(ctx, _("Which survey would you like to answer?"))


def _start(ctx: TurnContext, argument: str | None) -> None:
    """Start (or resume) a survey; after "stop", starting again opts back in."""
    _ = ctx._
    if ctx.respondent.opted_out_at is not None and not argument:
        # Only a plain "start" opts back in: opening a survey (a widget, a deep link)
        # is answering, not asking to be messaged again.
        ctx.respondent.opted_out_at = None
        suppression.release(ctx.session, ctx.keyring, ctx.respondent.channel,
                            ctx.respondent.external_id)
        ctx.say(_("Welcome back! You will hear from us again."), Kind.ACKNOWLEDGEMENT)
    if argument:
        survey = ctx.catalog.get(argument.casefold())
        if survey is None or survey not in ctx.catalog.offered(ctx.respondent.internal):
            menu(ctx, _("There is no survey called “{key}”. Pick one:").format(key=argument))
            return
        if survey.kind == "complaint":
            complaint_intake.start(ctx, ctx.inbound.context)
            return
        dialogue.start(ctx, survey, ctx.inbound.context)
    elif ctx.conversation is not None:
        dialogue.resume(ctx)
    else:
        menu(ctx, _("Hello! Which survey would you like to answer?"))


def _restart(ctx: TurnContext, _argument: str | None) -> None:
    """Start the current (or last) survey again from its first question."""
    last = ctx.conversation or conversations.last_conversation(ctx.session, ctx.respondent.id)
    if last is None:
        menu(ctx, ctx._("Which survey would you like to answer?"))
        return
    survey = ctx.catalog.get(ctx.survey_of(ctx.session, last).key)
    if survey is None:
        menu(ctx, ctx._("Which survey would you like to answer?"))
        return
    if ctx.conversation is not None:
        ctx.conversation.status = ConversationStatus.ABANDONED
        ctx.conversation.updated_at = ctx.now
        tracked.save(ctx.session, ctx.conversation)
        ctx.conversation = None
    dialogue.start(ctx, survey, last.context)


def _language(ctx: TurnContext, argument: str | None) -> None:
    """Set the person's language, or offer the languages to choose from."""
    chosen = normalise(argument)
    if chosen is None:
        ctx.say(
            ctx._("Which language do you prefer?"),
            Kind.QUESTION,
            choices=tuple(Choice(f"lang:{code}", language_name(code)) for code in SUPPORTED),
            ref="language",
            expects=InputHint.CHOICE,
        )
        return
    ctx.respondent.language = chosen
    ctx.respondent.language_chosen = True
    ctx.say(ctx._("I will speak English with you from now on."), Kind.ACKNOWLEDGEMENT)
    if ctx.conversation is not None:
        ctx.conversation.language = chosen
        dialogue.resume(ctx)


def _stop(ctx: TurnContext, _argument: str | None) -> None:
    """Opt out of every proactive message, end the current survey, confirm."""
    ctx.respondent.opted_out_at = ctx.now
    ctx.respondent.pending = None
    if ctx.conversation is not None:
        ctx.conversation.status = ConversationStatus.ABANDONED
        ctx.conversation.updated_at = ctx.now
        ctx.conversation = None
    deliveries.cancel_deliveries(ctx.session, ctx.respondent.id, ctx.now)
    ctx.say(
        ctx._(
            "Done: you will not receive any more messages from us. "
            "Your answers so far are kept. Type “start” if you change your mind."
        ),
        Kind.ACKNOWLEDGEMENT,
    )


def _forget(ctx: TurnContext, _argument: str | None) -> None:
    """Ask for confirmation before erasing everything about the person."""
    _ = ctx._
    ctx.respondent.pending = "forget"
    ctx.say(
        _(
            "This erases everything we have stored about you: your answers' text, "
            "our conversation and your identity. It cannot be undone. Erase it all?"
        ),
        Kind.CONFIRMATION,
        choices=(Choice("forget:yes", _("Yes, erase everything")), Choice("forget:no", _("No"))),
        ref="forget",
        expects=InputHint.CHOICE,
    )


def _complaint(ctx: TurnContext, _argument: str | None) -> None:
    """Start the complaint intake (``complaint``, ``réclamation``, ``/complaint``)."""
    complaint_intake.start(ctx, ctx.inbound.context)


def _unknown(ctx: TurnContext, _argument: str | None) -> None:
    """Answer a platform command the engine does not know."""
    _help(ctx, None)


def answer_pending(ctx: TurnContext) -> bool:
    """Handle the answer to a pending confirmation; return False if the message is not one."""
    pending = ctx.respondent.pending
    reply = _yes_no(ctx, pending)
    if reply is None:
        ctx.respondent.pending = None
        return False
    ctx.respondent.pending = None
    _ = ctx._
    if pending == "forget":
        if reply:
            erasure.forget_respondent(ctx.session, ctx.keyring, ctx.respondent.id, ctx.now)
            ctx.erased = True
            ctx.say(_("Everything we knew about you has been erased. Goodbye!"),
                    Kind.ACKNOWLEDGEMENT)
        else:
            ctx.say(_("Nothing was erased."), Kind.ACKNOWLEDGEMENT)
        return True
    if pending == "panel":
        if reply:
            call_answers.join_panel(ctx)
        else:
            ctx.say(_("Understood."), Kind.ACKNOWLEDGEMENT)
        return True
    if reply:
        ctx.respondent.consent_at = ctx.now
        ctx.say(_("Thank you! We will tell you what changes."), Kind.ACKNOWLEDGEMENT)
    else:
        ctx.say(_("Understood, we will not message you."), Kind.ACKNOWLEDGEMENT)
    complaint_intake.offer_after_consent(ctx)
    if reply and not any(m.kind is Kind.QUESTION for m in ctx.out):  # no complaint offered
        _offer_panel(ctx)
    return True


def _offer_panel(ctx: TurnContext) -> None:
    """Offer the standing panel: invitations to take part in future tests."""
    _ = ctx._
    ctx.respondent.pending = "panel"
    ctx.say(_("Would you like to take part in future tests of our products and services? "
              "We would invite you now and then."), Kind.QUESTION,
            choices=(Choice("panel:yes", _("I'd like to take part in future tests")),
                     Choice("panel:no", _("No thanks"))),
            ref="panel", expects=InputHint.CHOICE)


def _yes_no(ctx: TurnContext, pending: str | None) -> bool | None:
    """Read a yes or no to the pending question from a tap, typed words or its number.

    The question's text version (Slack's notification, a terminal) numbers its
    choices, yes first: "1" and "2" answer it as a yes/no question's do.
    """
    choice = ctx.inbound.choice_id
    if choice and choice.startswith(f"{pending}:"):
        return choice.endswith(":yes")
    word = (ctx.inbound.text or "").strip().casefold().rstrip(".!")
    if word in YES_WORDS or word == "1":
        return True
    if word in NO_WORDS or word == "2":
        return False
    return None
