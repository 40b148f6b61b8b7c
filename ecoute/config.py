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

from bot.announcement_message import AnnouncementSettings
from bot.complaint_policy import ComplaintPolicy, PolicyError
from bot.digest import DigestConfigError, DigestSettings
from bot.i18n import SUPPORTED
from channels.registry import ConfigError, registered
from channels.slack.settings import Pulse, SlackSettings
from channels.telegram.settings import TelegramSettings
from channels.webhooks import WebhookSettings
from storage.db import DEFAULT_URL
from web.settings import WebSettings, positive_number

__all__ = ["ConfigError", "Pulse", "Settings", "SlackSettings", "TelegramSettings", "WebSettings",
           "WebhookSettings"]

PACKAGED_SURVEYS = Path(__file__).resolve().parent.parent / "surveys"


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
    invitation_days: int = 7  # the contact cap of triggered surveys (ECOUTE_INVITATION_DAYS)
    complaint_confirm_days: int = 7  # unanswered resolutions close (ECOUTE_COMPLAINT_CONFIRM_DAYS)
    outbox_in_flight: int = 16  # sends at once per worker (ECOUTE_OUTBOX_IN_FLIGHT, 1 to 64)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    web: WebSettings = field(default_factory=WebSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    complaints: ComplaintPolicy = field(default_factory=ComplaintPolicy)
    other_channels: Mapping[str, object] = field(default_factory=dict)  # added by packages
    announcements: AnnouncementSettings = field(default_factory=AnnouncementSettings)
    digests: DigestSettings = field(default_factory=DigestSettings)  # the weekly digest

    def channel_settings(self, name: str) -> object:
        """Return the settings of the channel called ``name`` (None when it has none)."""
        built_in = {"telegram": self.telegram, "slack": self.slack}
        return built_in[name] if name in built_in else self.other_channels.get(name)

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
            idle_timeout=timedelta(hours=positive_number(env, "ECOUTE_IDLE_HOURS", 24.0)),
            base_url=(env.get("ECOUTE_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            secret_key=env.get("ECOUTE_SECRET_KEY") or None,
            allowed_origins=_origins(env.get("ECOUTE_ALLOWED_ORIGINS", "")),
            rate_limit_storage=env.get("ECOUTE_RATE_LIMIT_STORAGE") or "memory://",
            invitation_days=_days(env, "ECOUTE_INVITATION_DAYS", 7),
            complaint_confirm_days=_days(env, "ECOUTE_COMPLAINT_CONFIRM_DAYS", 7),
            outbox_in_flight=_in_flight(env),
            telegram=TelegramSettings.from_env(env),
            web=WebSettings.from_env(env),
            slack=SlackSettings.from_env(env),
            webhooks=WebhookSettings.from_env(env),
            complaints=_complaints(env),
            other_channels={name: channel.settings(env) for name, channel in registered().items()
                            if name not in ("telegram", "slack")},
            announcements=_announcements(env),
            digests=_digests(env),
        )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """Read a whole number of days above 0 (``default`` when unset), or raise a ConfigError."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdecimal() or not 0 < int(raw) <= 3660:
        raise ConfigError(f"{name} must be a whole number of days from 1 to 3660, not {raw!r}")
    return int(raw)


def _in_flight(env: Mapping[str, str]) -> int:
    """Read how many sends a worker has in flight at once (1 to 64), or raise a ConfigError."""
    raw = (env.get("ECOUTE_OUTBOX_IN_FLIGHT") or "").strip()
    if not raw:
        return 16
    if not raw.isdecimal() or not 1 <= int(raw) <= 64:
        raise ConfigError(
            f"ECOUTE_OUTBOX_IN_FLIGHT must be a whole number from 1 to 64, not {raw!r}")
    return int(raw)


def _complaints(env: Mapping[str, str]) -> ComplaintPolicy:
    """Read the complaint policy (importance, deadlines, business calendar)."""
    try:
        return ComplaintPolicy.from_env(env)
    except PolicyError as error:
        raise ConfigError(str(error)) from error


def _origins(raw: str) -> tuple[str, ...]:
    """Read the sites allowed to call the widget API; refuse a wildcard or ``null``."""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if "*" in origin or origin.lower() == "null":
            raise ConfigError(
                f"ECOUTE_ALLOWED_ORIGINS must list each site allowed to call the widget API "
                f"(such as https://shop.example), not {origin!r}, which would allow any site"
            )
    return origins


def _announcements(env: Mapping[str, str]) -> AnnouncementSettings:
    """Read the quiet hours, the weekly cap and the timezone of announcements."""
    try:
        return AnnouncementSettings.from_env(env)
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _digests(env: Mapping[str, str]) -> DigestSettings:
    """Read the weekly digest's ``ECOUTE_DIGEST*`` variables, or raise a ConfigError."""
    try:
        return DigestSettings.from_env(env, SUPPORTED)
    except DigestConfigError as error:
        raise ConfigError(str(error)) from None
