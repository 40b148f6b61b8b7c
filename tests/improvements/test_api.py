"""``/api/v1/improvements``: an outside system writes a draft, links feedback, reads suggestions.

Every answer is checked against ``web/api/openapi.yaml`` by :class:`ApiCaller`.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Complaint, Improvement
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Person
from tests.console.api_client import ApiCaller
from tests.console.test_api import token
from tests.test_responses import nps

LATE = {"you_said": "Parcels arrived late", "we_did": "We changed carrier"}


@pytest.fixture
def writer(app: Flask, served: Ecoute) -> ApiCaller:
    """Return an outside system with a write token."""
    return ApiCaller(app.test_client(), token(served, "write"))


@pytest.fixture
def reader(app: Flask, served: Ecoute) -> ApiCaller:
    """Return an outside system with a read token."""
    return ApiCaller(app.test_client(), token(served, "read"))


def test_a_draft_is_created_read_and_listed(writer: ApiCaller, reader: ApiCaller) -> None:
    created = writer.post("/improvements", {**LATE, "language": "fr", "done_on": "2026-11-20",
                                            "concerns": {"surveys": ["nps"]}})
    assert created.status_code == 201
    made = created.get_json()
    assert (made["status"], made["language"], made["done_on"]) == ("draft", "fr", "2026-11-20")
    assert made["created_by"].startswith("token:") and made["links"] == {"total": 0,
                                                                         "by_channel": []}
    assert created.headers["Location"] == f"/api/v1/improvements/{made['id']}"
    assert reader.get(f"/improvements/{made['id']}").get_json() == made
    second = writer.post("/improvements", LATE).get_json()
    first_page = reader.get("/improvements", limit="1").get_json()
    assert [i["id"] for i in first_page["data"]] == [second["id"]]
    rest = reader.get("/improvements", cursor=first_page["next_cursor"]).get_json()
    assert [i["id"] for i in rest["data"]] == [made["id"]] and rest["next_cursor"] is None


@pytest.mark.parametrize("body, error", [
    (None, "bad_request"),
    ({"you_said": "x"}, "bad_request"),
    ({**LATE, "colour": "red"}, "bad_request"),
    ({**LATE, "done_on": "yesterday"}, "bad_request"),
    ({**LATE, "you_said": " "}, "bad_summary"),
    ({**LATE, "language": "de"}, "bad_language"),
    ({**LATE, "concerns": {"surveys": "nps"}}, "bad_concerns"),
    ({**LATE, "concerns": {"channels": ["fax"]}}, "unknown_concern"),
])
def test_a_bad_draft_is_a_400_and_nothing_is_stored(
        writer: ApiCaller, reader: ApiCaller, body: object, error: str) -> None:
    refused = writer.post("/improvements", body)
    assert (refused.status_code, refused.get_json()["error"]) == (400, error)
    assert reader.get("/improvements").get_json()["data"] == []


def test_a_read_token_reads_but_does_not_write(writer: ApiCaller, reader: ApiCaller) -> None:
    made = writer.post("/improvements", LATE).get_json()
    assert reader.post("/improvements", LATE).status_code == 403
    assert reader.post(f"/improvements/{made['id']}/links",
                       {"conversations": []}).status_code == 403


def test_feedback_is_linked_by_hand_and_by_filter(
        writer: ApiCaller, served: Ecoute) -> None:
    conversation = nps(served, "bob", "2", "parcel late")
    nps(served, "cy", "3", "slow")
    file_billing_complaint(Person(served.engine, "ana", locale="en"), "Parcel late")
    with served.db.reading() as connection:
        reference = connection.execute(select(Complaint.reference)).scalar_one()
    made = writer.post("/improvements", LATE).get_json()
    links = f"/improvements/{made['id']}/links"
    by_hand = writer.post(links, {"conversations": [conversation], "complaints": [reference]})
    assert by_hand.get_json() == {"added": 2, "linked": 2}
    by_filter = writer.post(links, {"filter": {"band": "detractor", "survey": "nps"}})
    assert by_filter.get_json() == {"added": 1, "linked": 3}
    counts = writer.get(f"/improvements/{made['id']}").get_json()["links"]["by_channel"]
    assert counts == [{"channel": "test", "conversations": 2, "anonymous": 0, "complaints": 1}]


@pytest.mark.parametrize("body, status, error", [
    ({}, 400, "bad_request"),
    ({"filter": {"band": "detractor"}, "conversations": []}, 400, "bad_request"),
    ({"conversations": "c1"}, 400, "bad_request"),
    ({"conversations": ["no-such-conversation"]}, 400, "unknown_feedback"),
    ({"filter": {"band": "terrible"}}, 400, "bad_request"),
    ({"filter": {"colour": "red"}}, 400, "bad_request"),
    ({"filter": {}}, 400, "nothing_chosen"),
])
def test_bad_links_are_a_400(writer: ApiCaller, body: object, status: int, error: str) -> None:
    made = writer.post("/improvements", LATE).get_json()
    refused = writer.post(f"/improvements/{made['id']}/links", body)
    assert (refused.status_code, refused.get_json()["error"]) == (status, error)


def test_an_unknown_improvement_is_a_404(writer: ApiCaller) -> None:
    assert writer.get("/improvements/404").status_code == 404
    assert writer.get("/improvements/404/suggestions").status_code == 404
    assert writer.post("/improvements/404/links", {"conversations": ["x"]}).status_code == 404


def test_suggestions_rank_close_feedback_across_languages(
        writer: ApiCaller, served: Ecoute) -> None:
    nps(served, "bob", "2", "Mon colis est arrivé en retard")
    Person(served.engine, "bob", locale="en").says("yes")  # then a complaint is offered to him
    nps(served, "cy", "3", "The cashier was rude")
    made = writer.post("/improvements", LATE).get_json()
    found = writer.get(f"/improvements/{made['id']}/suggestions").get_json()["data"]
    assert found[0]["text"] == "Mon colis est arrivé en retard"
    assert [s["text"] for s in found].count(found[0]["text"]) == 1, "the offer's copy is no one"
    assert found[0]["target"] == "conversation" and 0 < found[0]["score"] <= 1


def drafts(served: Ecoute) -> int:
    """Return how many improvements are stored."""
    with served.db.reading() as connection:
        return len(connection.execute(select(Improvement.id)).all())


def test_the_same_idempotency_key_makes_one_draft_and_gets_the_same_answer(
        writer: ApiCaller, app: Flask, served: Ecoute) -> None:
    key = {"Idempotency-Key": "release-42-carrier"}
    first = writer.post("/improvements", LATE, key)
    retried = writer.post("/improvements", LATE, key)
    assert (first.status_code, retried.status_code) == (201, 201)
    assert first.get_json() == retried.get_json()
    assert first.headers["Location"] == retried.headers["Location"]
    assert drafts(served) == 1
    with served.db.reading() as connection:
        created = connection.execute(select(AuditEntry.action).where(
            AuditEntry.action == "improvement_created")).all()
    assert len(created) == 1, "the retry is not a second creation"
    other_system = ApiCaller(app.test_client(), token(served, "write"))
    assert other_system.post("/improvements", LATE, key).get_json()["id"] != \
        first.get_json()["id"], "keys are the caller's own"
    assert drafts(served) == 2


def test_different_idempotency_keys_make_different_drafts(
        writer: ApiCaller, served: Ecoute) -> None:
    one = writer.post("/improvements", LATE, {"Idempotency-Key": "a-1"}).get_json()
    two = writer.post("/improvements", LATE, {"Idempotency-Key": "a-2"}).get_json()
    plain = writer.post("/improvements", LATE).get_json()
    assert len({one["id"], two["id"], plain["id"]}) == 3
    assert drafts(served) == 3


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "two words"])
def test_a_malformed_idempotency_key_is_a_400_and_stores_nothing(
        writer: ApiCaller, served: Ecoute, key: str) -> None:
    refused = writer.post("/improvements", LATE, {"Idempotency-Key": key})
    assert (refused.status_code, refused.get_json()["error"]) == (400, "bad_request")
    assert "Idempotency-Key" in refused.get_json()["message"]
    assert drafts(served) == 0
