"""Writing export records as JSON Lines or CSV, line by line: the CLI and the console share it.

Records come from :func:`bot.responses.export`; each writer turns one record into
one line, so an export of any size streams and never sits in memory. JSON Lines
holds every value exactly as stored. CSV has one column per field, ``person``
when the export identifies people, then one per question id; cells a
spreadsheet would read as a formula are neutralised (:func:`csv_cell`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any

from bot.responses import FIELDS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    """The formats an export is written in."""

    JSONL = "jsonl"
    CSV = "csv"


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


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Yield one JSON line per record."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


class _CsvLine:
    """One CSV line at a time, quoted as the csv module does, from one reused buffer."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def __call__(self, cells: Sequence[str]) -> str:
        """Return ``cells`` as one CSV line."""
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(cells)
        return self.buffer.getvalue()


def csv_lines(records: Iterable[dict[str, Any]], questions: Sequence[str],
              identified: bool) -> Iterator[str]:
    """Yield the CSV header, then one line per record (``person`` when identified)."""
    fields = (*FIELDS, "person") if identified else FIELDS
    line = _CsvLine()
    yield line([*fields, *(f"answers.{q}" for q in questions)])
    for record in records:
        answers = record["answers"]
        yield line([csv_cell(record[f]) for f in fields]
                   + [csv_cell(answers.get(q)) for q in questions])


def lines(fmt: Format, records: Iterable[dict[str, Any]], questions: Sequence[str],
          identified: bool) -> Iterator[str]:
    """Yield an export's lines in ``fmt``."""
    if fmt is Format.JSONL:
        return jsonl_lines(records)
    return csv_lines(records, questions, identified)
