"""Read a :class:`storage.filters.ResponseFilter` from a URL's query string, and write one back.

The console's pages and the REST API take the same parameters, so a view is a
link anyone can bookmark or paste, and the API answers the same question:

``from``/``to`` (days, ``YYYY-MM-DD``, both inclusive), ``channel``, ``survey``,
``context``, ``service``, ``band`` (detractor, passive, promoter),
``comment`` (``yes`` or ``no``) and ``q`` (words to find in the free text).
A malformed value is a 400 with a message saying which parameter and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from werkzeug.exceptions import BadRequest

from storage.filters import Band, ResponseFilter

NAMES = ("channel", "survey", "context", "service")
LONGEST = 128  # no channel, survey key, context or service is longer
LONGEST_SEARCH = 200
FIRST_YEAR, LAST_YEAR = 1900, 9998


def parse(args: Mapping[str, str]) -> ResponseFilter:
    """Return the filter a query string asks for (400 when a parameter is malformed)."""
    since = _day(args, "from")
    last = _day(args, "to")
    until = last + timedelta(days=1) if last else None
    if since and until and since >= until:
        raise BadRequest("from must be a day before or equal to to")
    named = {name: _word(args, name, LONGEST) for name in NAMES}
    return ResponseFilter(since=since, until=until, band=_band(args),
                          has_comment=_comment(args), text=_word(args, "q", LONGEST_SEARCH),
                          **named)


def to_args(wanted: ResponseFilter) -> dict[str, str]:
    """Return the query parameters that :func:`parse` reads back as ``wanted``."""
    args: dict[str, str] = {}
    if wanted.since:
        args["from"] = wanted.since.strftime("%Y-%m-%d")
    if wanted.until:
        args["to"] = (wanted.until - timedelta(days=1)).strftime("%Y-%m-%d")
    for name in NAMES:
        value = getattr(wanted, name)
        if value:
            args[name] = value
    if wanted.band:
        args["band"] = wanted.band.value
    if wanted.has_comment is not None:
        args["comment"] = "yes" if wanted.has_comment else "no"
    if wanted.text:
        args["q"] = wanted.text
    return args


def _day(args: Mapping[str, str], name: str) -> datetime | None:
    """Read a day as UTC midnight."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"{name} must be a day written YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the day after, and its month, must exist
        raise BadRequest(f"{name} must be a day from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _word(args: Mapping[str, str], name: str, longest: int) -> str | None:
    """Read a free value: trimmed, None when empty, refused when too long or not text."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if len(raw) > longest or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in raw):
        raise BadRequest(f"{name} must be at most {longest} printable characters")
    return raw


def _band(args: Mapping[str, str]) -> Band | None:
    """Read a score band."""
    raw = (args.get("band") or "").strip()
    if not raw:
        return None
    try:
        return Band(raw)
    except ValueError:
        raise BadRequest("band must be one of detractor, passive, promoter") from None


def _comment(args: Mapping[str, str]) -> bool | None:
    """Read whether conversations must have free text."""
    raw = (args.get("comment") or "").strip()
    if raw in ("", "any"):
        return None
    if raw not in ("yes", "no"):
        raise BadRequest("comment must be yes, no or any")
    return raw == "yes"
