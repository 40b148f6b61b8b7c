"""``ecoute digest``: print the weekly digest in the terminal, or send the week's digests now.

Usage::

    ecoute digest preview                    # every service, last week, default language
    ecoute digest preview --department it --language fr
    ecoute digest send                       # plan every ECOUTE_DIGESTS target's digest and send

The week is the 7 days before today (in ``ECOUTE_DIGEST_TIMEZONE``). A week's
digest goes to a channel once: ``send`` after the worker's run (or twice) sends
nothing more.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ecoute.cli_common import Failure, from_environment


@click.group()
def digest() -> None:
    """The weekly voice-of-the-customer digest."""


@digest.command("preview")
@click.option("--department", help="An internal service's id (the internal survey's options).")
@click.option("--language", type=click.Choice(["en", "fr"]),
              help="Default: ECOUTE_DIGEST_LANGUAGE, else ECOUTE_DEFAULT_LANGUAGE.")
def preview(department: str | None, language: str | None) -> None:
    """Print last week's digest, for every service or one department."""
    from bot import digest as digests
    from bot.ideas import services

    ecoute = from_environment()
    known = [key for key, _label in services(ecoute.catalog)]
    if department is not None and department not in known:
        raise Failure(f"--department must be one of {', '.join(known) or '(none configured)'}, "
                      f"not {department!r}")
    settings = ecoute.settings.digests
    language = language or settings.language or ecoute.settings.default_language
    now = datetime.now(UTC)
    scope = digests.Scope(department)
    with ecoute.db.transaction() as session:
        found = digests.build(session, scope, digests.week_before(now, settings.timezone), now,
                              language)
    label = digests.labeller(ecoute.catalog)(scope, language)
    click.echo(digests.as_text(digests.to_outbound(found, language, label)), nl=False)


@digest.command("send")
def send() -> None:
    """Plan the week's digest of every configured channel, and send what is due now."""
    from bot import digest as digests
    from bot.scheduler import dispatch_outbox

    ecoute = from_environment()
    settings = ecoute.settings.digests
    if not settings.targets:
        raise Failure("set ECOUTE_DIGESTS first, e.g. ECOUTE_DIGESTS='C0GENERAL=all'")
    if "slack" not in ecoute.senders:
        raise Failure("set SLACK_BOT_TOKEN first: digests are posted to Slack channels")
    planned = digests.plan_digests(ecoute.db, settings, now=ecoute.engine.clock(),
                                   label=digests.labeller(ecoute.catalog),
                                   default_language=ecoute.settings.default_language)
    dispatch_outbox(ecoute.dispatcher())
    click.echo(f"{planned} digest(s) planned and sent; "
               f"{len(settings.targets) - planned} already sent this week")
