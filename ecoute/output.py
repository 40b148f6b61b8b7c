"""Writing exports (JSON Lines, CSV) and statistics (JSON, table) for the command line.

The export's records and lines are the core's (:mod:`bot.responses`,
:mod:`bot.exports`), shared with the console's streamed exports: CSV cells that
a spreadsheet would read as a formula are neutralised (:func:`csv_cell`); JSON
Lines holds every value exactly as stored.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.orm import Session

from bot import dashboard, exports, responses, small_groups
from bot.exports import FORMULA_STARTS, csv_cell
from storage import reports
from storage.filters import ResponseFilter

__all__ = ["FORMULA_STARTS", "csv_cell", "write_export", "write_stats"]


def write_export(session: Session, out: TextIO, fmt: str, since: datetime | None,
                 now: datetime | None = None, wanted: ResponseFilter | None = None) -> int:
    """Write the conversations (since a day, or as ``wanted`` filters them) as JSONL or CSV.

    Return how many. Anonymous answers follow the rule of five (:mod:`bot.small_groups`):
    ``since`` moves to the start of its calendar month, and a note on standard error
    says so; the filter's period places them by the start of their month.
    """
    wanted = wanted or ResponseFilter()
    start = small_groups.export_start(since)
    if since is not None and start != since:
        sys.stderr.write(f"export: from {start:%Y-%m-%d}, the start of the calendar "
                         f"{small_groups.GRID.value} of --since (anonymous answers are "
                         "counted by whole periods)\n")
    if start is not None:
        wanted = wanted.narrowed(since=start)
    records = responses.export(session, wanted, now or datetime.now(UTC), identified=False)
    fmt_ = exports.Format(fmt)
    questions = reports.question_ids(session) if fmt_ is exports.Format.CSV else ()
    count = 0
    for line in exports.lines(fmt_, records, questions, identified=False):
        out.write(line)
        count += 1
    return count - 1 if fmt_ is exports.Format.CSV else count


def write_stats(session: Session, out: TextIO, fmt: str,
                wanted: ResponseFilter | datetime | None, now: datetime | None = None) -> None:
    """Write NPS, CSAT and CES as JSON or as a table (anonymous answers: the rule of five).

    ``wanted`` is the shared filter (a day alone means "since that day"); the figures
    are the dashboard's (:func:`bot.dashboard.summary`).
    """
    if not isinstance(wanted, ResponseFilter):
        wanted = ResponseFilter(since=wanted)
    summary = dashboard.summary(session, wanted, now or datetime.now(UTC)).to_dict()
    if fmt == "json":
        out.write(json.dumps(summary, indent=2) + "\n")
        return
    nps, csat, ces = summary["nps"], summary["csat"], summary["ces"]
    rows = [
        ("metric", "score", "responses", "detail"),
        ("NPS", _num(nps["score"]), str(nps["responses"]),
         f"{nps['promoters']} promoters, {nps['passives']} passives, "
         f"{nps['detractors']} detractors"),
        ("CSAT", _num(csat["score"], "%"), str(csat["responses"]), f"mean {_num(csat['mean'])}"),
        ("CES", _num(ces["mean"]), str(ces["responses"]), "mean on 1-7"),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                  .rstrip() + "\n")


def _num(value: float | None, suffix: str = "") -> str:
    """Render a number or a dash when there is none."""
    return "-" if value is None else f"{value:g}{suffix}"
