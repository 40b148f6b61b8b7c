"""The ``ecoute`` command: migrate, chat in a terminal, serve, run the worker, export, stats.

Errors are one line on stderr and a non-zero exit, never a traceback (set
``ECOUTE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from werkzeug.exceptions import BadRequest

from bot.surveys import load_file
from ecoute import cli_complaints, cli_staff
from ecoute.cli_announce import announce as announce_commands
from ecoute.cli_common import Failure, friendly, from_environment
from ecoute.cli_digest import digest as digest_commands
from ecoute.cli_slack import slack as slack_commands
from ecoute.cli_telegram import telegram as telegram_commands
from ecoute.cli_web import qr as qr_command
from ecoute.config import Settings
from ecoute.logs import configure as configure_logging
from storage.db import Database, DatabaseError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (never answers' text).")
def cli(verbose: bool) -> None:
    """Écoute: a self-hosted, multichannel feedback chatbot.

    Configuration comes from the environment (DATABASE_URL, default a SQLite
    file ecoute.db in the working directory; see the README).
    """
    configure_logging(verbose)


@cli.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@friendly
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (Alembic migrations are the only way it is made)."""
    from sqlalchemy.exc import OperationalError

    from storage.migrate import upgrade

    settings = Settings.from_env()
    database = Database(settings.database_url)
    try:
        upgrade(database.engine, revision)
    except OperationalError as error:
        raise DatabaseError(f"cannot reach the database: {database.unreachable(error)}") from error
    finally:
        database.dispose()
    click.echo(f"database at {revision}: {database.engine.url.render_as_string()}")


@db.command("aggregates")
@friendly
def db_aggregates() -> None:
    """Rebuild the dashboard's daily counts from the answers (after a bulk load or a restore)."""
    from bot import dashboard
    from storage import daily

    ecoute = from_environment()
    with ecoute.db.transaction() as session:
        dashboard.rebuild(session, ecoute.engine.clock())
        edge = daily.rolled_until(session)
    click.echo(f"dashboard counts rebuilt up to {edge:%Y-%m-%d} (UTC); later answers are "
               "counted live")


@cli.group()
def surveys() -> None:
    """List and validate survey files."""


@surveys.command("list")
@friendly
def surveys_list() -> None:
    """List the surveys offered, with their version and questions."""
    settings = Settings.from_env()
    from bot.surveys import SurveyCatalog

    for survey in SurveyCatalog.from_directory(settings.surveys_dir):
        ids = ", ".join(q.id for q in survey.questions)
        click.echo(f"{survey.key:12} {survey.hash[:12]}  {survey.title['en']}  [{ids}]")


@surveys.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly
def surveys_validate(files: tuple[Path, ...]) -> None:
    """Check survey FILES against the schema; exit 1 naming file, line, key and problem."""
    for path in files:
        survey = load_file(path)
        click.echo(f"{path}: ok ({survey.key}, {len(survey.questions)} questions)")


@cli.command()
@click.option("--survey", help="Survey key to start (default: show the menu).")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language to speak.")
@click.option("--as", "person", help="Who you are (default: your user name).")
@friendly
def chat(survey: str | None, lang: str | None, person: str | None) -> None:
    """Hold a dialogue in the terminal; choices are numbered. Ends on EOF or "stop"."""
    from channels.console import ConsoleChannel

    ecoute = from_environment()
    offered = [s.key for s in ecoute.catalog.offered(internal=False)]
    if survey and survey not in offered:
        known = ", ".join(offered)
        raise Failure(f"no survey {survey!r} (known: {known})")
    channel = ConsoleChannel(
        ecoute.engine,
        person=person or getpass.getuser(),
        stdin=sys.stdin,
        stdout=sys.stdout,
        language=lang or os.environ.get("LANG"),
        interactive=sys.stdin.isatty(),
    )
    channel.run(survey)


@cli.command()
@friendly
def worker() -> None:
    """Run the scheduler: the outbox, idle-conversation expiry, and channel services."""
    ecoute = from_environment()
    services = ecoute.services()
    for service in services:
        service.start()
    click.echo("worker started; Ctrl-C to stop", err=True)
    try:
        ecoute.scheduler(blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for service in services:
            service.stop()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Requests answered at once.")
@click.option("--no-worker", is_flag=True, help="Do not run the scheduler in this process.")
@friendly
def serve(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Serve the web app on waitress, with the worker in the same process; Ctrl-C stops it."""
    from ecoute.server import ServerSettings
    from ecoute.server import serve as run

    ecoute = from_environment()

    def listening(url: str) -> None:
        click.echo(f"Écoute is listening on {url}", err=True)
        cli_staff.announce_setup_link(ecoute)

    run(ecoute, ServerSettings(host, port, threads), worker=not no_worker, ready=listening)
    click.echo("Écoute stopped", err=True)


@cli.group()
def export() -> None:
    """Export stored data."""


FILTERS = (  # the console's and the API's filters (web.filters), under the same names
    ("from", "Only from this day (UTC), included."),
    ("to", "Only up to this day (UTC), included."),
    ("channel", "Only this channel."),
    ("survey", "Only this survey (its key)."),
    ("context", "Only this context (a shop or product of a QR code or deep link)."),
    ("service", "Only ratings of this internal service."),
    ("band", "Only scores in this band: detractor, passive or promoter."),
    ("comment", "Only conversations with (yes) or without (no) free text."),
    ("q", "Only conversations whose free text holds all these words."),
)


def filter_options(command: Any) -> Any:
    """Add the response filters' options to a command."""
    for name, explained in reversed(FILTERS):
        command = click.option(f"--{name}", f"filter_{name}", metavar="VALUE",
                               help=explained)(command)
    return command


def chosen_filter(given: dict[str, str | None]) -> Any:
    """Return the filter the options ask for, read as the console reads its URLs."""
    from werkzeug.exceptions import BadRequest

    from web.filters import parse

    try:
        return parse({name: value for name, value in given.items() if value is not None})
    except BadRequest as error:
        raise Failure(f"--{error.description}") from None


@export.command("responses")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Everything from the start of this day's month (UTC).")
@filter_options
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
@friendly
def export_responses(fmt: str, since: datetime | None, output: Any, **filters: str | None) -> None:
    """Write one record per conversation: survey, version, status, answers.

    The filters are those of the console's response browser; anonymous answers
    are placed at the start of their month, and shown only in groups of five.
    """
    from ecoute.output import write_export

    wanted = chosen_filter({name.removeprefix("filter_"): v for name, v in filters.items()})
    if since is not None and wanted.since is not None:
        raise Failure("give --since or --from, not both")
    ecoute = from_environment()
    with ecoute.db.reading() as connection:
        write_export(connection, output, fmt, _utc(since), wanted=wanted)  # type: ignore[arg-type]


@cli.command()
@click.option("--from", "--since", "since", metavar="DAY",
              help="Only answers from this day (UTC, YYYY-MM-DD).")
@click.option("--to", "last", metavar="DAY", help="Only answers up to this day, included.")
@click.option("--channel", help="Only this channel (telegram, slack, web, console...).")
@click.option("--survey", help="Only this survey (its key).")
@click.option("--context", help="Only this context (the shop or product of a QR code).")
@click.option("--service", help="Only this internal service (the internal survey's choice).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
@click.option("--complaints", is_flag=True,
              help="Print complaint analytics instead (--from and --to only).")
@friendly
def stats(since: str | None, last: str | None, channel: str | None, survey: str | None,
          context: str | None, service: str | None, fmt: str, complaints: bool) -> None:
    """Print NPS, CSAT and CES (or complaint analytics): the console's figures."""
    from ecoute.output import write_stats
    from web.filters import parse

    asked = {"from": since, "to": last, "channel": channel, "survey": survey,
             "context": context, "service": service}
    try:
        wanted = parse({name: value for name, value in asked.items() if value is not None})
    except BadRequest as error:
        raise Failure(str(error.description).replace("from ", "--from ", 1)) from None
    if complaints:
        return _complaint_stats(wanted, fmt)
    ecoute = from_environment()
    with ecoute.db.transaction() as session:
        write_stats(session, sys.stdout, fmt, wanted, ecoute.engine.clock())


def _complaint_stats(wanted: Any, fmt: str) -> None:
    """Print the complaint analytics of the period ``wanted`` names."""
    from bot import complaint_stats
    from ecoute.complaint_stats_output import write_complaint_stats

    if wanted.channel or wanted.survey or wanted.context or wanted.service:
        raise Failure("--complaints takes --from and --to only")
    ecoute = from_environment()
    with ecoute.db.reading() as connection:
        figures = complaint_stats.compute(connection, ecoute.settings.complaints.calendar,
                                          wanted.since, wanted.until, ecoute.engine.clock())
    write_complaint_stats(sys.stdout, fmt, figures)


@cli.command()
@click.option("--remove", is_flag=True, help="Remove the sample data, and nothing else.")
@friendly
def demo(remove: bool) -> None:
    """Fill an empty store with sample answers (weeks of them, French and English)."""
    from bot import demo as sample

    ecoute = from_environment()
    if remove:
        gone = sample.remove(ecoute.db)
        click.echo(f"sample data removed: {gone.conversations} conversations, "
                   f"{gone.answers} answers")
        return
    try:
        made = sample.plant(ecoute.engine)
    except sample.DemoRefused as refusal:
        raise Failure(str(refusal)) from refusal
    said = "added" if made.added else "already there"
    click.echo(f"sample data {said}: {made.conversations} conversations, {made.answers} "
               "answers (remove them with `ecoute demo --remove`)")


def _utc(day: datetime | None) -> datetime | None:
    """Read a day given on the command line as UTC midnight."""
    return day.replace(tzinfo=UTC) if day else None


def main() -> None:
    """Run the command line; unexpected errors are one line too, unless ECOUTE_DEBUG is set."""
    try:
        cli(standalone_mode=True)
    except Exception as error:  # the last defence against tracebacks
        if os.environ.get("ECOUTE_DEBUG"):
            raise
        click.echo(f"ecoute: error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)


cli.add_command(telegram_commands)
cli.add_command(slack_commands)
cli.add_command(qr_command)
cli.add_command(digest_commands)
cli_staff.register(cli)
cli_complaints.register(cli)
cli.add_command(announce_commands)

if __name__ == "__main__":
    main()

