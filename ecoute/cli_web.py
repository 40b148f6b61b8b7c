"""``ecoute qr``: an SVG QR code of a survey's link, for posters at a physical touchpoint.

Usage::

    ecoute qr nps --context shop12             # qr-nps-shop12.svg: BASE/s/nps?context=shop12
    ecoute qr nps --context shop12 --telegram  # and qr-nps-shop12-telegram.svg
    ecoute qr nps --telegram --telegram-bot AcmeBot  # when TELEGRAM_BOT_USERNAME is unset

The web link points at the survey's own page (``/s/<survey>``) under
``ECOUTE_BASE_URL``; the Telegram one is the bot's deep link
``https://t.me/BOT?start=SURVEY__CONTEXT``, which the Telegram channel reads back
as the survey and its context.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import click
import segno

from ecoute.config import Settings

CONTEXT = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
BOT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def web_link(base_url: str, survey: str, context: str | None) -> str:
    """Return the link of the survey's own page, with its context."""
    query = f"?{urlencode({'context': context})}" if context else ""
    return f"{base_url.rstrip('/')}/s/{survey}{query}"


def telegram_link(bot: str, survey: str, context: str | None) -> str:
    """Return the Telegram deep link that starts ``survey`` with ``context``."""
    payload = f"{survey}__{context}" if context else survey
    if len(payload) > 64:
        raise click.BadParameter("survey and context are too long for a Telegram deep link "
                                 "(64 characters at most)")
    return f"https://t.me/{bot}?start={payload}"


def write_qr(link: str, path: Path) -> None:
    """Write ``link`` as an SVG QR code (medium error correction, a quiet zone of 4)."""
    segno.make(link, error="m", micro=False).save(str(path), kind="svg", scale=8,
                                                   title=link, border=4)


@click.command("qr")
@click.argument("survey")
@click.option("--context", help="Where the poster is (letters, digits, - and _), e.g. shop12.")
@click.option("--telegram", is_flag=True, help="Also write the Telegram deep link's QR code.")
@click.option("--telegram-bot", metavar="NAME",
              help="The bot's username (default: TELEGRAM_BOT_USERNAME).")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="SVG file to write (default: qr-SURVEY[-CONTEXT].svg).")
def qr(survey: str, context: str | None, telegram: bool, telegram_bot: str | None,
       output: Path | None) -> None:
    """Write an SVG QR code of SURVEY's page (and of its Telegram deep link)."""
    from bot.surveys import SurveyCatalog

    settings = Settings.from_env()
    if survey not in SurveyCatalog.from_directory(settings.surveys_dir):
        raise click.BadParameter(f"no survey {survey!r}", param_hint="SURVEY")
    if context is not None and not CONTEXT.match(context):
        raise click.BadParameter("use 1 to 50 letters, digits, '-' or '_'",
                                 param_hint="--context")
    deep = telegram_link(_bot(telegram_bot, settings), survey, context) if telegram else None
    output = output or Path(f"qr-{survey}{'-' + context if context else ''}.svg")
    link = web_link(settings.base_url, survey, context)
    write_qr(link, output)
    click.echo(f"{output}: {link}")
    if deep is not None:
        deep_path = output.with_name(f"{output.stem}-telegram{output.suffix}")
        write_qr(deep, deep_path)
        click.echo(f"{deep_path}: {deep}")


def _bot(given: str | None, settings: Settings) -> str:
    """Return the Telegram bot's username from the option or the settings, or refuse."""
    bot = (given or settings.web.telegram_bot or "").lstrip("@")
    if not BOT.match(bot):
        raise click.UsageError("--telegram needs the bot's username: pass --telegram-bot NAME "
                               "or set TELEGRAM_BOT_USERNAME")
    return bot
