"""Socket Mode: with SLACK_APP_TOKEN, Slack's traffic comes over a WebSocket the app opens."""

from __future__ import annotations

from dataclasses import replace

from ecoute.wiring import Ecoute
from testkit.emulators.slack import SlackEmulator, callback


def test_a_dm_over_socket_mode_is_acknowledged_and_answered(
        slack_ecoute: Ecoute, slack_api: SlackEmulator) -> None:
    slack = replace(slack_ecoute.settings.slack, app_token="xapp-test", signing_secret=None)
    slack_ecoute.settings = replace(slack_ecoute.settings, slack=slack)
    services = slack_ecoute.services()
    assert len(services) == 1
    services[0].start()
    try:
        assert slack_api.calls("apps.connections.open")[0].token == "xapp-test"
        slack_api.socket.wait_for_client()
        event = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                 "text": "start nps", "ts": "1.0"}
        envelope = slack_api.socket.push("events_api", callback(event, "EvSocket1"))
        assert slack_api.socket.wait_for_ack(envelope) == {"envelope_id": envelope}
        question = slack_api.wait_for("chat.postMessage")[0].params
        assert question["channel"] == "D1" and "recommend us" in question["text"]
    finally:
        services[0].stop()


def test_without_an_app_token_there_is_no_socket_mode_service(slack_ecoute: Ecoute) -> None:
    assert slack_ecoute.services() == []
