"""The complaint board's filters in the URL, and its pages by key: shared by console and API.

``?status=`` is ``open`` (the default: received, acknowledged, in progress,
reopened), ``all`` or one status; ``priority``, ``urgency``, ``importance`` one of
their values; ``category`` and ``channel`` an id; ``assignee`` a staff account id
or ``none``; ``overdue=1`` keeps the complaints past their standing deadline. A
value Écoute does not know is a 400. Pages go newest first by (filing time, id),
with the response browser's cursors (:mod:`web.positions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from werkzeug.exceptions import BadRequest

from bot import complaint_desk
from bot.complaints import OPEN
from bot.responses import Position
from storage.complaints import BoardRow, ComplaintFilter
from storage.db import Executor
from storage.vocabulary import ComplaintStatus, Importance, Priority, Urgency

NAMES = ("status", "priority", "category", "channel", "assignee", "urgency", "importance",
         "overdue")
LONGEST = 64


@dataclass(frozen=True)
class BoardQuery:
    """A parsed board URL: the storage filter, and the parameters to link back to it."""

    filter: ComplaintFilter
    args: dict[str, str]


@dataclass(frozen=True)
class BoardPage:
    """Complaints newest first, and the keys to go older and newer (None: no more that way)."""

    rows: tuple[BoardRow, ...]
    older: Position | None
    newer: Position | None


def _enum(args: Mapping[str, str], name: str, kind: type[StrEnum]) -> str | None:
    """Read one enumerated parameter, refusing a value Écoute does not know."""
    value = args.get(name) or None
    if value is not None and value not in {member.value for member in kind}:
        raise BadRequest(f"{name} must be one of {', '.join(m.value for m in kind)}")
    return value


def _statuses(raw: str) -> tuple[str, ...]:
    """Read ``status``: open (default), all, or one status."""
    if raw in ("", "open"):
        return tuple(sorted(OPEN))
    if raw == "all":
        return ()
    if raw not in {s.value for s in ComplaintStatus}:
        raise BadRequest("status must be open, all or a complaint status")
    return (raw,)


def parse(args: Mapping[str, str], now: datetime) -> BoardQuery:
    """Read the board's filters from a query string."""
    for name in ("category", "channel"):
        if len(args.get(name) or "") > LONGEST:
            raise BadRequest(f"{name} is too long")
    assignee = args.get("assignee") or ""
    if assignee not in ("", "none") and not (assignee.isdecimal() and len(assignee) < 19):
        raise BadRequest("assignee must be a staff account id or none")
    overdue = (args.get("overdue") or "") in ("1", "true", "yes", "on")
    wanted = ComplaintFilter(
        statuses=_statuses(args.get("status") or ""),
        priority=_enum(args, "priority", Priority), urgency=_enum(args, "urgency", Urgency),
        importance=_enum(args, "importance", Importance),
        category=args.get("category") or None, channel=args.get("channel") or None,
        assignee_id=int(assignee) if assignee.isdecimal() else None,
        unassigned=assignee == "none", overdue_at=now if overdue else None)
    kept = {name: str(args[name]) for name in NAMES if args.get(name) and name != "overdue"}
    if overdue:
        kept["overdue"] = "1"
    return BoardQuery(wanted, kept)


def position(row: BoardRow) -> Position:
    """Return a complaint's place on the board."""
    return Position(row.created_at, row.id)


def page(session: Executor, wanted: ComplaintFilter, *, limit: int,
         older_than: Position | None = None, newer_than: Position | None = None) -> BoardPage:
    """Return one page of the board, newest first, older than or newer than a place."""
    if newer_than is not None:
        rows = complaint_desk.board(session, wanted, limit=limit + 1,
                                    after=(newer_than.at, newer_than.id), older=False)
        shown = list(reversed(rows[:limit]))
        return BoardPage(tuple(shown), position(shown[-1]) if shown else newer_than,
                         position(shown[0]) if len(rows) > limit else None)
    after = (older_than.at, older_than.id) if older_than else None
    rows = complaint_desk.board(session, wanted, limit=limit + 1, after=after)
    shown = rows[:limit]
    return BoardPage(tuple(shown), position(shown[-1]) if len(rows) > limit else None,
                     position(shown[0]) if older_than is not None and shown else None)
