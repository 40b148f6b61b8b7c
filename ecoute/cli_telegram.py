"""``ecoute telegram``: register or remove the webhook, and show what Telegram knows.

Usage::

    ecoute telegram set-webhook https://feedback.example.com/telegram/webhook
    ecoute telegram info
    ecoute telegram delete-webhook        # back to long polling (ecoute serve / worker)

They read ``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_WEBHOOK_SECRET`` and
``TELEGRAM_API_BASE_URL`` from the environment, like the server does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from ecoute.cli_common import Failure
from ecoute.config import ConfigError, Settings, TelegramSettings

if TYPE_CHECKING:  # the SDK is imported when a command runs: `ecoute --help` stays quick
    from telegram import Bot, WebhookInfo

F = TypeVar("F", bound=Callable[..., Any])
WEBHOOK_PATH = "/telegram/webhook"


def _friendly(func: F) -> F:
    """Turn Telegram's and the configuration's errors into one line (``ecoute: error: …``)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from telegram.error import TelegramError

        try:
            return func(*args, **kwargs)
        except TelegramError as error:
            raise Failure(f"Telegram said: {error.message}") from error
        except (ConfigError, ValueError) as error:
            raise Failure(str(error)) from error

    return wrapper  # type: ignore[return-value]


def _settings() -> TelegramSettings:
    """Read the Telegram settings; a token is required."""
    settings = Settings.from_env().telegram
    if not settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    return settings


def _with_bot(settings: TelegramSettings, work: Callable[[Bot], Any]) -> Any:
    """Run ``work(bot)`` on this process's Telegram loop and return its result."""
    from channels.telegram.runtime import build_bot, run

    async def session() -> Any:
        async with build_bot(settings) as bot:
            return await work(bot)

    return run(session())


def webhook_url(url: str) -> str:
    """Return the full webhook URL (a bare site URL gets ``/telegram/webhook``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"not a web address: {url!r} (Telegram needs https://…)")
    if parts.path in ("", "/"):
        return url.rstrip("/") + WEBHOOK_PATH
    return url


@click.group("telegram")
def telegram() -> None:
    """Set up the Telegram bot (TELEGRAM_BOT_TOKEN) for webhook or polling."""


@telegram.command("set-webhook")
@click.argument("url", required=False)
@click.option("--drop-pending", is_flag=True, help="Forget the updates waiting in Telegram.")
@_friendly
def set_webhook(url: str | None, drop_pending: bool) -> None:
    """Make Telegram post updates to URL (default TELEGRAM_WEBHOOK_URL) with the secret."""
    from channels.telegram.adapter import ALLOWED_UPDATES
    from channels.telegram.runtime import register_commands

    settings = _settings()
    url = url or settings.webhook_url
    if not url:
        raise ConfigError("give the URL, or set TELEGRAM_WEBHOOK_URL")
    if not settings.webhook_secret:
        raise ConfigError("set TELEGRAM_WEBHOOK_SECRET first (1-256 of A-Z a-z 0-9 _ -)")
    full = webhook_url(url)

    async def work(bot: Bot) -> None:
        await bot.set_webhook(full, secret_token=settings.webhook_secret,
                              allowed_updates=list(ALLOWED_UPDATES),
                              drop_pending_updates=drop_pending)
        await register_commands(bot)

    _with_bot(settings, work)
    click.echo(f"webhook set: {full}")
    click.echo("commands registered in English and French")


@telegram.command("delete-webhook")
@click.option("--drop-pending", is_flag=True, help="Forget the updates waiting in Telegram.")
@_friendly
def delete_webhook(drop_pending: bool) -> None:
    """Stop webhook delivery (then run `ecoute serve` or `ecoute worker` to poll)."""
    _with_bot(_settings(), lambda bot: bot.delete_webhook(drop_pending_updates=drop_pending))
    click.echo("webhook deleted: updates now wait for long polling")


@telegram.command("info")
@_friendly
def info() -> None:
    """Show the bot (getMe) and its webhook (getWebhookInfo)."""

    async def work(bot: Bot) -> WebhookInfo:
        return await bot.get_webhook_info()

    settings = _settings()
    hook: WebhookInfo = _with_bot(settings, lambda bot: _both(bot, work))
    for line in describe(hook):
        click.echo(line)


async def _both(bot: Bot, work: Callable[[Bot], Any]) -> Any:
    """Return the webhook info once the bot knows itself (``async with`` calls getMe)."""
    click.echo(f"bot:             @{bot.username} (id {bot.id}, {bot.first_name})")
    return await work(bot)


def describe(hook: WebhookInfo) -> list[str]:
    """Return readable lines about a webhook (or its absence)."""
    if not hook.url:
        lines = ["webhook:         none (updates are fetched by long polling)"]
    else:
        lines = [f"webhook:         {hook.url}"]
        if hook.allowed_updates:
            lines.append(f"update types:    {', '.join(hook.allowed_updates)}")
        if hook.max_connections:
            lines.append(f"max connections: {hook.max_connections}")
    lines.append(f"pending updates: {hook.pending_update_count}")
    if hook.last_error_message:
        when = _when(hook.last_error_date)
        lines.append(f"last error:      {hook.last_error_message} ({when})")
    return lines


def _when(moment: datetime | None) -> str:
    """Format a moment in UTC, or say it is unknown."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "time unknown"
