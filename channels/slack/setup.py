"""How the Slack channel is put together from its settings and the running engine.

The channel's registry entry (:data:`channels.slack.CHANNEL`) hands these to the
composition root: the outbox's sender, the Socket Mode service, the pulse job and
the staff-alert target; the web app builds :func:`slack_channel` for HTTP events.
"""

from __future__ import annotations

from functools import partial

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.engine import DialogueEngine
from bot.scheduler import Job
from channels.registry import Runtime, Service
from channels.slack.adapter import SlackChannel
from channels.slack.pulse import send_pulse
from channels.slack.sender import SlackSender
from channels.slack.settings import SlackSettings


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


def slack_channel(slack: SlackSettings, engine: DialogueEngine, *,
                  process_before_response: bool = False) -> SlackChannel:
    """Return the Bolt-based Slack channel over the application's engine.

    Its client is patient: live replies are posted after the ack, in the
    background, so waiting out a 429 loses nothing and keeps the dialogue going.
    """
    return SlackChannel(engine, web_client(slack, patient=True),
                        signing_secret=slack.signing_secret,
                        feedback_survey=slack.feedback_survey,
                        process_before_response=process_before_response)


def slack_services(slack: SlackSettings, runtime: Runtime) -> list[Service]:
    """Return the Socket Mode service when ``SLACK_APP_TOKEN`` (and a bot token) is set."""
    from channels.slack.socket_mode import SlackSocketService

    if not (slack.bot_token and slack.app_token):
        return []
    return [SlackSocketService(slack_channel(slack, runtime.engine), slack.app_token)]


def slack_jobs(slack: SlackSettings, runtime: Runtime) -> list[Job]:
    """Return the pulse job when a pulse is configured."""
    pulse = slack.pulse
    if not (slack.bot_token and pulse):
        return []
    engine = runtime.engine
    args = (engine.db, web_client(slack, patient=True), engine.catalog, pulse, engine.clock,
            runtime.default_language)
    plan = partial(send_pulse, keyring=engine.keyring)
    return [Job("slack_pulse", plan, "cron", pulse.trigger_args(), args)]


def slack_alert_targets(slack: SlackSettings) -> tuple[tuple[str, str], ...]:
    """Return the staff-alert target ``("slack", SLACK_ALERT_CHANNEL)`` when configured."""
    if slack.bot_token and slack.alert_channel:
        return (("slack", slack.alert_channel),)
    return ()
