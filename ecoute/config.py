"""Settings from the environment (12-factor), checked once at start.

Every setting has a default that works on a laptop: a SQLite file in the working
directory, no platform tokens (the channels without tokens are simply off).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.i18n import SUPPORTED
from storage.db import DEFAULT_URL

PACKAGED_SURVEYS = Path(__file__).resolve().parent.parent / "surveys"


class ConfigError(ValueError):
    """A setting has a value Écoute cannot use; the message names the variable."""


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel (on when a token is set)."""

    token: str | None = None
    webhook_secret: str | None = None
    api_base_url: str = "https://api.telegram.org"
    rate: str = "30/second"
    per_chat_rate: str = "1/second"
    webhook_url: str | None = None


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


@dataclass(frozen=True)
class WebSettings:
    """The web widget's API: request rates per visitor and per IP address (``limits`` syntax).

    ``telegram_bot`` (``TELEGRAM_BOT_USERNAME``) lets ``ecoute qr --telegram`` draw the
    Telegram deep link beside the web link.
    """

    visitor_rate: str = "30/minute"
    ip_rate: str = "300/minute"
    telegram_bot: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """Read the widget's settings; a rate that ``limits`` cannot parse is a ConfigError."""
        from limits import parse_many

        rates = {}
        for name, default in (("ECOUTE_WIDGET_VISITOR_RATE", cls.visitor_rate),
                              ("ECOUTE_WIDGET_IP_RATE", cls.ip_rate)):
            rates[name] = env.get(name) or default
            try:
                parse_many(rates[name])
            except ValueError:
                raise ConfigError(f"{name} must be a rate such as 30/minute, "
                                  f"not {rates[name]!r}") from None
        return cls(
            visitor_rate=rates["ECOUTE_WIDGET_VISITOR_RATE"],
            ip_rate=rates["ECOUTE_WIDGET_IP_RATE"],
            telegram_bot=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
        )


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with working defaults."""

    database_url: str = DEFAULT_URL
    default_language: str = "en"
    surveys_dir: Path = PACKAGED_SURVEYS
    idle_timeout: timedelta = timedelta(hours=24)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    allowed_origins: tuple[str, ...] = ()
    rate_limit_storage: str = "memory://"
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    web: WebSettings = field(default_factory=WebSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        language = env.get("ECOUTE_DEFAULT_LANGUAGE", "en").strip().lower()
        if language not in SUPPORTED:
            raise ConfigError(
                f"ECOUTE_DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED)}, not {language!r}"
            )
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_URL,
            default_language=language,
            surveys_dir=Path(env.get("ECOUTE_SURVEYS_DIR") or PACKAGED_SURVEYS),
            idle_timeout=timedelta(hours=_number(env, "ECOUTE_IDLE_HOURS", 24.0)),
            base_url=(env.get("ECOUTE_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            secret_key=env.get("ECOUTE_SECRET_KEY") or None,
            allowed_origins=tuple(
                o.strip().rstrip("/") for o in env.get("ECOUTE_ALLOWED_ORIGINS", "").split(",")
                if o.strip()
            ),
            rate_limit_storage=env.get("ECOUTE_RATE_LIMIT_STORAGE") or "memory://",
            telegram=TelegramSettings(
                token=env.get("TELEGRAM_BOT_TOKEN") or None,
                webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
                api_base_url=(env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org")
                .rstrip("/"),
                rate=env.get("TELEGRAM_RATE") or "30/second",
                per_chat_rate=env.get("TELEGRAM_PER_CHAT_RATE") or "1/second",
                webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            ),
            web=WebSettings.from_env(env),
            slack=SlackSettings.from_env(env),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    """Read a positive number from ``env``."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {raw!r}")
    return value


def _slash(url: str) -> str:
    """Return ``url`` with exactly one trailing slash (slack-sdk needs it)."""
    return url.rstrip("/") + "/"
