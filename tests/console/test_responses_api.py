"""``GET /api/v1/responses`` and ``/responses/{conversation}``: filtered, paged, documented."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.console.test_api import token
from tests.test_responses import nps, rate


def caller(app: Flask, served: Ecoute) -> ApiCaller:
    """Return an integration calling with a read token."""
    return ApiCaller(app.test_client(), token(served, "read"))


def test_the_list_pages_newest_first_with_the_console_filters(
        app: Flask, served: Ecoute, clock: Clock) -> None:
    stored = []
    for n in range(5):
        stored.append(nps(served, f"person-{n}", str(n + 2), f"comment {n}"))
        clock.advance(minutes=1)
    api = caller(app, served)
    first = api.get("/responses", limit="2", band="detractor").get_json()
    assert [r["id"] for r in first["data"]] == [stored[4], stored[3]]
    assert first["data"][0]["person"] == "person-4", "a token sees who answered"
    assert first["data"][0]["answers"] == {"score": 6, "why_detractor": "comment 4"}
    rest = api.get("/responses", limit="2", band="detractor", cursor=first["next_cursor"])
    assert [r["id"] for r in rest.get_json()["data"]] == [stored[2], stored[1]]
    assert api.get("/responses", q="COMMENT 0").get_json()["data"][0]["id"] == stored[0]


def test_one_conversation_has_its_answers_and_transcript_and_is_audited(
        app: Flask, served: Ecoute) -> None:
    conversation = nps(served, "ana", "3", "<b>slow</b>")
    found = caller(app, served).get(f"/responses/{conversation}").get_json()
    assert found["answers"] == {"score": 3, "why_detractor": "<b>slow</b>"}
    assert [turn["said"] for turn in found["transcript"]] == [None, "3", "<b>slow</b>"]
    assert found["transcript"][1]["at"] == "2026-11-26T09:00:00Z"
    with served.db.transaction() as session:
        assert session.execute(select(AuditEntry.actor, AuditEntry.target).where(
            AuditEntry.action == "transcript_viewed")).all() == [("token:1", conversation)]


def test_anonymous_ones_only_in_a_closed_group_of_five_and_never_with_a_time(
        app: Flask, served: Ecoute, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 3, 9, tzinfo=UTC)
    few = [rate(served, "hr", "2") for _ in range(4)]
    five = [rate(served, "it", "4") for _ in range(5)]
    api = caller(app, served)
    assert api.get("/responses").get_json()["data"] == [], "November is not over"
    assert api.get(f"/responses/{five[0]}").status_code == 404
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    data = api.get("/responses").get_json()["data"]
    assert {r["id"] for r in data} == set(five)
    assert {(r["started_at"], r["completed_at"], r["person"], r["language"]) for r in data} == {
        ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", None, "")}
    detail = api.get(f"/responses/{five[0]}").get_json()
    assert detail["started_at"] == "2026-11-01T00:00:00Z"
    assert all(turn["at"] is None for turn in detail["transcript"])
    assert api.get(f"/responses/{few[0]}").status_code == 404


def test_bad_parameters_are_400_in_the_api_style(app: Flask, served: Ecoute) -> None:
    api = caller(app, served)
    for query in ({"band": "bad"}, {"from": "2026-13-01"}, {"cursor": "bm9wZQ"},
                  {"limit": "0"}, {"to": "9999-12-31"}):
        refused = api.get("/responses", **query)
        assert refused.status_code == 400, query
        assert refused.get_json()["error"] == "bad_request"
    assert api.get("/responses/no-such-thing").get_json() == {
        "error": "not_found", "message": "There is no such conversation."}
