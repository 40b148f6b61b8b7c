"""Reading the dashboard's counts: every grouping a page needs, in one statement.

Named scores come from the pre-aggregated counts of :mod:`storage.daily`: whole
calendar months from ``monthly_score`` where no bucket is asked for, the other
rolled-up days from ``daily_score`` (or ``daily_total`` when contexts do not
matter), and the live tail from the answers' rows, counted once. Anonymous
scores come from the rolled-up months of ``unlinked_score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, not_, select, union_all
from sqlalchemy.orm import Session

from storage.daily import COUNTS, DIMENSIONS, ScoreRow, named_answers, rolled_until
from storage.filters import ResponseFilter
from storage.models import DailyScore, DailyTotal, MonthlyScore, UnlinkedScore


@dataclass(frozen=True)
class Grouping:
    """One set of counts a reading wants: per value of ``dims``, and per bucket or not.

    ``edges`` (days) buckets the named answers by the day given; ``months`` buckets the
    anonymous months (an empty tuple puts them all in bucket -1). Without ``edges``
    the key has no bucket; with them it starts with the bucket's index.
    """

    dims: tuple[str, ...] = ()
    edges: tuple[date, ...] | None = None
    months: tuple[date, ...] | None = None


def counts(session: Session, wanted: ResponseFilter, months: tuple[date, date],
           groupings: Sequence[Grouping]) -> list[list[ScoreRow]]:
    """Count the scores ``wanted`` covers for each grouping, in one statement.

    Named scores come from the rolled-up days plus the live tail (counted once from
    its rows), read in whole UTC days; anonymous ones from the rolled-up months in
    [start, end). The rows of both are returned together, per grouping.
    """
    edge = rolled_until(session)
    width = max((len(grouping.dims) for grouping in groupings), default=0)
    shape = (session.get_bind().dialect.name, wanted, edge, months, tuple(groupings))
    statement = _statements.get(shape)
    if statement is None:
        if len(_statements) >= STATEMENTS:
            _statements.clear()
        statement = _statements[shape] = _statement(session, wanted, edge, months, groupings,
                                                    width)
    found: list[list[ScoreRow]] = [[] for _ in groupings]
    for row in session.execute(statement):
        grouping = groupings[row[0] // 2]
        key = ((row[1],) if grouping.edges is not None else ()) + tuple(
            row[2:2 + len(grouping.dims)])
        found[row[0] // 2].append(ScoreRow(key, row[2 + width], tuple(map(int, row[3 + width:]))))
    return found


STATEMENTS = 32  # statements kept: readings of the same filter at the same roll reuse theirs
_statements: dict[tuple[Any, ...], Any] = {}


def _statement(session: Session, wanted: ResponseFilter, edge: datetime | None,
               months: tuple[date, date], groupings: Sequence[Grouping], width: int) -> Any:
    """Return the one statement of :func:`counts` (building it costs more than running it)."""
    given = named_answers(session, edge, None).subquery("given")
    tail = _narrowed(select(given), given.c, wanted, "day").cte("tail")
    whole = _whole_months(wanted, edge)
    sources: dict[Any, Any] = {}
    parts = []
    for index, grouping in enumerate(groupings):
        fine = bool(wanted.context) or "context" in grouping.dims
        table = DailyScore if fine else DailyTotal
        spans = whole if grouping.edges is None else None  # months hold no weeks
        if (table, spans) not in sources:
            sources[table, spans] = _named_source(wanted, edge, tail, table, spans).cte(
                f"named_{index}")
        parts.append(_part(session, 2 * index, sources[table, spans], grouping.dims,
                           grouping.edges, width))
        if "unlinked" not in sources:
            sources["unlinked"] = _unlinked_source(wanted, months).cte("unlinked")
        parts.append(_part(session, 2 * index + 1, sources["unlinked"], grouping.dims,
                           grouping.months if grouping.edges is not None else None, width))
    return union_all(*parts)


def _whole_months(wanted: ResponseFilter, edge: datetime | None) -> tuple[date, date] | None:
    """Return the calendar months [first, end) wholly inside the period and rolled up (or None)."""
    if edge is None:
        return None
    low = wanted.since.astimezone(UTC).date() if wanted.since is not None else date(1970, 1, 1)
    high = edge.date()
    if wanted.until is not None:
        high = min(high, wanted.until.astimezone(UTC).date())
    first = low if low.day == 1 else (low.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = high.replace(day=1)
    return (first, end) if first < end else None


def _named_source(wanted: ResponseFilter, edge: datetime | None, tail: Any, table: Any,
                  months: tuple[date, date] | None) -> Any:
    """Return the named counts' rows: the rolled-up days of ``table`` (the whole ``months``
    from ``monthly_score`` instead), and the live tail.
    """
    columns = [tail.c.day, *(tail.c[name] for name in DIMENSIONS), tail.c.question_type,
               *(tail.c[n] for n in COUNTS)]
    if edge is None:
        return select(*columns)
    context = table.context if table is DailyScore else literal("").label("context")
    rolled = select(table.day, table.channel, table.survey, context, table.service,
                    table.question_type, *(getattr(table, n) for n in COUNTS))
    rolled = _narrowed(rolled.where(table.day < edge.date()), table, wanted, "day")
    if months is None:
        return union_all(rolled, select(*columns))
    rolled = rolled.where(not_(and_(table.day >= months[0], table.day < months[1])))
    monthly = select(MonthlyScore.month.label("day"),
                     *(getattr(MonthlyScore, name) for name in DIMENSIONS),
                     MonthlyScore.question_type, *(getattr(MonthlyScore, n) for n in COUNTS))
    monthly = _narrowed(monthly.where(MonthlyScore.month >= months[0],
                                      MonthlyScore.month < months[1]), MonthlyScore, wanted, None)
    return union_all(rolled, monthly, select(*columns))


def _unlinked_source(wanted: ResponseFilter, months: tuple[date, date]) -> Any:
    """Return the rolled-up anonymous months' rows in [start, end), their month as ``day``."""
    table = UnlinkedScore
    stmt = select(table.month.label("day"), *(getattr(table, name) for name in DIMENSIONS),
                  table.question_type, *(getattr(table, n) for n in COUNTS))
    stmt = stmt.where(table.month >= months[0], table.month < months[1])
    return _narrowed(stmt, table, wanted, None)


def _part(session: Session, tag: int, rows: Any, dims: Sequence[str],
          edges: Sequence[date] | None, width: int) -> Any:
    """Return one grouping's sums of ``rows``: tag, bucket, keys (padded to ``width``), sums."""
    bucket = _bucket(session, rows.c.day, edges) if edges is not None else literal(-1)
    keys = [rows.c[name] for name in dims]
    padding = [literal("").label(f"pad_{index}") for index in range(len(dims), width)]
    groups = ([bucket] if edges is not None else []) + keys
    return (select(literal(tag).label("part"), bucket.label("bucket"), *keys, *padding,
                   rows.c.question_type, *(func.sum(rows.c[n]) for n in COUNTS))
            .group_by(*groups, rows.c.question_type))


def _narrowed(stmt: Any, columns: Any, wanted: ResponseFilter, day: str | None) -> Any:
    """Apply the period (whole days, on ``day``) and the exact-match fields of ``wanted``."""
    if day is not None and wanted.since is not None:
        stmt = stmt.where(getattr(columns, day) >= wanted.since.astimezone(UTC).date())
    if day is not None and wanted.until is not None:
        stmt = stmt.where(getattr(columns, day) < wanted.until.astimezone(UTC).date())
    for name in DIMENSIONS:
        value = getattr(wanted, name)
        if value is not None:  # (a table summed over contexts is never asked for one)
            stmt = stmt.where(getattr(columns, name) == value)
    return stmt


def _bucket(session: Session, column: Any, edges: Sequence[date]) -> Any:
    """Return the index of the bucket [edges[i], edges[i + 1]) holding ``column`` (a date).

    Weeks (edges 7 days apart) and calendar months (edges on the 1st) are computed by
    arithmetic, not by one comparison per edge: a year of weeks is 53 buckets.
    """
    if len(edges) < 2:
        return literal(-1).label("bucket")
    postgres = session.get_bind().dialect.name == "postgresql"
    if all((later - earlier).days == 7 for earlier, later in pairwise(edges)):
        if postgres:
            return ((column - edges[0]) // 7).label("bucket")  # date - date: whole days
        days = func.julianday(column) - func.julianday(edges[0].isoformat())
        return cast(days / 7, Integer).label("bucket")
    if all(edge.day == 1 for edge in edges):
        first = edges[0].year * 12 + edges[0].month
        if postgres:
            months = func.extract("year", column) * 12 + func.extract("month", column)
        else:
            months = (cast(func.strftime("%Y", column), Integer) * 12
                      + cast(func.strftime("%m", column), Integer))
        return cast(months - first, Integer).label("bucket")
    return case(*((column < edge, index - 1) for index, edge in enumerate(edges) if index),
                else_=-1).label("bucket")
