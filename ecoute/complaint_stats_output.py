"""``ecoute stats --complaints``: complaint analytics as a table or as JSON.

The JSON is the API's (``GET /api/v1/complaints/stats``); the table puts one
line per category under the totals, then the missed deadlines per assignee.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from bot.complaint_stats import ComplaintStats, Figures

HEADER = ("category", "received", "ack on time", "resolved on time", "median h to ack",
          "median h to resolve", "handling", "reopened")


def write_complaint_stats(out: TextIO, fmt: str, stats: ComplaintStats) -> None:
    """Write the analytics as JSON or as a table (hours are business hours)."""
    if fmt == "json":
        out.write(json.dumps(stats.to_dict(), indent=2) + "\n")
        return
    rows = [HEADER, _row("(all)", stats.total)]
    rows += [_row(f.category or "", f) for f in stats.categories]
    _table(out, rows)
    out.write("\nmissed deadlines (assignee at the time)\n")
    _table(out, [("assignee", "missed"), *((who or "(nobody)", str(n))
                                           for who, n in stats.missed_by_assignee)])


def _row(name: str, f: Figures) -> tuple[str, ...]:
    """Return one category's line."""
    handling = "-" if f.handling_score is None else f"{f.handling_score:g} ({f.handling_scores})"
    return (name, str(f.received), _pct(f.acknowledged_on_time, f.acknowledge_deadlines),
            _pct(f.resolved_on_time, f.resolve_deadlines), _num(f.median_hours_to_acknowledge),
            _num(f.median_hours_to_resolve), handling, _pct(f.reopen_rate, f.resolved_once))


def _table(out: TextIO, rows: Sequence[Sequence[str]]) -> None:
    """Write rows as aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                  .rstrip() + "\n")


def _pct(value: float | None, of: int) -> str:
    """Render a share with the count it is of, or a dash."""
    return "-" if value is None else f"{value:g}% of {of}"


def _num(value: float | None) -> str:
    """Render a number or a dash."""
    return "-" if value is None else f"{value:g}"
