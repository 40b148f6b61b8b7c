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

from sqlalchemy.orm import Session

from bot import metrics, small_groups, themes
from bot.metrics import Summary
from storage import daily, daily_counts, reports, unlinked_counts
from storage.daily import ScoreRow
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
    """One reading of the figures: the filter, the time, and where anonymous answers come from.

    Anonymous months before ``pending`` come from their monthly counts; from
    ``pending`` on (not rolled up yet, or changed by a forget) the rule of five is
    decided here, once per reading, and ``shown`` lists the conversations it shows.
    """

    session: Session
    wanted: ResponseFilter
    now: datetime
    months: tuple[date, date]  # the anonymous months of the period: [first, end)
    pending: date
    shown: frozenset[str]


@dataclass(frozen=True)
class Cube:
    """A reading's counts: per bucket and channel (the trend, the headline, the distribution,
    the channels), and per survey, context and service (the other breakdowns).

    Named buckets follow the trend's edges; anonymous ones are months with a monthly
    trend, or -1 with a weekly one (a weekly trend shows no anonymous answer).
    """

    by_channel: list[ScoreRow]  # key: (bucket, channel)
    by_dim: dict[str, list[ScoreRow]]  # key: (value,)


EARLIEST, LATEST = date(1970, 1, 1), date(9999, 1, 1)


def reading(session: Session, wanted: ResponseFilter, now: datetime) -> Reading:
    """Return a reading of ``wanted`` at ``now``, the rule of five decided."""
    first = small_groups.bucket_start(wanted.since).date() if wanted.since else EARLIEST
    end = LATEST
    if wanted.until is not None:  # the month holding the period's last day is its last
        start = small_groups.bucket_start(wanted.until)
        end = (start if start == wanted.until else small_groups.bucket_after(start)).date()
    pending = max(daily.unlinked_pending(session) or EARLIEST, first)
    closed = min(end, small_groups.bucket_start(now).date())  # an open month shows nothing
    shown: frozenset[str] = frozenset()
    if pending < closed:
        shown = small_groups.visible(session, now, _moment(pending), until=_moment(closed))
    return Reading(session, wanted, now, (first, end), pending, shown)


def roll(session: Session, now: datetime) -> None:
    """Roll the dashboard's counts up: the closed days, and the closed or changed months."""
    daily.roll(session, now)
    closed = small_groups.bucket_start(now).date()
    pending = daily.unlinked_pending(session)
    first = pending or _first_unlinked_month(session)
    if first is None or first >= closed:
        daily.set_unlinked_until(session, closed, now)
        return
    unlinked_counts.replace_months(session, first, closed, small_groups.MIN_ANONYMOUS)
    daily.set_unlinked_until(session, closed, now)


def rebuild(session: Session, now: datetime) -> None:
    """Recount every count of the dashboard from the answers (named days, anonymous months)."""
    daily.rebuild(session, now)
    roll(session, now)


def _first_unlinked_month(session: Session) -> date | None:
    """Return the month of the first conversation linked to nobody (None when there is none)."""
    started = reports.first_unlinked_start(session)
    return None if started is None else small_groups.bucket_start(started).date()


def _moment(day: date) -> datetime:
    """Return a day's UTC midnight."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def default_period(now: datetime, days: int = DEFAULT_DAYS) -> ResponseFilter:
    """Return the default filter: the last ``days`` whole days, today included."""
    tomorrow = daily.midnight(now) + timedelta(days=1)
    return ResponseFilter(since=tomorrow - timedelta(days=days), until=tomorrow)


def summary(session: Session, wanted: ResponseFilter, now: datetime) -> Summary:
    """Return NPS, CSAT and CES over ``wanted``: what ``ecoute stats`` prints."""
    return _summarise(_counts(reading(session, wanted, now), [daily_counts.Grouping()])[0])


def cube(read: Reading, grain: Grain) -> Cube:
    """Return the counts the whole page needs: every breakdown in one statement."""
    bounds = tuple(edges(read.wanted, grain))
    months = bounds if grain is Grain.MONTH else ()  # no bucket: a weekly trend leaves them out
    others = [dim for dim in BREAKDOWNS if dim != "channel"]
    found = _counts(read, [daily_counts.Grouping(("channel",), bounds, months),
                           *(daily_counts.Grouping((dim,)) for dim in others)])
    return Cube(found[0], dict(zip(others, found[1:], strict=True)))


def headline(figures: Cube) -> Summary:
    """Return NPS, CSAT and CES of the whole period."""
    return _summarise(figures.by_channel)


def breakdown(figures: Cube, dim: str) -> list[Part]:
    """Return the figures per value of ``dim`` (one of :data:`BREAKDOWNS`), most answers first."""
    rows, index = ((figures.by_channel, 1) if dim == "channel" else (figures.by_dim[dim], 0))
    groups: dict[str, list[ScoreRow]] = {}
    for row in rows:
        groups.setdefault(str(row.key[index]), []).append(row)
    parts = [Part(key, _summarise(rows)) for key, rows in groups.items()]
    return sorted(parts, key=lambda p: (-_responses(p.summary), p.key))


def distribution(figures: Cube) -> list[Bar]:
    """Return how many gave each NPS score from 0 to 10, with its band."""
    counts = [0] * 11
    for row in figures.by_channel:
        if row.question_type == "nps":
            for score, count in enumerate(row.counts):
                counts[score] += count
    return [Bar(score, counts[score], band(score)) for score in range(11)]


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


def trend(read: Reading, figures: Cube, grain: Grain) -> list[Point]:
    """Return the figures per bucket and channel over the period (anonymous ones by month)."""
    bounds = edges(read.wanted, grain)
    groups: dict[tuple[int, str], list[ScoreRow]] = {}
    for row in figures.by_channel:
        if row.key[0] >= 0:
            groups.setdefault((int(row.key[0]), str(row.key[1])), []).append(row)
    return [Point(bounds[index], channel, _summarise(rows))
            for (index, channel), rows in sorted(groups.items())]


def detractor_comments(read: Reading, limit: int = COMMENTS) -> list[reports.Comment]:
    """Return the latest comments of detractors (NPS 0-6), named conversations only."""
    return reports.detractor_comments(read.session, read.wanted, metrics.DETRACTOR_MAX, limit)


def period_themes(read: Reading, default_language: str) -> list[themes.Theme]:
    """Return the main themes of the period's named free-text answers (the latest ones)."""
    texts = reports.comment_texts(read.session, read.wanted, themes.MAX_TEXTS)
    return themes.themes(texts, default_language)


def _counts(read: Reading, groupings: Sequence[daily_counts.Grouping]) -> list[list[ScoreRow]]:
    """Return a reading's counts per grouping: named, rolled-up anonymous months, pending ones."""
    first, end = read.months
    found = daily_counts.counts(read.session, read.wanted, (first, min(end, read.pending)),
                                groupings)
    return [rows + reports.unlinked_rows(
                read.session, read.shown, read.wanted, grouping.dims,
                None if grouping.months is None else [_moment(day) for day in grouping.months])
            for rows, grouping in zip(found, groupings, strict=True)]


def _summarise(rows: Sequence[ScoreRow]) -> Summary:
    """Return NPS, CSAT and CES from counts of any groups (summed per score type)."""
    sums = {kind: [0] * 11 for kind in THRESHOLDS}
    for row in rows:
        total = sums.get(row.question_type)
        if total is not None:
            for value, count in enumerate(row.counts):
                total[value] += count
    figures = {}
    for kind, counts in sums.items():
        high_min, low_max = THRESHOLDS[kind]
        figures[kind] = (sum(counts), sum(v * n for v, n in enumerate(counts)),
                         sum(counts[high_min:]), sum(counts[:low_max + 1]))
    (nc, _nt, nh, nl), (cc, ct, ch, _cl), (ec, et, _eh, _el) = (
        figures["nps"], figures["csat"], figures["ces"])
    return Summary(nps=metrics.nps(nh, nc - nh - nl, nl), csat=metrics.csat(ch, cc, ct),
                   ces=metrics.ces(ec, et))


def _responses(figures: Summary) -> int:
    """Return how many scores a summary counts."""
    return figures.nps.responses + figures.csat.responses + figures.ces.responses
