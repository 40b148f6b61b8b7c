"""How the Slack channel is put together from the settings (called by :mod:`ecoute.wiring`).

Kept beside the channel so the composition root only adds one line per
extension point: the outbox's sender, the Socket Mode service, the pulse job,
and the staff-alert target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.scheduler import Job
from channels.slack import SlackChannel
from channels.slack_pulse import send_pulse
from channels.slack_sender import SlackSender

if TYPE_CHECKING:
    from ecoute.config import SlackSettings
    from ecoute.wiring import Ecoute, Service


def web_client(slack: SlackSettings, *, patient: bool = False) -> WebClient:
    """Return the Web API client for the configured token and base URL.

    A patient client waits out HTTP 429 (``Retry-After``) itself, for batch work
    such as a pulse's ``users.info`` look-ups; the outbox's sender is not patient:
    it hands the wait back to the outbox, which reschedules.
    """
    client = WebClient(token=slack.bot_token, base_url=slack.api_base_url, timeout=10)
    if patient:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=5))
    return client


def slack_sender(slack: SlackSettings) -> SlackSender | None:
    """Return the outbox's Slack sender, or None when no bot token is set."""
    return SlackSender(web_client(slack)) if slack.bot_token else None


def slack_channel(ecoute: Ecoute, *, process_before_response: bool = False) -> SlackChannel:
    """Return the Bolt-based Slack channel over the application's engine.

    Its client is patient: live replies are posted after the ack, in the
    background, so waiting out a 429 loses nothing and keeps the dialogue going.
    """
    slack = ecoute.settings.slack
    return SlackChannel(ecoute.engine, web_client(slack, patient=True),
                        signing_secret=slack.signing_secret,
                        feedback_survey=slack.feedback_survey,
                        process_before_response=process_before_response)


def slack_services(ecoute: Ecoute) -> list[Service]:
    """Return the Socket Mode service when ``SLACK_APP_TOKEN`` (and a bot token) is set."""
    from channels.slack_socket import SlackSocketService

    slack = ecoute.settings.slack
    if not (slack.bot_token and slack.app_token):
        return []
    return [SlackSocketService(slack_channel(ecoute), slack.app_token)]


def slack_jobs(ecoute: Ecoute) -> list[Job]:
    """Return the pulse job when a pulse is configured."""
    slack = ecoute.settings.slack
    pulse = slack.pulse
    if not (slack.bot_token and pulse):
        return []
    args = (ecoute.db, web_client(slack, patient=True), ecoute.catalog, pulse, ecoute.engine.clock,
            ecoute.settings.default_language)
    return [Job("slack_pulse", send_pulse, "cron", pulse.trigger_args(), args)]


def slack_alert_targets(slack: SlackSettings) -> tuple[tuple[str, str], ...]:
    """Return the staff-alert target ``("slack", SLACK_ALERT_CHANNEL)`` when configured."""
    if slack.bot_token and slack.alert_channel:
        return (("slack", slack.alert_channel),)
    return ()
