"""An answer is checked against the question it really answers: no skipping a required one,
no length bound taken from another conversation than the one answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from ecoute.config import WebSettings
from storage.db import Database
from storage.models import Answer
from tests.web.conftest import AppFactory
from tests.web.widget_client import Visitor

SKIP = "answer:skip"


def stored(db: Database) -> list[tuple[str, str | None]]:
    """Return the stored answers: (question, text)."""
    with db.transaction() as session:
        return [(a.question_id, a.text) for a in session.scalars(select(Answer))]


def test_a_required_question_cannot_be_skipped(ana: Visitor, db: Database) -> None:
    question = ana.start("nps").get_json()["messages"][-1]
    skipped = ana.send(choice_id=SKIP, ref=question["ref"])
    assert skipped.status_code == 200
    reask = skipped.get_json()["messages"][-1]
    assert reask["kind"] == "reask"
    assert reask["ref"] == question["ref"]
    assert "0 to 10" in reask["text"]
    assert ana.types("skip").get_json()["messages"][-1]["kind"] == "reask"
    assert stored(db) == []
    ana.taps("9")
    assert ana.texts() == ["Wonderful! What do you like most about us?"]


def test_the_skip_offered_after_too_many_tries_is_taken(ana: Visitor, db: Database) -> None:
    ana.start("nps")
    for _ in range(3):
        ana.types("eleven")
    offer = ana.last["messages"][-1]  # type: ignore[index]
    assert [c["id"] for c in offer["choices"]] == [SKIP, "answer:stop"]
    ana.taps(SKIP)
    assert "Thank you for your feedback" in ana.texts()[0]
    assert stored(db) == []


SURVEY = """\
key: {key}
title: {{en: {key}, fr: {key}}}
questions:
  - id: comment
    type: text
    max_length: {bound}
    text: {{en: "Tell us ({key})", fr: "Dites-nous ({key})"}}
  - id: optional_note
    type: text
    optional: true
    max_length: {bound}
    text: {{en: "Anything else? ({key})", fr: "Autre chose ? ({key})"}}
thanks: {{en: Thanks, fr: Merci}}
"""


@pytest.fixture
def two_bounds_app(make_app: AppFactory, tmp_path: Path) -> Flask:
    """Return the app with two surveys whose text questions take 200 and 2,000 characters."""
    for key, bound in (("short", 200), ("long", 2000)):
        (tmp_path / f"{key}.yaml").write_text(SURVEY.format(key=key, bound=bound))
    return make_app(surveys_dir=tmp_path,
                    web=WebSettings(visitor_rate="1000/minute", ip_rate="1000/minute"))


def test_an_optional_question_can_still_be_skipped(two_bounds_app: Flask, db: Database) -> None:
    ana = Visitor(two_bounds_app.test_client())
    ana.start("short")
    ana.types("fine")
    ana.taps(SKIP)
    assert ana.texts()[0] == "Thanks"
    assert stored(db) == [("comment", "fine")]


def test_the_length_bound_is_the_answered_conversations_not_the_urls(
    two_bounds_app: Flask, db: Database,
) -> None:
    ana = Visitor(two_bounds_app.test_client())
    ana.start("short")
    short = ana.conversation
    ana.start("long")  # the active conversation is now the long one
    answer = ana.post_raw(short, json={"visitor": ana.visitor, "client_message_id": "c1",
                                       "text": "x" * 500})
    assert answer.status_code == 200
    assert stored(db) == [("comment", "x" * 500)]


def test_a_text_over_the_bound_of_the_question_named_is_400_and_stores_nothing(
    two_bounds_app: Flask, db: Database,
) -> None:
    ana = Visitor(two_bounds_app.test_client())
    question = ana.start("short").get_json()["messages"][-1]
    assert question["max_length"] == 200
    refused = ana.send(text="x" * 201, ref=question["ref"])
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "text_too_long"
    assert stored(db) == []


def test_over_the_active_questions_bound_without_a_ref_is_asked_again(
    two_bounds_app: Flask, db: Database,
) -> None:
    ana = Visitor(two_bounds_app.test_client())
    ana.start("long")
    long_conversation = ana.conversation
    ana.start("short")
    answer = ana.post_raw(long_conversation, json={"visitor": ana.visitor,
                                                   "client_message_id": "c1",
                                                   "text": "x" * 500})
    assert answer.status_code == 200
    reask = answer.get_json()["messages"][-1]
    assert reask["kind"] == "reask"
    assert "200 characters" in reask["text"]
    assert stored(db) == []
