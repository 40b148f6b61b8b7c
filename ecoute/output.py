"""Writing exports (JSON Lines, CSV) and statistics (JSON, table) for the command line.

CSV cells that a spreadsheet would read as a formula are neutralised
(:func:`csv_cell`); JSON Lines holds every value exactly as stored.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from bot import dashboard, small_groups
from storage import reports
from storage.filters import ResponseFilter

FIELDS = ("id", "channel", "survey", "survey_version", "language", "status", "context",
          "anonymous", "started_at", "completed_at")


def write_export(session: Session, out: TextIO, fmt: str, since: datetime | None,
                 now: datetime | None = None) -> int:
    """Write every conversation (since a day) as JSONL or CSV; return how many.

    Anonymous answers follow the rule of five (:mod:`bot.small_groups`): ``since``
    moves to the start of its calendar month, and a note on standard error says so.
    """
    start = small_groups.export_start(since)
    if since is not None and start != since:
        sys.stderr.write(f"export: from {start:%Y-%m-%d}, the start of the calendar "
                         f"{small_groups.GRID.value} of --since (anonymous answers are "
                         "counted by whole periods)\n")
    records = small_groups.export_records(session, since, now or datetime.now(UTC))
    if fmt == "jsonl":
        count = 0
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    questions = reports.question_ids(session)
    writer = csv.writer(out)
    writer.writerow([*FIELDS, *(f"answers.{q}" for q in questions)])
    count = 0
    for record in records:
        answers = record["answers"]
        writer.writerow(
            [csv_cell(record[f]) for f in FIELDS] + [csv_cell(answers.get(q)) for q in questions]
        )
        count += 1
    return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Render one CSV cell: empty for None, true/false for booleans, formulas defused.

    OWASP's defence against CSV injection: a cell starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return is shown as typed instead of
    evaluated. Numbers are written as they are.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


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
