"""``/api/v1/complaints``: an outside system lists, reads and moves complaints with its token.

Every answer is checked against ``web/api/openapi.yaml`` by :class:`ApiCaller`.
"""
# ruff: noqa: F811  # the console's fixtures are imported, then named as arguments

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry
from storage.vocabulary import Urgency
from tests.complaints.test_actions import account, file_one
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.console.conftest import app, quick_hashes, served  # noqa: F401
from tests.console.test_api import token


def caller(app: Flask, served: Ecoute, scope: str) -> ApiCaller:
    """Return an outside system calling with a token of ``scope``."""
    return ApiCaller(app.test_client(), token(served, scope))


def test_the_list_filters_as_the_board_and_pages_by_cursor(app: Flask, served: Ecoute,
                                                           clock: Clock) -> None:
    filed = []
    for category in ("billing", "delivery", "delivery"):
        filed.append(file_one(served, category=category))
        clock.advance(minutes=1)
    api = caller(app, served, "read")
    first = api.get("/complaints", limit="2").get_json()
    assert [c["reference"] for c in first["data"]] == [filed[2], filed[1]]
    assert first["data"][0]["due"]["deadline"] == "acknowledge"
    assert "description" not in first["data"][0]
    rest = api.get("/complaints", limit="2", cursor=first["next_cursor"]).get_json()
    assert ([c["reference"] for c in rest["data"]], rest["next_cursor"]) == ([filed[0]], None)
    billing = api.get("/complaints", category="billing").get_json()["data"]
    assert [c["reference"] for c in billing] == [filed[0]]
    assert api.get("/complaints", overdue="1").get_json()["data"] == []
    assert api.get("/complaints", status="lost").status_code == 400
    assert api.get("/complaints", cursor="garbage").status_code == 400


def test_one_complaint_has_its_description_and_history_and_the_reading_is_audited(
        app: Flask, served: Ecoute) -> None:
    reference = file_one(served, description="The parcel never came")
    api = caller(app, served, "read")
    found = api.get(f"/complaints/{reference}").get_json()
    assert found["description"] == "The parcel never came"
    assert [(e["kind"], e["status_to"], e["actor"]) for e in found["history"]] == [
        ("status", "received", "respondent")]
    assert api.get("/complaints/R-2026-9999").status_code == 404
    assert api.get("/complaints/not-a-reference").status_code == 404
    with served.db.transaction() as session:
        assert session.scalar(select(AuditEntry.target).where(
            AuditEntry.action == "complaint_viewed")) == reference


def test_a_write_token_moves_notes_assigns_and_adjusts(app: Flask, served: Ecoute) -> None:
    reference = file_one(served, urgency=Urgency.MINOR, category="other")
    bea = account(served, "bea@example.com")
    api = caller(app, served, "write")
    done = api.post(f"/complaints/{reference}/events", {
        "status": "acknowledged", "note": "On it", "visible": True, "assignee": bea,
        "urgency": "blocking"})
    assert done.status_code == 201
    changed = done.get_json()
    assert (changed["status"], changed["priority"], changed["assignee"], len(changed["events"])
            ) == ("acknowledged", "high", bea, 3)
    history = api.get(f"/complaints/{reference}").get_json()["history"]
    assert [e["kind"] for e in history] == ["status", "assignment", "priority", "status"]
    assert history[-1]["note"] == "On it" and history[-1]["visible"] is True
    assert history[-1]["actor"].startswith("token:")
    unassigned = api.post(f"/complaints/{reference}/events", {"assignee": None}).get_json()
    assert unassigned["assignee"] is None


def test_bad_changes_answer_400_404_or_409(app: Flask, served: Ecoute) -> None:
    reference = file_one(served)
    api = caller(app, served, "write")
    path = f"/complaints/{reference}/events"

    def refused(body: object) -> tuple[int, str]:
        answer = api.post(path, body)
        return answer.status_code, answer.get_json()["error"]

    assert refused({"status": "rejected"}) == (400, "reason_required")
    assert refused({"urgency": "extreme"}) == (400, "bad_value")
    assert refused({"assignee": 99999}) == (400, "unknown_assignee")
    assert refused({}) == (400, "empty_change")
    assert refused({"colour": "red"}) == (400, "bad_request")
    assert refused(["status"]) == (400, "bad_request")
    assert api.post(path, data="{not json", headers={
        "Content-Type": "application/json"}).status_code == 400
    assert api.post("/complaints/R-2026-9999/events", {"note": "x"}).status_code == 404
    assert api.post(path, {"status": "rejected", "reason": "out_of_scope"}).status_code == 201
    assert refused({"status": "closed"}) == (409, "forbidden_move")
    reader = caller(app, served, "read")
    assert reader.post(path, {"note": "x"}).status_code == 403
