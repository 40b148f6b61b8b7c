"""What the fuzzers found, one input each: each answered a 5xx before its fix, none does now.

A new finding goes here as a strict xfail naming the file to fix, and the fuzzers'
generators leave its input out until the fix lands (their comments say where).
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


def test_a_form_from_no_user_is_refused_without_a_server_error(
    slack_client: FlaskClient, slack_ecoute: Ecoute
) -> None:
    form = feedback_form(slack_ecoute, None, "ok")  # type: ignore[arg-type]
    response = slack_client.post("/slack/events",
                                 **slack_signed(form, "application/x-www-form-urlencoded"))
    assert response.status_code < 500


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


@pytest.mark.parametrize("user", ["U\x00", "U\ud800"])
def test_app_home_opened_by_an_unstorable_user_id_gets_no_server_error(
    slack_client: FlaskClient, db: Database, user: str
) -> None:
    postgres_only(db)
    event = json.dumps({"type": "event_callback", "event_id": "Ev-home", "event": {
        "type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}})
    response = slack_client.post("/slack/events", **slack_signed(event, "application/json"))
    assert response.status_code < 500
