"""The Slack channel's settings (``SLACK_*`` variables), pulses included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from channels.registry import ConfigError


@dataclass(frozen=True)
class Pulse:
    """A Slack pulse: which survey, when (five-field cron), to whom (channel members or users)."""

    survey: str
    cron: str
    channel: str | None = None
    users: tuple[str, ...] = ()
    timezone: str = "UTC"

    def trigger_args(self) -> dict[str, str]:
        """Return APScheduler ``cron`` trigger arguments from the five-field expression."""
        fields = ("minute", "hour", "day", "month", "day_of_week")
        values = self.cron.split()
        if len(values) != len(fields):
            raise ValueError(f"a cron expression has 5 fields, not {len(values)}: {self.cron!r}")
        return {**dict(zip(fields, values, strict=True)), "timezone": self.timezone}


@dataclass(frozen=True)
class SlackSettings:
    """The Slack channel (on when a bot token and signing secret are set)."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_base_url: str = "https://slack.com/api/"
    alert_channel: str | None = None
    rate: str = "10/second"  # per workspace; each conversation: 1/second (per-person rate)
    feedback_survey: str = "internal"
    pulse: Pulse | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """Read the ``SLACK_*`` variables (a pulse needs a survey, a schedule and an audience)."""
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_base_url=_slash(env.get("SLACK_API_BASE_URL") or "https://slack.com/api/"),
            alert_channel=env.get("SLACK_ALERT_CHANNEL") or None,
            rate=env.get("SLACK_RATE") or "10/second",
            feedback_survey=env.get("SLACK_FEEDBACK_SURVEY") or "internal",
            pulse=_slack_pulse(env),
        )


def _slack_pulse(env: Mapping[str, str]) -> Pulse | None:
    """Read ``SLACK_PULSE_*``; None when no pulse survey is configured."""
    from apscheduler.triggers.cron import CronTrigger

    survey = (env.get("SLACK_PULSE_SURVEY") or "").strip()
    if not survey:
        return None
    users = tuple(u.strip() for u in (env.get("SLACK_PULSE_USERS") or "").split(",") if u.strip())
    channel = (env.get("SLACK_PULSE_CHANNEL") or "").strip() or None
    if not users and not channel:
        raise ConfigError("SLACK_PULSE_SURVEY needs SLACK_PULSE_CHANNEL or SLACK_PULSE_USERS")
    pulse = Pulse(survey, (env.get("SLACK_PULSE_SCHEDULE") or "0 10 * * mon").strip(),
                  channel, users, (env.get("SLACK_PULSE_TIMEZONE") or "UTC").strip())
    try:
        CronTrigger(**pulse.trigger_args())
    except (ValueError, LookupError) as error:
        raise ConfigError(f"SLACK_PULSE_SCHEDULE / SLACK_PULSE_TIMEZONE: {error}") from None
    return pulse


def _slash(url: str) -> str:
    """Return ``url`` with exactly one trailing slash (slack-sdk needs it)."""
    return url.rstrip("/") + "/"
