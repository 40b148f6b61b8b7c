"""Telegram, for customers: private-chat dialogues, inline keyboards, deep links, the outbox.

Modules: ``adapter`` (python-telegram-bot handlers, translating only), ``render``
(keyboards and calls), ``runtime`` (the asyncio loop, webhook, polling and the
outbox's sender) and ``settings``. :data:`CHANNEL` is the registry's entry.
"""

from __future__ import annotations

from typing import Any

from channels.registry import Channel, Runtime, Service

NAME = "telegram"


class TelegramChannelEntry(Channel):
    """Telegram's parts: the sender and, without a webhook URL, the polling service."""

    name = NAME
    photos = True

    def settings(self, env: Any) -> Any:
        """Read the ``TELEGRAM_*`` variables."""
        from channels.telegram.settings import TelegramSettings

        return TelegramSettings.from_env(env)

    def sender(self, settings: Any) -> Any:
        """Return the outbox's Telegram sender when a token is set."""
        from channels.telegram.runtime import telegram_sender

        return telegram_sender(settings)

    def services(self, settings: Any, runtime: Runtime) -> list[Service]:
        """Return the polling service when a token is set and no webhook URL is."""
        from channels.telegram.runtime import telegram_services

        return list(telegram_services(settings, runtime.engine, runtime.default_language))


CHANNEL = TelegramChannelEntry()
