"""``ecoute slack``: the manifest an admin pastes, a pulse sent by hand, results per service."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from bot.messages import Identity
from bot.submissions import Submission
from ecoute.cli import cli
from ecoute.wiring import Ecoute
from testkit.emulators.slack import SlackEmulator


def test_the_manifest_is_filled_in_with_the_public_url() -> None:
    result = CliRunner().invoke(cli, ["slack", "manifest", "--url", "https://fb.example.com/"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    endpoint = "https://fb.example.com/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == endpoint
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": endpoint}
    assert manifest["features"]["slash_commands"][0] == {
        "command": "/feedback", "url": endpoint,
        "description": "Rate an internal service, anonymously if you like",
        "usage_hint": "[help | stop | language fr | survey key]", "should_escape": False}
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "message.im"}
    assert {"chat:write", "commands", "im:history", "im:write", "users:read",
            "channels:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_the_socket_mode_manifest_has_no_urls() -> None:
    result = CliRunner().invoke(cli, ["slack", "manifest", "--socket-mode", "--format", "json"])
    manifest = json.loads(result.output)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "https://" not in result.output


def test_a_manifest_without_a_usable_url_is_a_one_line_error() -> None:
    done = CliRunner().invoke(cli, ["slack", "manifest", "--url", "http://fb.example.com"])
    assert done.exit_code == 1
    assert done.stderr == ("ecoute: error: --url must be an https:// address Slack can reach, "
                           "not 'http://fb.example.com'\n")
    missing = CliRunner().invoke(cli, ["slack", "manifest"])
    assert missing.exit_code == 1 and "--socket-mode" in missing.output


def test_results_per_service_withhold_small_anonymous_groups(slack_ecoute: Ecoute) -> None:
    for n in range(5):
        slack_ecoute.engine.submit(Submission("slack", "internal", {"service": "it",
                                                                    "rating": str(1 + n % 5)}))
    slack_ecoute.engine.submit(Submission("slack", "internal", {"service": "hr", "rating": "1"}))
    slack_ecoute.engine.submit(Submission("slack", "internal", {"service": "logistics",
                                                                "rating": "5"},
                                          sender=Identity("slack", "U1")))
    done = CliRunner().invoke(cli, ["slack", "results", "--since", "2026-11-01", "--until",
                                    "2026-12-01"], env={"DATABASE_URL": slack_ecoute.db.url})
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith("2026-11-01 to 2026-12-01")
    assert lines[2].split() == ["2026-11", "hr", "0", "0", "-", "-", "anonymous", "answers",
                                "left", "out:", "fewer", "than", "5", "anonymous", "answers"]
    assert lines[3].split() == ["2026-11", "it", "5", "5", "3.00", "40%"]
    assert lines[4].split() == ["2026-11", "logistics", "1", "0", "5.00", "100%"]


def test_a_pulse_sent_by_hand_is_planned_for_the_audience(
        slack_ecoute: Ecoute, slack_api: SlackEmulator) -> None:
    env = {"DATABASE_URL": slack_ecoute.db.url, "SLACK_BOT_TOKEN": "xoxb-t",
           "SLACK_API_BASE_URL": slack_api.api_url, "SLACK_PULSE_SURVEY": "internal",
           "SLACK_PULSE_USERS": "U1,U2"}
    done = CliRunner().invoke(cli, ["slack", "pulse"], env=env)
    assert done.exit_code == 0, done.output
    assert done.output == "pulse 'internal' planned for 2 people\n"
    assert [c.params["user"] for c in slack_api.calls("users.info")] == ["U1", "U2"]
    unset = CliRunner().invoke(cli, ["slack", "pulse"], env={**env, "SLACK_PULSE_SURVEY": ""})
    assert unset.exit_code == 1 and "SLACK_PULSE_SURVEY" in unset.output
