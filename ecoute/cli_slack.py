"""``ecoute slack``: print the app manifest, send a pulse now, show results per service.

Usage::

    ecoute slack manifest --url https://feedback.example.com > manifest.yaml
    ecoute slack manifest --socket-mode          # no public URL: Socket Mode
    ecoute slack pulse                           # plan the configured pulse now
    ecoute slack results --since 2026-11-01      # per service, small groups withheld
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
              help="First day (UTC); default: 30 days ago.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Day after the last (UTC).")
@click.option("--survey", default="internal", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def results(since: datetime | None, until: datetime | None, survey: str, fmt: str) -> None:
    """Print each internal service's rating; services with 1-4 anonymous answers are withheld."""
    from storage.reports import MIN_ANONYMOUS, service_results

    end = until.replace(tzinfo=UTC) if until else datetime.now(UTC)
    start = since.replace(tzinfo=UTC) if since else end - timedelta(days=30)
    ecoute = from_environment()
    with ecoute.db.transaction() as session:
        rows = service_results(session, start, end, survey=survey)
    if fmt == "json":
        click.echo(json.dumps([row.__dict__ for row in rows], indent=2))
        return
    out = sys.stdout
    out.write(f"{'service':14} {'answers':>7} {'anonymous':>9} {'mean':>5} {'satisfied':>9}\n")
    for row in rows:
        if not row.shown:
            out.write(f"{row.service:14} withheld: fewer than {MIN_ANONYMOUS} anonymous "
                      "answers in this period\n")
            continue
        mean = f"{row.average:.2f}" if row.average is not None else "-"
        happy = f"{row.satisfied:.0f}%" if row.satisfied is not None else "-"
        out.write(f"{row.service:14} {row.answers:>7} {row.anonymous:>9} {mean:>5} {happy:>9}\n")
