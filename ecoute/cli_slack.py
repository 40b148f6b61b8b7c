"""``ecoute slack``: print the app manifest, send a pulse now, show results per service.

Usage::

    ecoute slack manifest --url https://feedback.example.com > manifest.yaml
    ecoute slack manifest --socket-mode          # no public URL: Socket Mode
    ecoute slack pulse                           # plan the configured pulse now
    ecoute slack results --since 2026-11-01      # per service and month, small groups withheld
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import yaml

from ecoute.cli_common import Failure, from_environment

MANIFEST = Path(__file__).resolve().parent.parent / "channels" / "slack" / "manifest.yaml"


@click.group()
def slack() -> None:
    """Set up and use the Slack channel."""


def filled_manifest(url: str | None, socket_mode: bool, name: str | None) -> dict[str, Any]:
    """Return the shipped manifest with the request URLs (or Socket Mode) filled in."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    if name:
        manifest["display_information"]["name"] = name
        features["bot_user"]["display_name"] = name
    endpoint = f"{url.rstrip('/')}/slack/events" if url else None
    for command in features["slash_commands"]:
        _set_or_drop(command, "url", endpoint)
    _set_or_drop(settings["event_subscriptions"], "request_url", endpoint)
    _set_or_drop(settings["interactivity"], "request_url", endpoint)
    settings["socket_mode_enabled"] = socket_mode
    return manifest


def _set_or_drop(mapping: dict[str, Any], key: str, value: str | None) -> None:
    """Set ``key`` to ``value``, or remove it (Socket Mode needs no URLs)."""
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


@slack.command("manifest")
@click.option("--url", help="Public HTTPS address of Écoute, e.g. https://feedback.example.com.")
@click.option("--socket-mode", is_flag=True, help="No public URL: Slack connects by Socket Mode.")
@click.option("--name", help="The app's name in Slack (default: Écoute).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
def manifest(url: str | None, socket_mode: bool, name: str | None, fmt: str) -> None:
    """Print the Slack app manifest filled in, to paste when creating the app."""
    if not url and not socket_mode:
        raise Failure("give --url https://HOST (Écoute's public address) or --socket-mode")
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc):
        raise Failure(f"--url must be an https:// address Slack can reach, not {url!r}")
    filled = filled_manifest(None if socket_mode else url, socket_mode, name)
    if fmt == "json":
        click.echo(json.dumps(filled, indent=2, ensure_ascii=False))
    else:
        click.echo(yaml.safe_dump(filled, sort_keys=False, allow_unicode=True), nl=False)


@slack.command("pulse")
def pulse() -> None:
    """Plan the configured pulse survey now (the worker's outbox sends it)."""
    from channels.slack.pulse import send_pulse
    from channels.slack.setup import web_client

    ecoute = from_environment()
    settings = ecoute.settings.slack
    if not settings.bot_token or settings.pulse is None:
        raise Failure("set SLACK_BOT_TOKEN and SLACK_PULSE_SURVEY (and its audience) first")
    try:
        count = send_pulse(ecoute.db, web_client(settings, patient=True), ecoute.catalog,
                           settings.pulse, ecoute.engine.clock, ecoute.settings.default_language,
                           keyring=ecoute.engine.keyring)
    except LookupError as error:
        raise Failure(str(error)) from error
    click.echo(f"pulse {settings.pulse.survey!r} planned for {count} people")


@slack.command("results")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="First day (UTC); default: 30 days ago. Snapped to its calendar month.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Day after the last (UTC). Snapped to the end of its calendar month.")
@click.option("--survey", default="internal", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def results(since: datetime | None, until: datetime | None, survey: str, fmt: str) -> None:
    """Print each internal service's rating per calendar month (small anonymous groups withheld)."""
    from bot.small_groups import service_results

    now = datetime.now(UTC)
    end = until.replace(tzinfo=UTC) if until else now
    start = since.replace(tzinfo=UTC) if since else end - timedelta(days=30)
    ecoute = from_environment()
    with ecoute.db.transaction() as session:
        found = service_results(session, start, end, now=now, survey=survey)
    if fmt == "json":
        click.echo(json.dumps({"start": found.start.isoformat(), "end": found.end.isoformat(),
                               "grid": found.grid.value,
                               "rows": [_json_row(row) for row in found.rows]}, indent=2))
        return
    _table(found, sys.stdout)


def _json_row(row: Any) -> dict[str, Any]:
    """Return one result row as JSON values."""
    return {**row.__dict__, "bucket": row.bucket.date().isoformat(),
            "withheld": row.withheld.value if row.withheld else None}


WITHHELD = {
    "fewer_than_five": "anonymous answers left out: fewer than 5 anonymous answers",
    "period_not_over": "anonymous answers left out until the period is over",
}


def _table(found: Any, out: Any) -> None:
    """Write the results as a table, under the period they were counted over."""
    out.write(f"{found.start:%Y-%m-%d} to {found.end:%Y-%m-%d} (--since/--until snapped to "
              f"whole calendar {found.grid.value}s, UTC)\n")
    out.write(f"{'period':10} {'service':14} {'answers':>7} {'anonymous':>9} {'mean':>5} "
              f"{'satisfied':>9}\n")
    for row in found.rows:
        period = f"{row.bucket:%Y-%m}" if found.grid.value == "month" else f"{row.bucket:%G-W%V}"
        mean = f"{row.average:.2f}" if row.average is not None else "-"
        happy = f"{row.satisfied:.0f}%" if row.satisfied is not None else "-"
        note = f"  {WITHHELD[row.withheld.value]}" if row.withheld else ""
        out.write(f"{period:10} {row.service:14} {row.answers:>7} {row.anonymous:>9} {mean:>5} "
                  f"{happy:>9}{note}\n")
