"""What the fuzzers found, one input each: server errors whose fix belongs to another part.

Each test is a strict xfail naming the file to fix: when the fix lands it passes,
the xfail fails the run, and the fuzzers' generators take the input back (their
comments say where: ``wrong_types`` in :mod:`tests.fuzz.telegram_shapes`,
``submitters``, ``ids`` and ``wrong_types`` in :mod:`tests.fuzz.slack_shapes`, the digit
filters in :mod:`tests.fuzz.hostile` and ``storable``).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from channels.slack.render import feedback_modal
from ecoute.wiring import Ecoute
from storage.db import Database
from tests.fuzz.conftest import TELEGRAM_HEADERS, slack_signed


@pytest.mark.xfail(strict=True, reason="web/telegram_hook.py:72 catches KeyError, TypeError "
                   "and ValueError, but Update.de_json raises AttributeError on a message that "
                   "is not an object: 500")
def test_an_update_whose_message_is_not_an_object_is_acknowledged(
    telegram_client: FlaskClient,
) -> None:
    body = json.dumps({"update_id": 502, "message": False})
    response = telegram_client.post("/telegram/webhook", data=body, headers=TELEGRAM_HEADERS)
    assert response.status_code == 200


def feedback_form(served: Ecoute, user: str, score: str) -> str:
    """Return the body of ``user`` submitting the feedback modal with ``score`` to question 1."""
    survey = served.catalog.get(served.settings.slack.feedback_survey)
    assert survey is not None
    modal = feedback_modal(survey, "en")
    values = {}
    for block in modal["blocks"]:
        if block.get("type") == "input" and block["block_id"] != "ecoute_anonymous":
            option = next(iter(block["element"].get("options") or []), None)
            kind = block["element"]["type"]
            values[block["block_id"]] = {"value": {
                "type": kind, "selected_option": option, "value": score}}
    payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
               "api_app_id": "A1", "trigger_id": "t",
               "view": {**modal, "id": "V1", "state": {"values": values}}}
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.xfail(strict=True, reason="bot/submissions.py:105 opens the submission's "
                   "conversation as 'active' under a person who already has an active one: "
                   "IntegrityError on uq_conversation_active_respondent, 500")
def test_a_named_form_is_stored_while_a_survey_goes_on_in_the_dm(
    slack_client: FlaskClient, slack_ecoute: Ecoute
) -> None:
    dm = json.dumps({"type": "event_callback", "event_id": "Ev-dm", "event": {
        "type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
        "text": "start nps", "ts": "2.0"}})
    assert slack_client.post("/slack/events", **slack_signed(dm, "application/json")
                             ).status_code == 200
    form = feedback_form(slack_ecoute, "U1", "ok")
    response = slack_client.post("/slack/events",
                                 **slack_signed(form, "application/x-www-form-urlencoded"))
    assert response.status_code == 200


@pytest.mark.xfail(strict=True, reason="channels/slack/adapter.py:275 builds Identity(NAME, "
                   "user) from a view_submission whose user.id is null: ValueError, 500")
def test_a_form_from_no_user_is_refused_without_a_server_error(
    slack_client: FlaskClient, slack_ecoute: Ecoute
) -> None:
    form = feedback_form(slack_ecoute, None, "ok")  # type: ignore[arg-type]
    response = slack_client.post("/slack/events",
                                 **slack_signed(form, "application/x-www-form-urlencoded"))
    assert response.status_code < 500


@pytest.mark.xfail(strict=True, reason="web/slack_events.py hands Bolt a block_actions "
                   "payload whose action is not an object; Bolt's matcher raises TypeError "
                   "and answers 500 before any listener runs")
def test_a_tap_payload_bolt_cannot_route_is_refused_without_a_server_error(
    slack_client: FlaskClient,
) -> None:
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
               "api_app_id": "A1", "trigger_id": "t", "actions": [1]}
    body = urlencode({"payload": json.dumps(payload)})
    response = slack_client.post("/slack/events",
                                 **slack_signed(body, "application/x-www-form-urlencoded"))
    assert response.status_code < 500


def postgres_only(db: Database) -> None:
    """Skip on SQLite, which stores NUL in text."""
    if not db.is_postgres:
        pytest.skip("SQLite stores a NUL in text")


@pytest.mark.xfail(strict=True, reason="channels/slack/adapter.py:246 stores a slash "
                   "command's user id as it comes; over respondent.external_id's 255 "
                   "characters PostgreSQL refuses it (StringDataRightTruncation): 500")
def test_a_slash_command_from_an_overlong_user_id_gets_no_server_error(
    slack_client: FlaskClient, db: Database
) -> None:
    postgres_only(db)
    form = urlencode({"token": "legacy", "team_id": "T1", "channel_id": "C1",
                      "user_id": "U" * 300, "command": "/feedback", "text": "help",
                      "trigger_id": "t1", "api_app_id": "A1",
                      "response_url": "http://127.0.0.1:9/response/1"})
    response = slack_client.post("/slack/events",
                                 **slack_signed(form, "application/x-www-form-urlencoded"))
    assert response.status_code < 500


@pytest.mark.xfail(strict=True, reason="bot/questions.py:94 takes '7³' for a number "
                   "(str.isdigit is true for '³') and int() raises ValueError: every channel "
                   "answers 500 (found by the widget API's stateful fuzzing)")
def test_a_score_written_with_a_superscript_digit_is_asked_again(
    widget_client: FlaskClient,
) -> None:
    visitor = {"visitor": "visitor-superscript"}
    started = widget_client.post("/api/widget/v1/conversations", json={
        **visitor, "client_message_id": "m1", "survey": "nps"}).get_json()
    response = widget_client.post(
        f"/api/widget/v1/conversations/{started['conversation']}/messages",
        json={**visitor, "client_message_id": "m2", "text": "7³"})
    assert response.status_code == 200


@pytest.mark.xfail(strict=True, reason="channels/slack/adapter.py looks up a user id holding "
                   "a NUL or a lone surrogate (App Home, the person's language); PostgreSQL "
                   "refuses it (DataError, UnicodeEncodeError): 500. Text is cleaned at the "
                   "boundary, ids are not")
@pytest.mark.parametrize("user", ["U\x00", "U\ud800"])
def test_app_home_opened_by_an_unstorable_user_id_gets_no_server_error(
    slack_client: FlaskClient, db: Database, user: str
) -> None:
    postgres_only(db)
    event = json.dumps({"type": "event_callback", "event_id": "Ev-home", "event": {
        "type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}})
    response = slack_client.post("/slack/events", **slack_signed(event, "application/json"))
    assert response.status_code < 500
