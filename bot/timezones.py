"""A person's own timezone, as their browser or platform tells it: kept only when it is real.

Usage::

    timezones.remember(db, "web", visitor, "Europe/Paris")   # True: stored (a known visitor)
    timezones.remember(db, "web", visitor, "Mars/Olympus")   # False: ignored, nothing written

Settings name zones too (``ECOUTE_TIMEZONE``, ``ECOUTE_DIGEST_TIMEZONE``): :func:`zone`
checks them by the same list. Announcements' quiet hours follow ``respondent.timezone``
where it is known, else ``ECOUTE_TIMEZONE`` (:mod:`bot.announcement_message`). Only
a name of the IANA database as :mod:`zoneinfo` knows it is stored, so a stored zone
is never replaced by garbage; a later real zone (the person travelled) replaces it.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from storage import respondents
from storage.db import Database

LONGEST = 64  # respondent.timezone's width


@cache
def _zones() -> frozenset[str]:
    """Return the IANA zone names this machine knows (read once)."""
    return frozenset(available_timezones())


def known(name: object) -> str | None:
    """Return ``name`` when it is an IANA timezone, else None."""
    if not isinstance(name, str) or not 0 < len(name) <= LONGEST:
        return None
    return name if name in _zones() else None


def zone(name: str) -> ZoneInfo:
    """Return the timezone named ``name`` (a setting's); ValueError when it is not an IANA zone."""
    if known(name) is None:
        raise ValueError(f"unknown timezone {name!r}")
    return ZoneInfo(name)


def remember(db: Database, channel: str, external_id: str, name: object) -> bool:
    """Store a person's timezone when ``name`` is a real one; return whether it was kept."""
    zone = known(name)
    if zone is None:
        return False
    with db.transaction() as session:
        return respondents.set_timezone(session, channel, external_id, zone)
