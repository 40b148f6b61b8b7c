"""Only Slack gets in: every request to /slack/events is signed, fresh and verified."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from ecoute.wiring import Ecoute
from storage.models import InboundEvent, Respondent
from testkit.emulators.slack import SlackEmulator, SlackWorkspace

DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F"
    "T1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class FrozenClock:
    """Slack's example was signed at 1531420618: verify it at that moment."""

    def now(self) -> float:
        return float(DOC_TIMESTAMP)


def stored_rows(ecoute: Ecoute) -> int:
    """Count what a request could have stored: people and turns (events, the transcript)."""
    with ecoute.db.transaction() as session:
        return sum(session.scalar(select(func.count()).select_from(model)) or 0
                   for model in (Respondent, InboundEvent))


def test_slacks_documented_signing_example_verifies() -> None:
    verifier = SignatureVerifier(DOC_SECRET, clock=FrozenClock())
    assert verifier.generate_signature(timestamp=DOC_TIMESTAMP, body=DOC_BODY) == DOC_SIGNATURE
    headers = {"x-slack-request-timestamp": DOC_TIMESTAMP, "x-slack-signature": DOC_SIGNATURE}
    assert verifier.is_valid_request(DOC_BODY, headers)
    assert not verifier.is_valid_request(DOC_BODY.replace("roadrunner", "coyote"), headers)


def test_the_documented_example_is_stale_today_and_gets_401(slack: SlackWorkspace,
                                                            slack_ecoute: Ecoute) -> None:
    response = slack.post(DOC_BODY, "application/x-www-form-urlencoded",
                          timestamp=int(DOC_TIMESTAMP), secret=DOC_SECRET)
    assert response.status_code == 401
    assert stored_rows(slack_ecoute) == 0


def test_a_message_signed_with_another_secret_gets_401_and_stores_nothing(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack = slack_in_step  # a listener, had one run, would be done when the request returns
    slack.secret = "not-the-secret"
    assert slack.dm("U1", "start").status_code == 401
    assert stored_rows(slack_ecoute) == 0
    assert slack_api.calls("chat.postMessage") == []


def test_a_signature_older_than_five_minutes_gets_401(slack: SlackWorkspace,
                                                      slack_ecoute: Ecoute) -> None:
    stale = int(time.time()) - 6 * 60
    body = '{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}'
    assert slack.post(body, "application/json", timestamp=stale).status_code == 401
    assert stored_rows(slack_ecoute) == 0


def test_a_request_without_signature_headers_gets_401(slack: SlackWorkspace) -> None:
    response = slack.client.post("/slack/events", data=b'{"type": "event_callback"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 401


def test_slacks_url_verification_gets_its_challenge_back(slack: SlackWorkspace) -> None:
    body = '{"type": "url_verification", "token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV"}'
    response = slack.post(body, "application/json")
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV" in response.get_data(as_text=True)
