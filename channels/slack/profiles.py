"""Slack people's profiles from ``users.info``: their locale and timezone, cached per process.

The adapter reads a person's profile for the language hint of what they send:
one ``users.info`` per person per hour and process, never one per message. The
same answer carries Slack's ``tz`` (an IANA name such as ``Europe/Paris``); a
name :mod:`zoneinfo` knows is kept here until the person's respondent row exists,
then written once into ``respondent.timezone`` while it is empty
(:func:`storage.respondents.set_timezone`, keeping a stored zone), so announcements' quiet hours use
the person's own zone. No Slack call is added for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import timezones

TTL = 3600.0  # seconds a profile is kept
KEPT = 10_000  # people cached at most (then the cache starts again)


@dataclass(frozen=True)
class Profile:
    """What Écoute reads of a Slack user: their locale (``fr-FR``) and a valid IANA timezone."""

    locale: str | None = None
    timezone: str | None = None


class Profiles:
    """Slack users' profiles from ``users.info``, cached for an hour per process."""

    def __init__(self, client: WebClient, ttl: float = TTL) -> None:
        self.client = client
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Profile]] = {}
        self._settled: set[str] = set()  # people whose timezone is in the store
        self._lock = threading.Lock()

    def of(self, user: str) -> Profile:
        """Return the user's profile (empty when Slack does not say)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        try:
            info = self.client.users_info(user=user, include_locale=True).get("user") or {}
        except SlackApiError:
            return Profile()  # not cached: ask again next time
        locale = info.get("locale")
        profile = Profile(locale if isinstance(locale, str) else None,
                          timezones.known(info.get("tz")))
        with self._lock:
            if len(self._cache) > KEPT:
                self._cache.clear()
            self._cache[user] = (now, profile)
        return profile

    def locale(self, user: str) -> str | None:
        """Return the user's Slack locale (``fr-FR``), or None when Slack does not say."""
        return self.of(user).locale

    def unsettled_zone(self, user: str) -> str | None:
        """Return the timezone Slack gave for ``user`` and not yet stored (no Slack call)."""
        with self._lock:
            if user in self._settled:
                return None
            cached = self._cache.get(user)
        return cached[1].timezone if cached else None

    def settle(self, user: str) -> None:
        """Remember that ``user``'s timezone is in the store: it is not written again."""
        with self._lock:
            if len(self._settled) > KEPT:
                self._settled.clear()
            self._settled.add(user)
