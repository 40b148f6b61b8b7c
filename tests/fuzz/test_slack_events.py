"""Fuzzing ``POST /slack/events``: generated requests never get a 5xx or half-store a turn.

Events, taps, slash commands and modal submissions in Slack's real shapes, with
hostile strings and wrong types, signed with the signing secret exactly as Slack
signs them, arrive at the app wired on the loopback Slack Web API. After each one
the ledger checks the answer and the database (:mod:`tests.fuzz.ledger`).
"""

from __future__ import annotations

from flask.testing import FlaskClient
from hypothesis import assume, given

from channels.slack.render import feedback_modal
from ecoute.wiring import Ecoute
from testkit.emulators.slack import SlackEmulator
from tests.fuzz.conftest import fuzz_settings, slack_signed, storable
from tests.fuzz.ledger import Ledger
from tests.fuzz.slack_shapes import requests


def test_generated_requests_get_no_server_error_and_store_whole_turns(
    slack_client: FlaskClient, slack_ecoute: Ecoute, slack_api: SlackEmulator, ledger: Ledger
) -> None:
    survey = slack_ecoute.catalog.get(slack_ecoute.settings.slack.feedback_survey)
    assert survey is not None
    modal = feedback_modal(survey, "en")

    @fuzz_settings()
    @given(request=requests(slack_api.url, modal))
    def post(request: tuple[str, str]) -> None:
        body, content_type = request
        assume(storable(body))
        before = ledger.counts()
        response = slack_client.post("/slack/events", **slack_signed(body, content_type))
        ledger.check(before, response.status_code, f"{content_type} {body[:300]!r}")

    post()
