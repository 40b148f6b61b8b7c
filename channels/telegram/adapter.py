"""The Telegram channel: python-telegram-bot handlers that translate, and nothing more.

Usage::

    adapter = TelegramAdapter(engine)
    application = Application.builder().token(TOKEN).build()
    adapter.install(application)

Each update becomes one :class:`~bot.messages.Inbound` (``update_id`` is its
event id, ``from.language_code`` its locale hint); the engine's replies become
Bot API calls built by :mod:`channels.telegram.render`. Dialogues happen in
private chats only: in a group the bot answers ``/help`` with an invitation to
write to it privately and ignores everything else. Edited messages and
messages from bots are ignored; a photo answers a complaint's photo question
(its ``file_id`` becomes :attr:`Inbound.attachment`); otherwise photos, stickers,
voice notes, documents and locations get a short "text only" reply and store nothing.

How the calls reach Telegram is the :class:`Outcome`'s business: through the
Bot API by default, or (webhook mode) the last one in the webhook's answer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import BotCommand, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.engine import DialogueEngine
from bot.i18n import gettext_for
from bot.messages import Identity, Inbound, InputHint, Kind, Turn
from bot.text import clean
from channels.telegram import NAME
from channels.telegram.render import (
    Call,
    Tapped,
    chosen_label,
    digest,
    parse_callback,
    reply_calls,
    tap_calls,
)

T = TypeVar("T")
DOMAIN = "telegram"
ALLOWED_UPDATES = ("message", "callback_query")
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a deep link's, as the Bot API allows
COMMANDS = ("start", "feedback", "complaint", "status", "language", "stop", "forget", "help",
            "restart")

log = logging.getLogger(__name__)


def _(text: str) -> str:
    """Mark a string for translation; it is translated where it is used."""
    return text


COMMAND_HELP: dict[str, str] = {
    "start": _("Answer a short survey"),
    "feedback": _("Give us your feedback"),
    "complaint": _("File a complaint"),
    "status": _("Follow a complaint: /status REF"),
    "language": _("Choose English or French"),
    "stop": _("No more messages from us"),
    "forget": _("Erase everything we know about you"),
    "help": _("What I can do"),
}


def bot_commands(language: str) -> list[BotCommand]:
    """Return the commands shown in Telegram's menu, described in ``language``."""
    gettext = gettext_for(language, DOMAIN)
    return [BotCommand(name, gettext(text)) for name, text in COMMAND_HELP.items()]


def parse_start(argument: str | None) -> tuple[str | None, str | None]:
    """Split a deep-link payload ``survey`` or ``survey__context`` into its two parts.

    A payload Telegram could not have sent (over 64 characters, or others than
    ``A-Z a-z 0-9 _ -``) keeps no context, and its survey only if that part is valid.
    """
    if not argument:
        return None, None
    survey, _sep, context = argument.partition("__")
    if not PAYLOAD.fullmatch(argument):
        return (survey if PAYLOAD.fullmatch(survey) else None), None
    return survey or None, context or None


@dataclass
class Outcome:
    """What handling one update produced, for the webhook that delivered it.

    ``reply`` is one Bot API call to return in the webhook's answer (saving an
    HTTP request); ``failed`` is set when the engine could not apply the update,
    so the webhook answers an error and Telegram delivers it again. ``late`` is set
    when the webhook stopped waiting: the reply then goes out through the Bot API.
    """

    reply: Call | None = None
    failed: bool = False
    late: bool = False


CURRENT: contextvars.ContextVar[Outcome | None] = contextvars.ContextVar(
    "telegram_outcome", default=None
)


class _FromPerson(filters.MessageFilter):
    """Let through messages written by a person (not by a bot, not anonymous)."""

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and not message.from_user.is_bot


FROM_PERSON = _FromPerson()
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & FROM_PERSON


@dataclass
class TelegramAdapter:
    """Translates Telegram updates for the engine and its replies for Telegram.

    ``engine_in_loop`` runs the engine on the event loop itself instead of a worker
    thread: right for the webhook, whose process hands the loop one update at a time
    and waits for it (the thread hop cost a fifth of a turn's CPU); polling keeps
    the loop free while the database works.
    """

    engine: DialogueEngine
    default_language: str = "en"
    engine_in_loop: bool = False

    def handlers(self) -> Sequence[BaseHandler]:  # type: ignore[type-arg]
        """Return the handlers, in the order they are tried."""
        return [
            CommandHandler("help", self.on_group_help,
                           filters=filters.ChatType.GROUPS & FROM_PERSON),
            CommandHandler(list(COMMANDS), self.on_command, filters=PRIVATE),
            MessageHandler(filters.COMMAND & PRIVATE, self.on_command),
            MessageHandler(filters.TEXT & PRIVATE, self.on_text),
            MessageHandler(filters.PHOTO & PRIVATE & FROM_PERSON, self.on_photo),
            CallbackQueryHandler(self.on_tap),
            MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, self.on_unsupported),
        ]

    def install(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers and a privacy-safe error handler to ``application``."""
        application.add_handlers(list(self.handlers()))
        application.add_error_handler(_log_error)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand ``/command argument`` to the engine (``/start s__c`` is a deep link)."""
        message = update.effective_message
        assert message is not None and message.text is not None
        word, _sep, rest = clean(message.text).partition(" ")
        name = word.lstrip("/").split("@", 1)[0].casefold()
        argument: str | None = rest.strip() or None
        extra: str | None = None
        if name == "start":
            argument, extra = parse_start(argument)
        inbound = self._inbound(update, command=name, argument=argument, context=extra)
        await self._reply(update, context, inbound)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a typed line to the engine (an answer, or a command typed as a word)."""
        message = update.effective_message
        assert message is not None
        text = None if message.text is None else clean(message.text)
        await self._reply(update, context, self._inbound(update, text=text))

    async def on_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a tapped button to the engine; answer the tap and close its keyboard."""
        query = update.callback_query
        assert query is not None
        message = query.message
        if not isinstance(message, Message) or message.chat.type != "private":
            await query.answer()
            return
        if query.from_user.is_bot or query.data is None:
            return
        tapped = parse_callback(query.data)
        ref, choice = tapped.ref, tapped.choice_id
        if tapped.ref_digest is not None:
            ref, choice = await self._resolve(update, tapped)
        inbound = self._inbound(update, choice_id=choice, ref=ref)
        turn = await self._turn(inbound)
        if turn is None or turn.duplicate:
            return
        stale = bool(turn.messages) and turn.messages[0].kind is Kind.NOTICE
        label = chosen_label(message, query.data)
        calls = tap_calls(query.id, message, label, turn, stale=stale)
        await self._deliver(context, calls)

    async def on_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a photo to the engine when the current question asks for one (by its file id)."""
        message = update.effective_message
        chat = update.effective_chat
        assert message is not None and chat is not None
        current = await self._call(self.engine.resume, Identity(NAME, str(chat.id)))
        if not any(m.expects is InputHint.PHOTO for m in current.messages):
            await self.on_unsupported(update, context)
            return
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        await self._reply(update, context, self._inbound(update, attachment=largest.file_id))

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say that only text is understood (a photo, a sticker, a voice note…)."""
        chat = update.effective_chat
        assert chat is not None
        gettext = gettext_for(self._language(update), DOMAIN)
        text = gettext("Sorry, I can only read text messages. Please type your answer.")
        await self._deliver(context, [Call("sendMessage", {"chat_id": chat.id, "text": text})])

    async def on_group_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Invite the group to talk privately; nothing is stored."""
        chat = update.effective_chat
        assert chat is not None
        gettext = gettext_for(self._language(update), DOMAIN)
        link = f"https://t.me/{context.bot.username}"
        text = gettext(
            "I collect feedback in private conversations only. Write to me directly: {link}"
        ).format(link=link)
        await self._deliver(context, [Call("sendMessage", {"chat_id": chat.id, "text": text})])

    async def _reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                     inbound: Inbound) -> None:
        """Run one turn and deliver its replies (nothing again for a replayed update)."""
        turn = await self._turn(inbound)
        if turn is None or turn.duplicate:
            return
        await self._deliver(context, reply_calls(int(inbound.sender.external_id), turn))

    async def _turn(self, inbound: Inbound) -> Turn | None:
        """Apply the inbound message in a worker thread (the engine blocks on the database)."""
        outcome = CURRENT.get()
        try:
            turn = await self._call(self.engine.handle, inbound)
        except Exception as error:  # the message may quote what was said: log its type only
            log.error("the engine could not apply telegram update %s: %s", inbound.event_id,
                      type(error).__name__)
            if outcome is not None:
                outcome.failed = True
            return None
        return turn

    async def _call(self, method: Callable[[T], Turn], argument: T) -> Turn:
        """Call the engine on the loop (webhook) or in a worker thread (polling)."""
        if self.engine_in_loop:
            return method(argument)
        return await asyncio.to_thread(method, argument)

    async def _resolve(self, update: Update, tapped: Tapped) -> tuple[str, str]:
        """Find the ref (and choice) a shortened button stands for in the current question."""
        chat = update.effective_chat
        assert chat is not None
        current = await self._call(self.engine.resume, Identity(NAME, str(chat.id)))
        for message in current.messages:
            if message.ref and digest(message.ref) == tapped.ref_digest:
                choice = tapped.choice_id
                if choice is None and tapped.index is not None:
                    choices = message.choices
                    choice = choices[tapped.index].id if tapped.index < len(choices) else None
                return message.ref, choice or "stale"
        return f"stale:{tapped.ref_digest}", tapped.choice_id or "stale"

    async def _deliver(self, context: ContextTypes.DEFAULT_TYPE, calls: list[Call]) -> None:
        """Make the calls; with a webhook, the last goes in its answer.

        Answering a tap and closing its keyboard then finish after the webhook's
        answer (they change no message's order), so the web worker is free sooner.
        """
        outcome = CURRENT.get()
        if outcome is None or not calls:
            await perform(context.bot, calls)
            return
        outcome.reply, rest = calls[-1], calls[:-1]
        acknowledgements = [call for call in rest if call.method != "sendMessage"]
        if acknowledgements:
            in_background(perform(context.bot, acknowledgements))
        await perform(context.bot, [call for call in rest if call.method == "sendMessage"])

    def _inbound(self, update: Update, **fields: str | None) -> Inbound:
        """Build the inbound message: the chat is the person, the update id the event."""
        chat = update.effective_chat
        assert chat is not None
        return Inbound(
            Identity(NAME, str(chat.id)),
            event_id=str(update.update_id),
            locale=_language_code(update),
            **fields,  # type: ignore[arg-type]
        )

    def _language(self, update: Update) -> str:
        """Return the language to answer in without the engine: Telegram's, else the default."""
        return _language_code(update) or self.default_language


def _language_code(update: Update) -> str | None:
    """Return the person's Telegram language code, if their app shares it."""
    user = update.effective_user
    return user.language_code if user else None


async def perform(bot: object, calls: Sequence[Call]) -> None:
    """Make Bot API calls in order; answering and editing a tap never wait for each other."""
    tap = [c for c in calls if c.method != "sendMessage"]
    sends = [c for c in calls if c.method == "sendMessage"]

    async def in_order() -> None:
        for call in sends:
            await call.perform(bot)

    results = await asyncio.gather(*(c.perform(bot) for c in tap), in_order(),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, TelegramError) and not _harmless(result):
            raise result
        if isinstance(result, BaseException) and not isinstance(result, TelegramError):
            raise result


_background: set[asyncio.Task[None]] = set()


def in_background(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` on the loop without waiting for it; log how it failed, if it did."""
    task = asyncio.get_running_loop().create_task(work)
    _background.add(task)

    def done(task: asyncio.Task[None]) -> None:
        _background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            detail = f": {error.message}" if isinstance(error, TelegramError) else ""
            log.warning("telegram: answering a tap failed: %s%s", type(error).__name__, detail)

    task.add_done_callback(done)


async def acknowledged() -> None:
    """Wait until the acknowledgements running in the background are done (a drain)."""
    while _background:
        await asyncio.wait(set(_background))


def _harmless(error: TelegramError) -> bool:
    """Tell errors of answering or editing an old tap apart from real failures."""
    text = str(error).casefold()
    return any(
        part in text
        for part in ("message is not modified", "query is too old", "message can't be edited",
                     "message to edit not found")
    )


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler's failure by update id and error (Telegram's words, never what was said)."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    detail = f": {error.message}" if isinstance(error, TelegramError) else ""
    log.error("telegram update %s failed: %s%s", update_id, type(error).__name__, detail)
