"""What staff see of the responses: pages of the browser and the API, and export records.

One filter (:class:`storage.filters.ResponseFilter`) narrows every output. Named
conversations are listed by when they started. Conversations linked to nobody
(anonymous, or of someone forgotten) follow the rule of five
(:mod:`bot.small_groups`): one is shown only when it is visible, dated by the
start of its calendar bucket (never its own time, its language left empty), and
*placed* there: the list's key is (placed time, id), so within a bucket it comes
after every named one and among the others by its random id. The period filter
applies to that placed time, so no choice of days isolates part of a bucket.

Paging is by key both ways: a :class:`Page` holds the keys to continue older or
newer. A page merges a walk of the named conversations (by index, storage side)
with the unlinked ones of the buckets it reaches, read one bucket at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import small_groups
from bot.metrics import THRESHOLDS
from bot.small_groups import GRID, Grid, bucket_after, bucket_start
from storage import responses as rows
from storage.filters import ResponseFilter
from storage.reports import iso
from storage.responses import AnswerValue, Listed, Span

__all__ = ["FIELDS", "Page", "Position", "Response", "detail", "export", "page"]

FIELDS = ("id", "channel", "survey", "survey_version", "language", "status", "context",
          "anonymous", "started_at", "completed_at")
SCORE_TYPES = rows.SCORE_TYPES
EXCERPT = 160


@dataclass(frozen=True, order=True)
class Position:
    """A place in the list: the placed time, then the row id (ties are rare and arbitrary)."""

    at: datetime
    id: int


@dataclass(frozen=True)
class Response:
    """One conversation as a staff output shows it (``person`` only to those who may see it)."""

    position: Position
    public_id: str
    channel: str
    survey: str
    survey_version: str
    language: str
    status: str
    context: str | None
    anonymous: bool
    started_at: datetime
    completed_at: datetime | None
    person: str | None
    answers: tuple[AnswerValue, ...]

    @property
    def scores(self) -> tuple[AnswerValue, ...]:
        """Return the score answers (NPS, CSAT, CES)."""
        return tuple(a for a in self.answers if a.question_type in SCORE_TYPES)

    @property
    def comment(self) -> str | None:
        """Return the first free-text answer, cut to an excerpt."""
        for answer in self.answers:
            if answer.question_type == "text" and isinstance(answer.value, str) and answer.value:
                cut = answer.value[:EXCERPT]
                return cut + "…" if len(answer.value) > EXCERPT else cut
        return None

    def record(self, identified: bool) -> dict[str, Any]:
        """Return the export's record (JSON Lines, CSV, the API); ``person`` when identified."""
        record: dict[str, Any] = {
            "id": self.public_id, "channel": self.channel, "survey": self.survey,
            "survey_version": self.survey_version, "language": self.language,
            "status": self.status, "context": self.context, "anonymous": self.anonymous,
            "started_at": iso(self.started_at), "completed_at": iso(self.completed_at),
            "answers": {a.question_id: a.value for a in self.answers},
        }
        if identified:
            record["person"] = self.person
        return record


def shown(row: Listed, answers: Sequence[AnswerValue], grid: Grid = GRID) -> Response:
    """Return a stored row as shown: one linked to nobody is dated by its bucket only."""
    if row.linked:
        return Response(Position(row.started_at, row.id), row.public_id, row.channel, row.survey,
                        row.survey_hash[:12], row.language, row.status, row.context, False,
                        row.started_at, row.completed_at, row.external_id, tuple(answers))
    day = bucket_start(row.started_at, grid)
    return Response(Position(day, row.id), row.public_id, row.channel, row.survey,
                    row.survey_hash[:12], "", row.status, row.context, True, day,
                    day if row.completed_at else None, None, tuple(answers))


def edge_at_or_after(moment: datetime, grid: Grid = GRID) -> datetime:
    """Return the first bucket edge at or after ``moment``."""
    start = bucket_start(moment, grid)
    return start if start == moment else bucket_after(start, grid)


def unlinked_span(wanted: ResponseFilter, now: datetime, grid: Grid = GRID) -> Span:
    """Return when unlinked conversations may have started to be placed in the filter's period.

    Only buckets that are over can show anything, and a period takes the buckets
    whose start falls in it.
    """
    since = edge_at_or_after(wanted.since, grid) if wanted.since else None
    until = bucket_start(now, grid)
    if wanted.until is not None:
        until = min(until, edge_at_or_after(wanted.until, grid))
    return since, until


# Export


def export(session: Session, wanted: ResponseFilter, now: datetime, *, identified: bool,
           grid: Grid = GRID, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Yield the export's records in id order, ``batch`` at a time (nothing held at once).

    Named conversations first come in the order they were stored; those linked to
    nobody have random negative ids, so they come first, in no meaningful order.
    """
    span = unlinked_span(wanted, now, grid)
    visible = small_groups.visible(session, now, span[0], grid, until=span[1])
    condition = rows.matching(wanted, THRESHOLDS, span)
    last: int | None = None
    while True:
        found = rows.export_batch(session, condition, last, batch)
        if not found:
            return
        answers = rows.answers_of(session, [row.id for row in found])
        for row in found:
            if row.linked or row.public_id in visible:
                yield shown(row, answers.get(row.id, ()), grid).record(identified)
        last = found[-1].id


def export_records(session: Session, since: datetime | None, now: datetime,
                   grid: Grid = GRID) -> Iterator[dict[str, Any]]:
    """Yield ``ecoute export``'s records since a day, moved to the start of its bucket."""
    start = small_groups.export_start(since, grid)
    yield from export(session, ResponseFilter(since=start), now, identified=False, grid=grid)


# Pages


@dataclass(frozen=True)
class Page:
    """Responses newest first, and where to go on: older, newer (None: nothing more that way).

    ``scanned_to`` is set when the page stopped early after examining its share of
    conversations without filling up (a rare filter): older ones remain to search.
    """

    responses: tuple[Response, ...]
    older: Position | None
    newer: Position | None
    scanned_to: Position | None = None


def page(session: Session, wanted: ResponseFilter, now: datetime, *, limit: int,
         older_than: Position | None = None, newer_than: Position | None = None,
         grid: Grid = GRID) -> Page:
    """Return one page of the filtered responses, past one of the two keys (or the newest)."""
    older = newer_than is None
    after = older_than if older else newer_than
    walk = rows.named_walk(session, wanted, THRESHOLDS, older=older, limit=limit + 1,
                           after=(after.at, after.id) if after else None, scan=rows.SCAN)
    named = [shown(row, ()) for row in walk.rows]
    stopped = Position(*walk.stopped_at) if walk.stopped_at else None
    frontier = named[-1].position if len(named) > limit else stopped
    unlinked = _unlinked(session, wanted, now, after, older, limit + 1, frontier, grid)
    merged = sorted(named + unlinked, key=lambda r: r.position, reverse=older)
    if frontier is not None:  # what lies past it is for the next page
        merged = [r for r in merged if (r.position >= frontier if older
                                        else r.position <= frontier)]
    chosen = merged[:limit]
    answers = rows.answers_of(session, [r.position.id for r in chosen])
    chosen = [replace(r, answers=tuple(answers.get(r.position.id, ()))) for r in chosen]
    ahead = chosen[-1].position if len(merged) > limit else stopped
    behind = (chosen[0].position if chosen else after) if after is not None else None
    if older:
        return Page(tuple(chosen), ahead, behind,
                    stopped if stopped is not None and len(merged) <= limit else None)
    return Page(tuple(reversed(chosen)), behind, ahead)


def _unlinked(session: Session, wanted: ResponseFilter, now: datetime, after: Position | None,
              older: bool, count: int, frontier: Position | None, grid: Grid) -> list[Response]:
    """Return at least ``count`` visible unlinked responses past ``after`` (or all there are).

    Buckets are read one at a time, from the nearest, and not past the frontier
    (where the named ones of the page end).
    """
    low, high = unlinked_span(wanted, now, grid)
    if after is not None and older:  # its own bucket is sorted by id below
        high = min(high, bucket_after(bucket_start(after.at, grid), grid))
    elif after is not None:
        low = max(low, edge_at_or_after(after.at, grid)) if low else \
            edge_at_or_after(after.at, grid)
    if frontier is not None and older:  # only buckets starting at or after the frontier
        edge = edge_at_or_after(frontier.at, grid)
        low = max(low, edge) if low else edge
    elif frontier is not None:  # only buckets starting at or before it
        high = min(high, bucket_after(bucket_start(frontier.at, grid), grid))
    found: list[Response] = []
    while len(found) < count and (low is None or low < high):
        edge = rows.unlinked_edge(session, wanted, THRESHOLDS, (low, high), older=older)
        if edge is None:
            break
        start = bucket_start(edge, grid)
        end = bucket_after(start, grid)
        visible = small_groups.visible(session, now, start, grid, until=end)
        for row in rows.unlinked_in(session, wanted, THRESHOLDS, (start, end)):
            response = shown(row, (), grid)
            past = after is None or (response.position < after if older
                                     else response.position > after)
            if row.public_id in visible and past:
                found.append(response)
        high, low = (start, low) if older else (high, end)
    return found


# One conversation


def detail(session: Session, public_id: str, now: datetime, *, identified: bool,
           grid: Grid = GRID) -> Response | None:
    """Return one response as the API shows it, or None (unknown, or unlinked and not visible)."""
    row = rows.by_public_id(session, public_id)
    if row is None:
        return None
    if not row.linked:
        start = bucket_start(row.started_at, grid)
        if row.public_id not in small_groups.visible(session, now, start, grid,
                                                     until=bucket_after(start, grid)):
            return None
    answers = rows.answers_of(session, [row.id]).get(row.id, ())
    response = shown(row, answers, grid)
    return response if identified else replace(response, person=None)
