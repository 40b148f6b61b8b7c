"""``/api/v1/calls``: an outside system opens a call for participants, reads its counts, closes it.

Every answer is checked against ``web/api/openapi.yaml`` by :class:`ApiCaller`.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Call
from tests.console.api_client import ApiCaller
from tests.console.test_api import token
from tests.test_calls import customer

CALL: dict[str, Any] = {
    "title": {"en": "Taste our new bread", "fr": "Goûtez notre nouveau pain"},
    "description": {"en": "Thirty minutes in the Lyon shop."},
    "kind": "product_test", "location": "Lyon", "places": 2,
    "happens_at": "2026-12-20T10:00:00Z", "closes_at": "2026-12-15T18:00:00+01:00",
    "audience": {"band": "promoter", "days": 90},
}


def caller(app: Flask, served: Ecoute, scope: str) -> ApiCaller:
    """Return an outside system calling with a token of ``scope``."""
    return ApiCaller(app.test_client(), token(served, scope))


def test_a_call_opened_through_the_api_invites_its_audience_and_counts_answers(
        app: Flask, served: Ecoute) -> None:
    ana = customer(served, "ana")
    customer(served, "bob", consent=False)
    api = caller(app, served, "write")
    created = api.post("/calls", CALL)
    assert created.status_code == 201
    body = created.get_json()
    assert body["invitations"] == {"planned": 1, "skipped": {"no consent": 1}}
    assert created.headers["Location"] == f"/api/v1/calls/{body['id']}"
    ana.taps("in", ref=f"call:{body['id']}")
    shown = api.get(f"/calls/{body['id']}").get_json()
    assert (shown["status"], shown["counts"]) == (
        "open", {"confirmed": 1, "waiting": 0, "declined": 0})
    assert [c["id"] for c in api.get("/calls").get_json()["data"]] == [body["id"]]
    closed = api.post(f"/calls/{body['id']}/close").get_json()
    assert closed["status"] == "closed"
    assert api.post(f"/calls/{body['id']}/close").get_json() == closed, "closing twice is calm"
    with served.db.reading() as connection:
        actions = connection.scalars(select(AuditEntry.action)).all()
    assert {"call_created", "call_closed"} <= set(actions)


@pytest.mark.parametrize("change, message", [
    ({"places": "three"}, "places must be a whole number"),
    ({"closes_at": "tomorrow"}, "closes_at must be a date and time"),
    ({"closes_at": "2020-01-01T00:00:00Z"}, "the closing date must be in the future"),
    ({"audience": {}}, "choose an audience"),
    ({"title": "Bread"}, "title must be an object"),
    ({"colour": "red"}, "Unknown field: colour"),
])
def test_a_malformed_call_is_a_400_and_stores_nothing(
        app: Flask, served: Ecoute, change: dict[str, Any], message: str) -> None:
    answer = caller(app, served, "write").post("/calls", {**CALL, **change})
    assert answer.status_code == 400
    assert message in answer.get_json()["message"]
    with served.db.reading() as connection:
        assert connection.scalars(select(Call)).all() == []


def test_a_read_token_reads_calls_but_cannot_open_or_close_one(app: Flask, served: Ecoute) -> None:
    api = caller(app, served, "read")
    assert api.post("/calls", CALL).status_code == 403
    assert api.get("/calls/7").status_code == 404
    assert api.post("/calls/7/close").status_code == 403
