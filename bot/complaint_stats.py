"""Complaint analytics per category for a period: ISO 10002's "on time", medians, satisfaction.

For the complaints received in a period (``since`` included, ``until`` excluded):

- **received**: how many, rejected ones included;
- **acknowledged on time**: the share of settled acknowledgement deadlines that
  were met. A deadline is settled once the complaint got its first response (its
  first move out of ``received``) or once it passed without one (missed); one
  still running counts in neither;
- **resolved on time**: the same for resolution (resolved or closed by its due
  date; a reopened complaint is unresolved again);
- **median time to acknowledge / to resolve**, in *business hours* of the
  complaint calendar (the hours deadlines count in), from filing;
- **handling satisfaction**: the mean CSAT 1-5 of how it was handled, and how many gave one;
- **reopen rate**: the share of complaints resolved at least once that were reopened.

Rejected complaints (not a complaint, out of scope) count in ``received`` only.
The console, the API and ``ecoute stats --complaints`` all print :func:`compute`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.business_hours import Calendar
from storage import complaint_stats as store
from storage.complaint_stats import BreachRow, HandledRow
from storage.db import Executor
from storage.vocabulary import ComplaintStatus

RESOLVED = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)


@dataclass(frozen=True)
class Figures:
    """The figures of one category (or of all, ``category`` None)."""

    category: str | None
    received: int
    acknowledged_on_time: float | None  # percent of settled acknowledgement deadlines
    acknowledge_deadlines: int  # settled ones: met + missed
    resolved_on_time: float | None
    resolve_deadlines: int
    median_hours_to_acknowledge: float | None  # business hours
    median_hours_to_resolve: float | None
    handling_score: float | None  # mean CSAT 1-5
    handling_scores: int
    reopen_rate: float | None  # percent of the complaints resolved at least once
    resolved_once: int


@dataclass(frozen=True)
class Missed:
    """A missed deadline and who had the complaint then."""

    reference: str
    category: str
    deadline: str
    due_at: datetime
    detected_at: datetime
    assignee: str | None


@dataclass(frozen=True)
class ComplaintStats:
    """A period's complaint analytics: all, per category, and the missed deadlines."""

    since: datetime | None
    until: datetime | None
    total: Figures
    categories: tuple[Figures, ...]
    missed: tuple[Missed, ...]
    missed_by_assignee: tuple[tuple[str | None, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready values (times in ISO 8601)."""
        return {
            "since": _iso(self.since), "until": _iso(self.until), "hours": "business",
            "total": asdict(self.total),
            "categories": [asdict(f) for f in self.categories],
            "missed": [{**asdict(m), "due_at": _iso(m.due_at),
                        "detected_at": _iso(m.detected_at)} for m in self.missed],
            "missed_by_assignee": [{"assignee": who, "missed": n}
                                   for who, n in self.missed_by_assignee],
        }


def compute(session: Executor, calendar: Calendar, since: datetime | None,
            until: datetime | None, now: datetime) -> ComplaintStats:
    """Return the analytics of the complaints received in [since, until)."""
    rows = store.handled(session, since, until)
    categories = sorted({row.category for row in rows})
    return ComplaintStats(
        since, until,
        figures(None, rows, calendar, now),
        tuple(figures(c, [r for r in rows if r.category == c], calendar, now)
              for c in categories),
        tuple(_missed(b) for b in store.breaches(session, since, until)),
        tuple(store.breaches_by_assignee(session, since, until)),
    )


def figures(category: str | None, rows: list[HandledRow], calendar: Calendar,
            now: datetime) -> Figures:
    """Return the figures of ``rows`` (one category's, or all)."""
    counted = [r for r in rows if r.status != ComplaintStatus.REJECTED]
    acknowledged = _deadline([(r.responded_at, r.acknowledge_due_at) for r in counted], now)
    resolutions = [(_resolved(r), r.resolve_due_at) for r in counted]
    resolved = _deadline(resolutions, now)
    scores = [r.handling_score for r in rows if r.handling_score is not None]
    once = [r for r in counted if r.resolved_at is not None]
    return Figures(
        category=category, received=len(rows),
        acknowledged_on_time=_share(*acknowledged), acknowledge_deadlines=sum(acknowledged),
        resolved_on_time=_share(*resolved), resolve_deadlines=sum(resolved),
        median_hours_to_acknowledge=_median(calendar, ((r.created_at, r.responded_at)
                                                       for r in counted)),
        median_hours_to_resolve=_median(calendar, ((r.created_at, _resolved(r))
                                                   for r in counted)),
        handling_score=round(statistics.fmean(scores), 2) if scores else None,
        handling_scores=len(scores),
        reopen_rate=_share(sum(r.reopened for r in once), sum(not r.reopened for r in once)),
        resolved_once=len(once),
    )


def _resolved(row: HandledRow) -> datetime | None:
    """Return when the complaint was resolved, if it stands resolved (or closed) now."""
    return row.resolved_at if row.status in RESOLVED else None


def _deadline(pairs: list[tuple[datetime | None, datetime]], now: datetime) -> tuple[int, int]:
    """Count the settled deadlines met and missed among (done at, due at) pairs."""
    met = missed = 0
    for done, due in pairs:
        if done is not None:
            met, missed = (met + 1, missed) if done <= due else (met, missed + 1)
        elif now > due:
            missed += 1
    return met, missed


def _share(part: int, rest: int) -> float | None:
    """Return ``part`` as a percentage of ``part + rest`` (None when both are 0)."""
    whole = part + rest
    return round(100 * part / whole, 1) if whole else None


def _median(calendar: Calendar, spans: Iterable[tuple[datetime, datetime | None]]
            ) -> float | None:
    """Return the median business hours of the finished spans (None without any)."""
    hours = [calendar.business_hours_between(start, end) for start, end in spans
             if end is not None]
    return round(statistics.median(hours), 2) if hours else None


def _missed(row: BreachRow) -> Missed:
    """Turn a stored breach into the analytics' missed deadline."""
    return Missed(row.reference, row.category, row.deadline, row.due_at, row.detected_at,
                  row.assignee)


def _iso(moment: datetime | None) -> str | None:
    """Return a moment in ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None
