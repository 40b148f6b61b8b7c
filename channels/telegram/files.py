"""Fetching a file a person sent on Telegram (a complaint's photo), to relay it once.

Usage::

    body, content_type = fetch_photo(settings, file_id)

The Bot API's ``getFile`` gives a path valid for an hour; the file is downloaded
into memory through the real python-telegram-bot client and handed back: Écoute
stores the file id only, never the file.
"""

from __future__ import annotations

from telegram.error import TelegramError

from channels.telegram.runtime import build_bot, run
from channels.telegram.settings import TelegramSettings

LARGEST = 10 * 1024 * 1024  # a photo larger than this is not relayed


class PhotoUnavailable(Exception):
    """Telegram is not configured, or would not give the file."""


def fetch_photo(settings: TelegramSettings, file_id: str) -> tuple[bytes, str]:
    """Return a file's bytes and its content type (JPEG unless the path says PNG or WebP)."""
    if not settings.token:
        raise PhotoUnavailable("telegram is not configured")

    async def download() -> tuple[bytes, str]:
        async with build_bot(settings) as bot:
            found = await bot.get_file(file_id)
            if found.file_size and found.file_size > LARGEST:
                raise PhotoUnavailable("the file is too large to relay")
            body = bytes(await found.download_as_bytearray())
        path = (found.file_path or "").lower()
        kind = "image/png" if path.endswith(".png") else \
            "image/webp" if path.endswith(".webp") else "image/jpeg"
        return body, kind

    try:
        return run(download())
    except (TelegramError, TimeoutError) as error:
        raise PhotoUnavailable(f"telegram: {type(error).__name__}") from error
