"""The rule of five: which anonymous answers any output may show.

Anonymous answers (and those of people who asked to be forgotten: linked to
nobody) are never counted over an arbitrary period: two overlapping periods
differ by a few answers, and their difference would isolate one rating. So every
output (``ecoute slack results``, ``ecoute export``, ``ecoute stats``, the coming
staff dashboard) uses one rule, decided here per conversation: an unlinked
conversation is *visible* when its group holds at least ``MIN_ANONYMOUS`` of
them and the group's calendar bucket (``GRID``: UTC months) is over. A group is
one survey, one bucket and the same options chosen (the service rated, for the
internal survey), because an option narrows down who answered. An open bucket
changes with each new answer, and two readings an hour apart would isolate the
one given in between, hence "over". Requested periods are snapped outward to
whole buckets. Only one grid is ever used: weeks and months do not nest, and
mixing them would let a partial week be worked out by difference.

Every output shows exactly the visible conversations (and all named ones), so
comparing outputs gives nothing but unions of whole groups. Storage counts
(:mod:`storage.reports`); this module decides what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from storage import reports
from storage.reports import MIN_ANONYMOUS


class Grid(StrEnum):
    """The calendar buckets anonymous answers are counted in (UTC)."""

    WEEK = "week"  # ISO weeks, from Monday
    MONTH = "month"


GRID = Grid.MONTH


class Withheld(StrEnum):
    """Why a group's anonymous answers are left out of an output."""

    SMALL_GROUP = "fewer_than_five"
    OPEN_PERIOD = "period_not_over"


@dataclass(frozen=True)
class Period:
    """A half-open span of whole buckets: [start, end)."""

    start: datetime
    end: datetime


def bucket_start(moment: datetime, grid: Grid = GRID) -> datetime:
    """Return the start of the bucket holding ``moment`` (UTC midnight)."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if grid is Grid.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_after(start: datetime, grid: Grid = GRID) -> datetime:
    """Return the start of the bucket following the one starting at ``start``."""
    if grid is Grid.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def snap(since: datetime, until: datetime, grid: Grid = GRID) -> Period:
    """Widen [since, until) to whole buckets."""
    end = bucket_start(until, grid)
    if end < until:
        end = bucket_after(end, grid)
    return Period(bucket_start(since, grid), max(end, bucket_after(bucket_start(since, grid),
                                                                    grid)))


def edges(period: Period, grid: Grid = GRID) -> list[datetime]:
    """Return the bucket boundaries of a snapped period, its start and end included."""
    out = [period.start]
    while out[-1] < period.end:
        out.append(bucket_after(out[-1], grid))
    return out


def withheld(count: int, bucket_end: datetime, now: datetime,
             minimum: int = MIN_ANONYMOUS) -> Withheld | None:
    """Return why a group's ``count`` anonymous answers cannot be shown, or None if they can."""
    if count == 0:
        return None
    if bucket_end > now:
        return Withheld.OPEN_PERIOD
    return Withheld.SMALL_GROUP if count < minimum else None


def visible(session: Session, now: datetime, since: datetime | None = None,
            grid: Grid = GRID, until: datetime | None = None) -> frozenset[str]:
    """Return the public ids of the unlinked conversations outputs may show, from ``since``'s
    bucket on (and, with ``until``, of the buckets starting before it).
    """
    groups: dict[tuple[str, datetime, tuple[tuple[str, str], ...]], list[str]] = {}
    first = None if since is None else bucket_start(since, grid)
    for row in reports.unlinked_conversations(session, first, until):
        start = bucket_start(row.started_at, grid)
        groups.setdefault((row.survey, start, row.choices), []).append(row.public_id)
    return frozenset(
        public_id for (_survey, start, _choices), ids in groups.items()
        if (first is None or start >= first)
        and withheld(len(ids), bucket_after(start, grid), now) is None
        for public_id in ids
    )


@dataclass(frozen=True)
class ServiceResult:
    """One service's results in one bucket; anonymous answers only when they may be shown."""

    bucket: datetime
    service: str
    answers: int
    anonymous: int
    average: float | None
    satisfied: float | None
    withheld: Withheld | None


@dataclass(frozen=True)
class Results:
    """Per-service results over a period snapped to whole buckets."""

    start: datetime
    end: datetime
    grid: Grid
    rows: list[ServiceResult]


def service_results(session: Session, since: datetime, until: datetime, *, now: datetime,
                    survey: str = "internal", grid: Grid = GRID) -> Results:
    """Return each service's rating per bucket of [since, until) snapped to whole buckets."""
    period = snap(since, until, grid)
    bounds = edges(period, grid)
    shown = visible(session, now, grid=grid)
    rows = []
    for tally in reports.service_tallies(session, bounds, visible=shown, survey=survey):
        counted = tally.named + tally.anonymous
        rows.append(ServiceResult(
            bucket=bounds[tally.bucket], service=tally.service, answers=counted.answers,
            anonymous=tally.anonymous.answers,
            average=round(counted.total / counted.rated, 2) if counted.rated else None,
            satisfied=round(100 * counted.satisfied / counted.rated, 1) if counted.rated else None,
            withheld=withheld(tally.hidden, bounds[tally.bucket + 1], now),
        ))
    return Results(period.start, period.end, grid, rows)


def export_start(since: datetime | None, grid: Grid = GRID) -> datetime | None:
    """Return where an export from ``since`` starts: the start of its bucket."""
    return None if since is None else bucket_start(since, grid)
