"""The Telegram channel's settings, read from the ``TELEGRAM_*`` environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel (on when a token is set)."""

    token: str | None = None
    webhook_secret: str | None = None
    api_base_url: str = "https://api.telegram.org"
    rate: str = "30/second"
    per_chat_rate: str = "1/second"
    webhook_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TelegramSettings:
        """Read the ``TELEGRAM_*`` variables."""
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            api_base_url=(env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org")
            .rstrip("/"),
            rate=env.get("TELEGRAM_RATE") or "30/second",
            per_chat_rate=env.get("TELEGRAM_PER_CHAT_RATE") or "1/second",
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
        )
