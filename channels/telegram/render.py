"""Rendering the core's replies as Telegram Bot API calls, and reading taps back.

A question's choices become an inline keyboard laid out for a phone (NPS 0-10
on two rows of 6 and 5, CSAT 1-5 on one row, short options side by side, long
ones one per row). Each button's ``callback_data`` (at most 64 bytes) carries
the choice id and the ref of the question it answers, so a tap on an old
keyboard is recognised; when they do not fit, a short digest of the ref (and,
if need be, the choice's position) stands in and the adapter resolves it
against the current question.

A :class:`Call` is one Bot API method with its parameters: made through
python-telegram-bot's typed methods, or written as JSON into a webhook's answer.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, TelegramObject

from bot.messages import InputHint, Outbound, Turn

MAX_CALLBACK_BYTES = 64
MAX_TEXT = 4096
ROW = 6
METHODS = {
    "sendMessage": "send_message",
    "editMessageText": "edit_message_text",
    "editMessageReplyMarkup": "edit_message_reply_markup",
    "answerCallbackQuery": "answer_callback_query",
}


@dataclass(frozen=True)
class Call:
    """One Bot API call: its method name and parameters."""

    method: str
    params: dict[str, Any]

    async def perform(self, bot: Any) -> Any:
        """Make the call through python-telegram-bot's typed method."""
        return await getattr(bot, METHODS[self.method])(**self.params)

    def to_json(self) -> dict[str, Any]:
        """Return the call as a webhook answer: ``{"method": ..., **params}``."""
        body: dict[str, Any] = {"method": self.method}
        for key, value in self.params.items():
            if value is None:
                continue
            body[key] = value.to_dict() if isinstance(value, TelegramObject) else value
        return body


@dataclass(frozen=True)
class Tapped:
    """What a button's callback data says: the choice, and the ref or its digest."""

    choice_id: str | None
    ref: str | None = None
    ref_digest: str | None = None
    index: int | None = None


def digest(ref: str) -> str:
    """Return a short, stable stand-in for a ref too long for callback data."""
    return hashlib.sha256(ref.encode()).hexdigest()[:10]


def callback_data(ref: str | None, choice_id: str, index: int) -> str:
    """Encode a choice and its question's ref in at most 64 bytes."""
    for data in (f"r|{ref or ''}|{choice_id}", f"h|{digest(ref or '')}|{choice_id}"):
        if len(data.encode()) <= MAX_CALLBACK_BYTES:
            return data
    return f"n|{digest(ref or '')}|{index}"


def parse_callback(data: str) -> Tapped:
    """Decode :func:`callback_data` (anything else is taken as a bare choice id)."""
    kind, sep, rest = data.partition("|")
    key, sep2, value = rest.partition("|")
    if not (sep and sep2) or kind not in ("r", "h", "n"):
        return Tapped(data)
    if kind == "r":
        return Tapped(value, ref=key or None)
    if kind == "h":
        return Tapped(value, ref_digest=key)
    return Tapped(None, ref_digest=key, index=int(value) if value.isdecimal() else None)


def keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    """Lay a message's choices out as an inline keyboard that fits a phone."""
    if not message.choices:
        return None
    buttons = [
        InlineKeyboardButton(choice.label, callback_data=callback_data(message.ref, choice.id, n))
        for n, choice in enumerate(message.choices)
    ]
    return InlineKeyboardMarkup(_rows(buttons, message.expects))


def _rows(buttons: list[InlineKeyboardButton],
          expects: InputHint) -> list[list[InlineKeyboardButton]]:
    """Split buttons into rows: scales evenly by at most six, options by label length."""
    if expects is InputHint.SCALE:
        rows = math.ceil(len(buttons) / ROW)
        width = math.ceil(len(buttons) / rows)
    else:
        longest = max(len(b.text) for b in buttons)
        width = 3 if longest <= 12 else 2 if longest <= 18 else 1
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def text_of(message: Outbound) -> str:
    """Return the message's text with any labelled fields and link as lines."""
    lines = [message.text]
    lines += [f"{label}: {value}" for label, value in message.fields]
    if message.link:
        lines.append(message.link)
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def send_call(chat_id: int | str, message: Outbound) -> Call:
    """Return the sendMessage call that shows ``message`` with its keyboard."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text_of(message)}
    markup = keyboard(message)
    if markup is not None:
        params["reply_markup"] = markup
    return Call("sendMessage", params)


def joined(messages: Sequence[Outbound]) -> list[Outbound]:
    """Join replies that carry no buttons to the one that follows them.

    "Thanks!" then "May we message you?" arrive as one message with the
    question's keyboard: fewer notifications on the person's phone, and fewer
    Bot API calls. A join that would pass Telegram's 4096 characters is not made.
    """
    result: list[Outbound] = []
    for message in messages:
        before = result[-1] if result else None
        text = f"{text_of(before)}\n\n{message.text}" if before is not None else ""
        if before is not None and not before.choices and len(text) <= MAX_TEXT:
            result[-1] = replace(message, text=text)
        else:
            result.append(message)
    return result


def reply_calls(chat_id: int, turn: Turn) -> list[Call]:
    """Return the sendMessage calls that show a turn's replies, in order."""
    return [send_call(chat_id, message) for message in joined(turn.messages)]


def chosen_label(message: Message, data: str) -> str | None:
    """Return the label of the tapped button, read from the message's own keyboard."""
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def tap_calls(query_id: str, message: Message, label: str | None, turn: Turn, *,
              stale: bool) -> list[Call]:
    """Answer a tap, close the tapped keyboard, then send the replies.

    An accepted tap edits the question to show the answer chosen; a stale tap
    gets the engine's notice as a toast and its old keyboard removed.
    """
    where = {"chat_id": message.chat.id, "message_id": message.message_id}
    replies: Sequence[Outbound] = turn.messages
    if stale:
        notice = replies[0].text if replies else None
        calls = [Call("answerCallbackQuery", {"callback_query_id": query_id, "text": notice}),
                 Call("editMessageReplyMarkup", {**where, "reply_markup": None})]
        replies = replies[1:]
    else:
        calls = [Call("answerCallbackQuery", {"callback_query_id": query_id})]
        if message.text and label:
            shown = f"{message.text}\n\n✅ {label}"
            calls.append(Call("editMessageText", {**where, "text": shown[:MAX_TEXT]}))
        else:
            calls.append(Call("editMessageReplyMarkup", {**where, "reply_markup": None}))
    return calls + [send_call(message.chat.id, reply) for reply in joined(replies)]
