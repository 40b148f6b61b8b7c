"""What every staff view of the answers may be narrowed to: one filter, shared by all.

The dashboard, ``ecoute stats``, ``GET /api/v1/stats``, the response browser, its
exports and ``GET /api/v1/responses`` take the same :class:`ResponseFilter`, so a
view bookmarked in the console, a CLI line and an API call with the same filters
mean the same answers. The web reads it from a URL's query string
(:mod:`web.filters`); each query module turns it into SQL for its own shape.

- ``since``/``until``: the period, a half-open span ``[since, until)`` in UTC
  (either may be open). Answers are placed by when they were given.
- ``channel``, ``survey`` (a survey key), ``context`` (the shop or product of a QR
  code or deep link) and ``service`` (the internal service an employee rated:
  the internal survey's ``service`` choice): exact matches.
- ``band``: the conversation's score band (detractor, passive or promoter on its
  score question, with the thresholds of :mod:`bot.metrics`).
- ``has_comment``: only conversations with (True) or without (False) free text.
- ``text``: conversations whose free text contains these words (case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum


class Band(StrEnum):
    """Where a score falls: low (detractor), middle (passive) or high (promoter)."""

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


@dataclass(frozen=True)
class ResponseFilter:
    """Which answers a view covers; every field left None means "all"."""

    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    survey: str | None = None
    context: str | None = None
    service: str | None = None
    band: Band | None = None
    has_comment: bool | None = None
    text: str | None = None

    def narrowed(self, **changes: object) -> ResponseFilter:
        """Return a copy with some fields changed (a link to a narrower view)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def is_everything(self) -> bool:
        """Tell whether nothing is filtered."""
        return all(getattr(self, f.name) is None for f in fields(self))
