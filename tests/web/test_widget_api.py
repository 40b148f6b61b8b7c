"""The widget's JSON API: a dialogue through it, retries, and every bad input refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot.messages import Kind, Outbound
from bot.outbox import enqueue
from ecoute.config import WebSettings
from ecoute.output import write_export
from storage.db import Database
from storage.models import Answer, Conversation, InboundEvent, Respondent
from tests.conftest import Clock
from tests.web.conftest import AppFactory
from tests.web.widget_client import Visitor


def counts(db: Database) -> tuple[int, int, int, int]:
    """Return how many conversations, answers, people and turns (the transcript) are stored."""
    with db.transaction() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Conversation, Answer, Respondent, InboundEvent)
        )


def exported(db: Database) -> list[dict]:
    """Return what ``ecoute export responses`` prints, as records."""
    out = io.StringIO()
    with db.transaction() as session:
        write_export(session, out, "jsonl", None)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_visitor_completes_an_nps_dialogue_and_the_export_shows_it(
    ana: Visitor, db: Database
) -> None:
    first = ana.start("nps", context="shop12").get_json()
    assert first["survey"] == "nps"
    question = first["messages"][-1]
    assert question["expects"] == "scale"
    assert [c["id"] for c in question["choices"]] == [str(n) for n in range(11)]
    assert question["progress"] == {"current": 1, "total": 2}

    ana.taps("9")
    assert ana.texts() == ["Wonderful! What do you like most about us?"]
    assert ana.last["messages"][-1]["max_length"] == 1000
    ana.types("great service")
    assert "Thank you for your feedback" in ana.texts()[0]

    [record] = exported(db)
    assert record["survey"] == "nps"
    assert record["channel"] == "web"
    assert record["context"] == "shop12"
    assert record["answers"] == {"score": 9, "why_promoter": "great service"}


def test_a_french_visitor_is_answered_in_french(bruno: Visitor) -> None:
    bruno.start("csat")
    assert bruno.texts()[0].startswith("Êtes-vous satisfait")
    assert bruno.last["messages"][0]["language"] == "fr"


def test_without_a_survey_the_visitor_gets_the_menu(ana: Visitor) -> None:
    reply = ana.start(None).get_json()
    assert reply["conversation"] is None
    assert {"survey:nps", "survey:csat"} <= {c["id"] for c in reply["messages"][-1]["choices"]}


def test_a_retried_message_has_its_effect_once_and_gets_the_same_reply(
    ana: Visitor, db: Database
) -> None:
    ana.start("nps")
    body = {"visitor": ana.visitor, "client_message_id": "retry-me", "choice_id": "3",
            "ref": ana.last["messages"][-1]["ref"]}
    first = ana.post_raw(json=body).get_json()
    stored = counts(db)
    again = ana.post_raw(json=body).get_json()
    assert again["duplicate"] is True
    assert again["messages"] == first["messages"]
    assert counts(db) == stored


def test_the_same_client_message_id_from_another_visitor_is_another_message(
    ana: Visitor, bruno: Visitor
) -> None:
    ana.start("nps")
    bruno.start("nps")
    shared = {"client_message_id": "same-id", "choice_id": "2"}
    ana.send(**shared, ref=ana.last["messages"][-1]["ref"])
    reply = bruno.send(**shared, ref=bruno.last["messages"][-1]["ref"]).get_json()
    assert reply["duplicate"] is False
    assert reply["messages"][0]["language"] == "fr"


def test_a_reload_resumes_at_the_current_question(ana: Visitor) -> None:
    ana.start("nps")
    ana.taps("7")
    resumed = ana.resume()
    body = resumed.get_json()
    assert body["active"] is True
    assert body["messages"][0]["text"] == "Thank you! What would it take for you to give us a 10?"
    ana.types("faster delivery")
    over = ana.resume()
    assert over.get_json() == {"conversation": ana.conversation, "survey": None,
                               "active": False, "messages": []}


@pytest.mark.parametrize("body", [
    {"visitor": "visitor-ana-0001"},
    {"visitor": "short", "client_message_id": "m", "text": "hi"},
    {"visitor": "visitor-ana-0001", "client_message_id": "m", "text": 9},
    {"visitor": "visitor-ana-0001", "client_message_id": "m", "choice_id": ["9"]},
    {"visitor": "visitor-ana-0001", "client_message_id": "m", "text": "a", "choice_id": "1"},
    {"visitor": "visitor-ana-0001", "client_message_id": "m"},
    {"visitor": "visitor-ana-0001", "client_message_id": "m", "text": "a", "admin": True},
    {"visitor": "visitor-ana-0001", "client_message_id": "bad id!", "text": "a"},
    ["not", "an", "object"],
], ids=["no-id", "bad-visitor", "text-number", "choice-list", "both", "neither",
        "extra-field", "bad-message-id", "array"])
def test_wrong_types_are_400_and_store_nothing(ana: Visitor, db: Database, body: object) -> None:
    ana.start("nps")
    before = counts(db)
    response = ana.post_raw(json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert response.get_json()["message"]
    assert counts(db) == before


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b"null"])
def test_malformed_json_is_400(ana: Visitor, raw: bytes) -> None:
    ana.start("nps")
    response = ana.post_raw(data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] in {"malformed_json", "invalid_request"}


def test_a_start_with_wrong_types_is_400(ana: Visitor) -> None:
    response = ana.request("POST", "/conversations",
                           json={"visitor": ana.visitor, "client_message_id": "m", "survey": 3})
    assert response.status_code == 400


def test_a_body_over_16_kb_is_413_and_stores_nothing(ana: Visitor, db: Database) -> None:
    ana.start("nps")
    before = counts(db)
    body = {"visitor": ana.visitor, "client_message_id": "big", "text": "x" * 17_000}
    response = ana.post_raw(json=body)
    assert response.status_code == 413
    assert response.get_json()["error"] == "body_too_large"
    assert counts(db) == before


def test_text_over_the_questions_max_length_is_400_and_stores_nothing(
    ana: Visitor, db: Database
) -> None:
    ana.start("nps")
    ana.taps("10")
    why = ana.last["messages"][-1]["ref"]  # typed text carries its question's ref (widget.js)
    before = counts(db)
    response = ana.send(text="x" * 1001, ref=why)
    assert response.status_code == 400
    assert response.get_json()["error"] == "text_too_long"
    assert counts(db) == before
    assert ana.send(text="x" * 1000, ref=why).status_code == 200


def test_an_unknown_conversation_is_404(ana: Visitor) -> None:
    response = ana.post_raw("0" * 24, json={"visitor": ana.visitor, "client_message_id": "m",
                                            "text": "hello"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_conversation"


def test_an_unknown_survey_is_404_and_stores_nothing(ana: Visitor, db: Database) -> None:
    before = counts(db)
    response = ana.start("no-such-survey")
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_survey"
    assert counts(db) == before


def test_another_visitors_conversation_is_403(ana: Visitor, bruno: Visitor,
                                              db: Database) -> None:
    ana.start("nps")
    before = counts(db)
    response = bruno.post_raw(ana.conversation, json={
        "visitor": bruno.visitor, "client_message_id": "m", "choice_id": "0"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "not_your_conversation"
    peek = bruno.resume(ana.conversation)
    assert peek.status_code == 403
    assert counts(db) == before


def test_too_many_messages_from_one_visitor_are_429(make_app: AppFactory) -> None:
    app = make_app(web=WebSettings(visitor_rate="3/minute", ip_rate="100/minute"))
    ana = Visitor(app.test_client(), "visitor-ana-0001")
    bruno = Visitor(app.test_client(), "visitor-bruno-002")
    ana.start("nps")
    ana.taps("9")
    ana.types("good")
    refused = ana.types("more")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert "Retry-After" in refused.headers
    assert bruno.start("nps").status_code == 200


def test_every_answer_tells_the_visitor_where_it_stands_with_its_limit(
    make_app: AppFactory,
) -> None:
    app = make_app(web=WebSettings(visitor_rate="5/minute", ip_rate="100/minute"))
    ana = Visitor(app.test_client(), "visitor-ana-0001")
    first = ana.start("nps")
    second = ana.taps("9")
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert second.headers["X-RateLimit-Remaining"] == "3"
    assert int(second.headers["X-RateLimit-Reset"]) > 0


def test_too_many_requests_from_one_address_are_429(make_app: AppFactory) -> None:
    app = make_app(web=WebSettings(visitor_rate="100/minute", ip_rate="2/minute"))
    client = app.test_client()
    for n in range(2):
        assert Visitor(client, f"visitor-number-{n}").start("nps").status_code == 200
    assert Visitor(client, "visitor-number-3").start("nps").status_code == 429


def test_the_inbox_hands_each_waiting_message_over_once(
    ana: Visitor, app: Flask, db: Database, clock: Clock
) -> None:
    ana.start("nps")
    ana.taps("9")
    ana.types("great")
    ana.taps("consent:yes")
    with db.transaction() as session:
        respondent_id = session.scalar(select(Conversation.respondent_id))
    announcement = Outbound("You said the queue was long; we opened a second till.",
                            Kind.ANNOUNCEMENT)
    enqueue(db, key="improvement-1", kind="announcement", channel="web",
            message=announcement, respondent_id=respondent_id, now=clock())
    first = ana.inbox().get_json()
    assert [m["text"] for m in first["messages"]] == [announcement.text]
    assert ana.inbox().get_json() == {"messages": []}
    other = Visitor(ana.client, "visitor-bruno-002")
    assert other.inbox().get_json() == {"messages": []}


def test_the_inbox_needs_a_valid_visitor(ana: Visitor) -> None:
    assert ana.request("POST", "/inbox", json={"visitor": "x"}).status_code == 400
    assert ana.request("POST", "/inbox", json={}).status_code == 400


def test_resuming_needs_the_visitor_in_its_header_never_in_the_url(ana: Visitor) -> None:
    ana.start("nps")
    path = f"/conversations/{ana.conversation}"
    assert ana.request("GET", f"{path}?visitor={ana.visitor}").status_code == 400
    refused = ana.request("GET", path, headers={"X-Ecoute-Visitor": "x"})
    assert refused.status_code == 400
    assert ana.resume().status_code == 200


SHORT_SURVEY = """\
key: short
title: {en: Two texts, fr: Deux textes}
questions:
  - id: word
    type: text
    max_length: 10
    text: {en: "One word?", fr: "Un mot ?"}
  - id: story
    type: text
    max_length: 200
    text: {en: Tell us more, fr: Dites-en plus}
thanks: {en: Thanks, fr: Merci}
"""


def test_the_length_is_checked_against_the_question_the_ref_names(
    make_app: AppFactory, tmp_path: Path, db: Database
) -> None:
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "short.yaml").write_text(SHORT_SURVEY, encoding="utf-8")
    app = make_app(surveys_dir=tmp_path / "surveys",
                   web=WebSettings("1000/minute", "1000/minute"))
    ana = Visitor(app.test_client())
    ana.start("short")
    ref = ana.last["messages"][-1]["ref"]
    before = counts(db)
    refused = ana.send(text="x" * 11, ref=ref)
    assert refused.status_code == 400
    assert refused.get_json()["message"] == "the answer is over 10 characters"
    assert counts(db) == before
    # Without a ref the longest text any survey takes bounds it, and the engine re-asks.
    reasked = ana.send(text="x" * 11).get_json()
    assert reasked["messages"][-1]["kind"] == "reask"
    assert ana.send(text="x" * 201).status_code == 400
    assert ana.send(text="tidy", ref=ref).get_json()["messages"][-1]["text"] == "Tell us more"


def test_another_worker_finds_the_conversations_owner_in_the_store(
    make_app: AppFactory
) -> None:
    first, second = make_app(), make_app()
    ana = Visitor(first.test_client())
    ana.start("nps")
    ana.client = second.test_client()
    assert ana.taps("9").status_code == 200
    intruder = Visitor(second.test_client(), "visitor-eve-00001")
    refused = intruder.post_raw(ana.conversation, json={
        "visitor": intruder.visitor, "client_message_id": "m", "text": "hi"})
    assert refused.status_code == 403


@pytest.mark.parametrize("answer", [
    {"ref": "invite:0123abcd"},  # a ref without an answer
    {"choice_id": "2"},  # an answer without the invitation's ref
    {"text": "2"},
    {"ref": "invite:0123abcd", "choice_id": "2", "text": "2"},  # two answers
    {"ref": "c1:score", "choice_id": "2"},  # not an invitation's ref
])
def test_an_invitation_answer_that_is_not_one_is_400_and_stores_nothing(
        ana: Visitor, db: Database, answer: dict[str, str]) -> None:
    before = counts(db)
    response = ana.request("POST", "/conversations", json={
        "visitor": ana.visitor, "client_message_id": "m-invite", **answer})
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_request")
    assert counts(db) == before


def test_an_answer_to_an_invitation_that_is_not_the_visitors_starts_nothing(
        ana: Visitor, db: Database) -> None:
    ana.answers_invitation({"ref": "invite:0123abcd"}, choice_id="2")
    assert ana.texts() == ["That question has already been answered."]
    assert ana.last is not None and ana.last["conversation"] is None
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0
