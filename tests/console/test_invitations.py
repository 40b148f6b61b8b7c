"""``POST /api/v1/invitations`` as an outside system calls it: planned, skipped, refused, retried.

Every answer is checked against ``web/api/openapi.yaml``. The widget visitor's side
goes through the widget API (its inbox, then the answer), so the whole path is real.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot import api_tokens, staff
from ecoute.wiring import Ecoute, build
from storage.models import Campaign, Conversation, Delivery, Invitation, Respondent
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.test_invitations import known
from tests.web.widget_client import Visitor
from web import create_app

ANA = "visitor-ana-0001"
CSAT = {"survey": "csat", "channel": "web", "external_id": ANA}


def token(served: Ecoute, scope: str = "write") -> str:
    """Create an API token as the command line would, and return it."""
    return api_tokens.issue_token(served.db, f"{scope} token", scope, created_by=None,
                                  actor=staff.CLI, now=served.engine.clock())[0]


@pytest.fixture
def shop(app: Flask, served: Ecoute) -> ApiCaller:
    """Return the company's system, calling the API with a write token."""
    return ApiCaller(app.test_client(), token(served))


@pytest.fixture
def ana(app: Flask, served: Ecoute) -> Visitor:
    """Return Ana, a widget visitor who answered a survey and agreed to hear from us."""
    known(served, ANA, channel="web")
    return Visitor(app.test_client(), ANA)


def rows(served: Ecoute, model: type) -> int:
    """Return how many rows a table holds."""
    with served.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]


def test_a_planned_invitation_reaches_the_widget_inbox_and_the_answer_starts_the_survey(
        shop: ApiCaller, ana: Visitor, served: Ecoute) -> None:
    planned = shop.post("/invitations", {**CSAT, "context": "delivery-981",
                                         "customer_ref": "C-1"})
    assert planned.status_code == 202
    assert planned.get_json() == {"status": "planned",
                                  "invitation": planned.get_json()["invitation"]}

    inbox = ana.inbox().get_json()["messages"]
    assert len(inbox) == 1
    invitation = inbox[0]
    assert "How satisfied are you with the service you received?" in invitation["text"]
    assert [c["id"] for c in invitation["choices"]] == ["1", "2", "3", "4", "5"]
    assert (invitation["ref"], invitation["expects"]) == (
        f"invite:{planned.get_json()['invitation']}", "scale")
    assert ana.inbox().get_json()["messages"] == [], "handed over once"

    assert ana.answers_invitation(invitation, choice_id="2").status_code == 200
    assert ana.texts() == ["What should we improve?"]
    ana.types("ring the bell")
    thanks, offer = ana.texts()  # a score this low is offered to be handled as a complaint
    assert thanks == "Thank you, your answer has been recorded."
    assert offer.startswith("Would you like us to handle this as a complaint?")
    with served.db.transaction() as session:
        conversation = session.scalars(select(Conversation).where(
            Conversation.context == "delivery-981")).one()
        assert conversation.values == {"rating": 2, "improve": "ring the bell"}
        assert session.scalar(select(Respondent.customer_ref).where(
            Respondent.external_id == ANA)) == "C-1"


def test_a_typed_answer_to_the_widgets_invitation_counts_too(
        shop: ApiCaller, ana: Visitor) -> None:
    shop.post("/invitations", CSAT)
    invitation = ana.inbox().get_json()["messages"][0]
    assert ana.answers_invitation(invitation, text="5").status_code == 200
    assert ana.texts() == ["Glad to hear it! Anything you would like to add?"]
    again = ana.answers_invitation(invitation, choice_id="1")
    assert again.get_json()["messages"][0]["text"] == "That question has already been answered."


@pytest.mark.parametrize("situation, reason", [
    ("a stranger", "unknown_person"),
    ("declined", "no_consent"),
    ("said stop", "stopped"),
    ("unreachable", "unreachable"),
    ("invited this week", "capped"),
])
def test_a_skipped_invitation_answers_200_with_its_reason(
        situation: str, reason: str, shop: ApiCaller, served: Ecoute, clock: Clock,
        app: Flask) -> None:
    person = None
    if situation != "a stranger":
        person = known(served, ANA, channel="web", consent=situation != "declined")
    if situation == "said stop":
        person.says("stop")  # type: ignore[union-attr]
    if situation == "unreachable":
        with served.db.transaction() as session:
            session.scalars(select(Respondent)).one().unreachable_at = clock()
    if situation == "invited this week":
        assert shop.post("/invitations", CSAT).status_code == 202
        Visitor(app.test_client(), ANA).inbox()
        clock.advance(days=6, hours=23)
    skipped = shop.post("/invitations", CSAT)
    assert (skipped.status_code, skipped.get_json()) == (
        200, {"status": "skipped", "reason": reason})
    assert Visitor(app.test_client(), ANA).inbox().get_json()["messages"] == []


def test_the_configured_cap_decides_when_a_person_may_be_invited_again(
        served: Ecoute, clock: Clock) -> None:
    app = create_app(build(replace(served.settings, invitation_days=2), database=served.db,
                           clock=clock))
    shop = ApiCaller(app.test_client(), token(served))
    known(served, ANA, channel="web")
    assert shop.post("/invitations", CSAT).status_code == 202
    clock.advance(days=1)
    assert shop.post("/invitations", CSAT).get_json()["reason"] == "capped"
    clock.advance(days=1)
    assert shop.post("/invitations", CSAT).status_code == 202


def test_an_idempotency_key_makes_a_retry_harmless(
        shop: ApiCaller, ana: Visitor, served: Ecoute, app: Flask) -> None:
    key = {"Idempotency-Key": "order-981-delivered"}
    first = shop.post("/invitations", CSAT, key)
    retried = shop.post("/invitations", CSAT, key)
    assert (first.status_code, retried.status_code) == (202, 202)
    assert first.get_json() == retried.get_json()
    assert (rows(served, Delivery), rows(served, Invitation)) == (1, 1)
    assert len(ana.inbox().get_json()["messages"]) == 1
    other_system = ApiCaller(app.test_client(), token(served))
    assert other_system.post("/invitations", CSAT, key).get_json() == {
        "status": "skipped", "reason": "capped"}, "keys are the caller's own"


@pytest.mark.parametrize("body, status, error", [
    ({"survey": "csat", "channel": "web"}, 400, "bad_request"),
    ({**CSAT, "survey": 5}, 400, "bad_request"),
    ({**CSAT, "colour": "blue"}, 400, "bad_request"),
    ({**CSAT, "context": "x" * 129}, 400, "bad_request"),
    ({**CSAT, "context": "line\nbreak"}, 400, "bad_request"),
    ({**CSAT, "customer_ref": ""}, 400, "bad_request"),
    ({**CSAT, "external_id": ""}, 400, "bad_request"),
    ({**CSAT, "survey": "nope"}, 404, "unknown_survey"),
    ({**CSAT, "survey": "internal"}, 404, "unknown_survey"),  # for employees, on Slack
    ({**CSAT, "channel": "fax"}, 422, "unknown_channel"),
    ({**CSAT, "channel": "telegram"}, 422, "channel_not_configured"),
    ({**CSAT, "channel": "console"}, 422, "channel_not_configured"),
])
def test_a_bad_request_is_refused_and_stores_nothing(
        body: dict[str, object], status: int, error: str, shop: ApiCaller, ana: Visitor,
        served: Ecoute) -> None:
    refused = shop.post("/invitations", {**body, "customer_ref": body.get("customer_ref", "C-9")})
    assert (refused.status_code, refused.get_json()["error"]) == (status, error)
    assert refused.get_json()["message"]
    assert (rows(served, Campaign), rows(served, Invitation)) == (0, 0)
    with served.db.transaction() as session:
        assert session.scalar(select(Respondent.customer_ref)) is None


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "two words"])
def test_a_malformed_idempotency_key_is_a_400(key: str, shop: ApiCaller, ana: Visitor,
                                              served: Ecoute) -> None:
    refused = shop.post("/invitations", CSAT, {"Idempotency-Key": key})
    assert (refused.status_code, refused.get_json()["error"]) == (400, "bad_request")
    assert rows(served, Campaign) == 0


def test_a_body_that_is_not_json_is_a_400(app: Flask, served: Ecoute) -> None:
    refused = app.test_client().post(
        "/api/v1/invitations", data="survey=csat", content_type="text/plain",
        headers={"Authorization": f"Bearer {token(served)}"})
    assert (refused.status_code, refused.get_json()["error"]) == (400, "bad_request")


def test_only_a_write_token_may_trigger_a_survey(app: Flask, served: Ecoute, ana: Visitor) -> None:
    assert ApiCaller(app.test_client(), None).post("/invitations", CSAT).status_code == 401
    read = ApiCaller(app.test_client(), token(served, "read")).post("/invitations", CSAT)
    assert (read.status_code, read.get_json()["error"]) == (403, "forbidden")
    assert rows(served, Campaign) == 0
