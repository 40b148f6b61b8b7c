"""Writing exports (JSON Lines, CSV) and statistics (JSON, table) for the command line."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session

from bot import metrics, small_groups
from storage import reports

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
            [_cell(record[f]) for f in FIELDS] + [_cell(answers.get(q)) for q in questions]
        )
        count += 1
    return count


def _cell(value: Any) -> str:
    """Render one CSV cell (empty for None, JSON's true/false for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_stats(session: Session, out: TextIO, fmt: str, since: datetime | None,
                now: datetime | None = None) -> None:
    """Write NPS, CSAT and CES as JSON or as a table (anonymous answers: the rule of five)."""
    shown = small_groups.visible(session, now or datetime.now(UTC), since)
    summary = metrics.summary(session, since, visible=shown).to_dict()
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
