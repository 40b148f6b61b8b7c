"""Exports of the filtered responses: streamed CSV and JSONL, audited, no person for viewers."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from storage.models import AuditEntry
from tests.console.conftest import Team
from tests.console.test_responses_page import answer

FORMULA = '=HYPERLINK("http://evil.example/","x")'


def audit_entries(team: Team) -> list[tuple[str, str | None, dict]]:
    """Return the export entries of the audit log: actor, target, detail."""
    with team.served.db.transaction() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.detail)
            .where(AuditEntry.action == "exported").order_by(AuditEntry.id))]


def test_a_manager_exports_the_filtered_set_as_csv_with_the_person(team: Team) -> None:
    answer(team, "ana-5150", "3", FORMULA)
    answer(team, "bruno-77", "10", "Parfait")
    got = team.manager.client.get("/admin/responses/export.csv?band=detractor&q=hyperlink")
    assert got.status_code == 200 and got.is_streamed
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert got.headers["Content-Disposition"] == \
        'attachment; filename="ecoute-responses-2026-11-26.csv"'
    [row] = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert row["person"] == "ana-5150" and row["answers.score"] == "3"
    assert row["answers.why_detractor"] == "'" + FORMULA
    assert audit_entries(team) == [("staff:2", "responses", {
        "format": "csv", "identified": True, "filters": {"band": "detractor", "q": "…"}})]


def test_a_viewer_exports_json_lines_without_anyone(team: Team) -> None:
    answer(team, "ana-5150", "3", "Trop lent")
    got = team.viewer.client.get("/admin/responses/export.jsonl")
    assert got.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    [record] = [json.loads(line) for line in got.get_data(as_text=True).splitlines()]
    assert "person" not in record and "ana-5150" not in got.get_data(as_text=True)
    assert record["answers"] == {"score": 3, "why_detractor": "Trop lent"}
    csv_export = team.viewer.client.get("/admin/responses/export.csv").get_data(as_text=True)
    assert "person" not in csv_export.splitlines()[0] and "ana-5150" not in csv_export
    assert [entry[2]["identified"] for entry in audit_entries(team)] == [False, False]


def test_the_audit_entry_is_written_before_the_first_line(team: Team) -> None:
    answer(team, "ana", "9")
    got = team.admin.client.get("/admin/responses/export.jsonl", buffered=False)
    assert len(audit_entries(team)) == 1, "recorded before anything is read"
    assert json.loads(next(got.response))["answers"]["score"] == 9
    got.close()


def test_a_malformed_filter_exports_nothing_and_records_nothing(team: Team) -> None:
    refused = team.manager.client.get("/admin/responses/export.csv?comment=maybe")
    assert refused.status_code == 400 and audit_entries(team) == []
