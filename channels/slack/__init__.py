"""Slack, for employees (internal clients): DMs, buttons, ``/feedback``, App Home, pulses.

Modules: ``adapter`` (the Bolt listeners, translating only), ``home`` (App
Home), ``ideas`` (``/idea``), ``render`` (Block Kit), ``sender`` (the outbox's
sender), ``pulse`` (scheduled invitations), ``socket_mode``, ``setup`` (assembly
from the settings), ``settings``, and the app manifest ``manifest.yaml``.
:data:`CHANNEL` is the registry's entry.
"""

from __future__ import annotations

from typing import Any

from channels.registry import Channel, Runtime, Service

NAME = "slack"


class SlackChannelEntry(Channel):
    """Slack's facts (its people are employees) and parts, built only when configured."""

    name = NAME
    internal = True

    def settings(self, env: Any) -> Any:
        """Read the ``SLACK_*`` variables."""
        from channels.slack.settings import SlackSettings

        return SlackSettings.from_env(env)

    def sender(self, settings: Any) -> Any:
        """Return the outbox's Slack sender when a bot token is set."""
        from channels.slack.setup import slack_sender

        return slack_sender(settings)

    def services(self, settings: Any, runtime: Runtime) -> list[Service]:
        """Return the Socket Mode service when an app token is set."""
        from channels.slack.setup import slack_services

        return slack_services(settings, runtime)

    def jobs(self, settings: Any, runtime: Runtime) -> list[Any]:
        """Return the pulse job when a pulse is configured."""
        from channels.slack.setup import slack_jobs

        return slack_jobs(settings, runtime)

    def alert_targets(self, settings: Any) -> tuple[tuple[str, str], ...]:
        """Return ``SLACK_ALERT_CHANNEL`` as the staff-alert target when configured."""
        from channels.slack.setup import slack_alert_targets

        return slack_alert_targets(settings)


CHANNEL = SlackChannelEntry()
