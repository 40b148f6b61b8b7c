"""The staff dashboard's figures: NPS, CSAT and CES for a filter, now, over time and broken down.

One function per figure, each taking the shared :class:`storage.filters.ResponseFilter`
and the time, so the console page, ``ecoute stats`` and ``GET /api/v1/stats`` give the
same numbers for the same filters (:func:`summary` is what all three print).

- Named answers are counted from the daily counts plus the live tail
  (:mod:`storage.daily`), by the day they were given; periods are whole UTC days.
- Answers linked to nobody (anonymous, or of someone forgotten) follow the rule of five
  (:mod:`bot.small_groups`): only conversations of groups of at least five, in closed
  calendar months, from the month of ``since`` to the month holding ``until``. They
  are placed by their month, so a weekly trend shows named answers only (weeks and
  months do not nest); a monthly trend shows both.
- Only the period, channel, survey, context and service narrow figures: the score
  band, comments and words narrow lists of conversations, not figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from bot import metrics, small_groups, themes
from bot.metrics import Summary
from storage import daily, reports
from storage.daily import ScoreTally
from storage.filters import ResponseFilter

THRESHOLDS = metrics.THRESHOLDS
BREAKDOWNS = ("channel", "survey", "context", "service")
DEFAULT_DAYS = 365
COMMENTS = 10


class Grain(StrEnum):
    """The buckets of a trend."""

    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Point:
    """One bucket of a trend for one series (a channel): its start and its figures."""

    start: date
    series: str
    summary: Summary


@dataclass(frozen=True)
class Part:
    """One value of a breakdown (a channel, a survey, a context, a service) and its figures."""

    key: str
    summary: Summary


@dataclass(frozen=True)
class Bar:
    """One NPS score (0-10), how many gave it and its band."""

    score: int
    count: int
    band: str


@dataclass(frozen=True)
class Reading:
    """One reading of the figures: the filter, the time, and the unlinked conversations shown.

    The rule of five is decided once per reading (:func:`reading`), then every figure of
    a page counts the same conversations.
    """

    session: Session
    wanted: ResponseFilter
    now: datetime
    shown: frozenset[str]
    end: datetime | None  # unlinked conversations started before this (the period's last month)


def reading(session: Session, wanted: ResponseFilter, now: datetime) -> Reading:
    """Return a reading of ``wanted`` at ``now``, the rule of five decided."""
    shown = small_groups.visible(session, now, wanted.since)
    end = None
    if wanted.until is not None:  # the month holding the period's last day is its last
        end = small_groups.bucket_start(wanted.until)
        end = end if end == wanted.until else small_groups.bucket_after(end)
    return Reading(session, wanted, now, shown, end)


def default_period(now: datetime, days: int = DEFAULT_DAYS) -> ResponseFilter:
    """Return the default filter: the last ``days`` whole days, today included."""
    tomorrow = daily.midnight(now) + timedelta(days=1)
    return ResponseFilter(since=tomorrow - timedelta(days=days), until=tomorrow)


def summary(session: Session, wanted: ResponseFilter, now: datetime) -> Summary:
    """Return NPS, CSAT and CES over ``wanted``: what ``ecoute stats`` prints."""
    return headline(reading(session, wanted, now))


def headline(read: Reading) -> Summary:
    """Return NPS, CSAT and CES of a reading."""
    return _summarise(_tallies(read, ()))


def breakdown(read: Reading, dim: str) -> list[Part]:
    """Return the figures per value of ``dim`` (one of :data:`BREAKDOWNS`), most answers first."""
    groups: dict[str, list[ScoreTally]] = {}
    for tally in _tallies(read, (dim,)):
        groups.setdefault(str(tally.key[0]), []).append(tally)
    parts = [Part(key, _summarise(tallies)) for key, tallies in groups.items()]
    return sorted(parts, key=lambda p: (-_responses(p.summary), p.key))


def distribution(read: Reading) -> list[Bar]:
    """Return how many gave each NPS score from 0 to 10, with its band."""
    counts = {int(t.key[0]): t.count for t in _tallies(read, ("value",), kinds=("nps",))}
    return [Bar(score, counts.get(score, 0), band(score)) for score in range(11)]


def band(score: int) -> str:
    """Return an NPS score's band: detractor, passive or promoter."""
    if score >= metrics.PROMOTER_MIN:
        return "promoter"
    return "detractor" if score <= metrics.DETRACTOR_MAX else "passive"


def edges(wanted: ResponseFilter, grain: Grain) -> list[date]:
    """Return the bucket boundaries covering the filter's period (whole weeks or months)."""
    assert wanted.since is not None and wanted.until is not None
    grid = small_groups.Grid(grain.value)
    bounds = small_groups.edges(small_groups.snap(wanted.since, wanted.until, grid), grid)
    return [bound.date() for bound in bounds]


def trend(read: Reading, grain: Grain) -> list[Point]:
    """Return the figures per bucket and channel over the period (anonymous ones by month)."""
    bounds = edges(read.wanted, grain)
    named = daily.tallies(read.session, read.wanted, THRESHOLDS, ("channel",), bounds)
    tallies = named + (_unlinked(read, ("channel",), bounds) if grain is Grain.MONTH else [])
    groups: dict[tuple[int, str], list[ScoreTally]] = {}
    for tally in tallies:
        if tally.key[0] >= 0:
            groups.setdefault((int(tally.key[0]), str(tally.key[1])), []).append(tally)
    return [Point(bounds[index], channel, _summarise(group))
            for (index, channel), group in sorted(groups.items())]


def detractor_comments(read: Reading, limit: int = COMMENTS) -> list[reports.Comment]:
    """Return the latest comments of detractors (NPS 0-6), named conversations only."""
    return reports.detractor_comments(read.session, read.wanted, metrics.DETRACTOR_MAX, limit)


def period_themes(read: Reading, default_language: str) -> list[themes.Theme]:
    """Return the main themes of the period's named free-text answers (the latest ones)."""
    texts = reports.comment_texts(read.session, read.wanted, themes.MAX_TEXTS)
    return themes.themes(texts, default_language)


def _tallies(read: Reading, dims: Sequence[str],
             kinds: Sequence[str] = tuple(THRESHOLDS)) -> list[ScoreTally]:
    """Return the named and the visible unlinked tallies of a reading, grouped by ``dims``."""
    thresholds = {kind: THRESHOLDS[kind] for kind in kinds}
    return (daily.tallies(read.session, read.wanted, thresholds, dims)
            + _unlinked(read, dims, None, thresholds))


def _unlinked(read: Reading, dims: Sequence[str], bounds: Sequence[date] | None,
              thresholds: dict[str, tuple[int, int]] = THRESHOLDS) -> list[ScoreTally]:
    """Return the tallies of the unlinked conversations the rule of five lets show."""
    moments = None if bounds is None else [
        datetime(d.year, d.month, d.day, tzinfo=UTC) for d in bounds]
    return reports.unlinked_tallies(read.session, thresholds, read.shown, read.wanted, dims,
                                    moments, read.end)


def _summarise(tallies: Sequence[ScoreTally]) -> Summary:
    """Return NPS, CSAT and CES from tallies of any groups (summed per score type)."""
    sums: dict[str, list[int]] = {kind: [0, 0, 0, 0] for kind in THRESHOLDS}
    for tally in tallies:
        if tally.question_type in sums:
            total = sums[tally.question_type]
            for index, value in enumerate((tally.count, tally.total, tally.high, tally.low)):
                total[index] += value
    n, c, e = sums["nps"], sums["csat"], sums["ces"]
    return Summary(nps=metrics.nps(n[2], n[0] - n[2] - n[3], n[3]),
                   csat=metrics.csat(c[2], c[0], c[1]), ces=metrics.ces(e[0], e[1]))


def _responses(figures: Summary) -> int:
    """Return how many scores a summary counts."""
    return figures.nps.responses + figures.csat.responses + figures.ces.responses


def to_dict(figures: Summary) -> dict[str, Any]:
    """Return a summary as JSON-ready data (what the CLI and the API print)."""
    return figures.to_dict()
