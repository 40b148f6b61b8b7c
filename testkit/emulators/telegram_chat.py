"""Telegram's side of a chat in the tests: a person typing and tapping, by polling or webhook.

Usage::

    chat = TelegramChat(api, 42, Polling(api))        # the bot polls the emulator
    chat = TelegramChat(api, 42, Webhook(client, api, secret))  # updates are posted
    chat.says("/start nps")
    chat.taps("9")
    assert chat.last.text == "Wonderful! What do you like most about us?"
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from testkit.emulators.telegram import Shown, TelegramEmulator


class TelegramChat:
    """One person's private chat with the bot, delivered by polling or by webhook.

    ``deliver(update, replies)`` gets the update to the bot and returns once the
    bot has shown ``replies`` new messages (or, for a tap, answered it).
    """

    def __init__(self, api: TelegramEmulator, chat_id: int, deliver: Any,
                 language: str | None = "en") -> None:
        self.api = api
        self.chat_id = chat_id
        self.deliver = deliver
        self.language = language

    def says(self, text: str, *, replies: int = 1) -> dict[str, Any]:
        """Type a line (or a /command)."""
        update = self.api.message_update(self.chat_id, text=text, language=self.language)
        self.deliver(update, replies)
        return update

    def taps(self, label: str, *, message_id: int | None = None,
             replies: int = 1) -> dict[str, Any]:
        """Tap a button of the last keyboard (or of the given message)."""
        update = self.api.tap_update(self.chat_id, label, message_id=message_id,
                                     language=self.language)
        self.deliver(update, replies)
        return update

    def sends(self, replies: int = 1, **content: Any) -> dict[str, Any]:
        """Send something that is not text (a photo, a sticker, a location…)."""
        update = self.api.message_update(self.chat_id, language=self.language, **content)
        self.deliver(update, replies)
        return update

    @property
    def shown(self) -> list[Shown]:
        """Return the chat as the person sees it now."""
        return self.api.chat(self.chat_id)

    @property
    def last(self) -> Shown:
        """Return the bot's last message."""
        return [m for m in self.shown if m.from_bot][-1]

    def texts(self) -> list[str]:
        """Return the bot's messages' texts, in order."""
        return self.api.bot_texts(self.chat_id)


class Polling:
    """Delivers updates through getUpdates and waits for the bot's answer.

    ``drain`` (the polling bot's, when it runs in this process) returns once every
    update the bot fetched is handled: an update that should get no answer is then
    shown to have got none without waiting for one.
    """

    def __init__(self, api: TelegramEmulator, drain: Callable[[], None] | None = None) -> None:
        self.api = api
        self.drain = drain

    def __call__(self, update: dict[str, Any], replies: int) -> None:
        chat_id = _chat_of(update)
        shown = len(self.api.bot_texts(chat_id))
        closing = tap_calls(self.api)
        self.api.push(update)
        if replies:
            self.api.wait_for(lambda: len(self.api.bot_texts(chat_id)) >= shown + replies)
        if "callback_query" in update:  # answered, and its keyboard closed
            self.api.wait_for(lambda: tap_calls(self.api) >= closing + 2)
        if not replies:
            self.api.wait_for(lambda: self.api.pending_updates() == 0)
            if self.drain is not None:
                self.drain()
            else:  # a bot in another process cannot be drained: give a wrong answer time to show
                time.sleep(0.2)


class Webhook:
    """Posts updates to the app's webhook as Telegram does, and applies its answer."""

    def __init__(self, client: Any, api: TelegramEmulator, secret: str) -> None:
        self.client = client
        self.api = api
        self.secret = secret

    def post(self, update: Any, *, secret: str | None = "", **kwargs: Any) -> Any:
        """POST an update (the right secret unless told otherwise); return the response."""
        headers = {}
        secret = self.secret if secret == "" else secret
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return self.client.post("/telegram/webhook", json=update, headers=headers, **kwargs)

    def __call__(self, update: dict[str, Any], replies: int) -> None:
        closing = tap_calls(self.api)
        response = self.post(update)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.api.answer_webhook(response.get_json())
        if "callback_query" in update:  # answered, and its keyboard closed, just after
            self.api.wait_for(lambda: tap_calls(self.api) >= closing + 2)


def tap_calls(api: TelegramEmulator) -> int:
    """Count the calls that answer a tap or close its keyboard (webhook answers included)."""
    methods = ("answerCallbackQuery", "editMessageText", "editMessageReplyMarkup")
    return sum(len(api.calls_to(method)) for method in methods)


def _chat_of(update: dict[str, Any]) -> int:
    """Return the chat an update comes from."""
    message = update.get("message") or update["callback_query"]["message"]
    return int(message["chat"]["id"])
