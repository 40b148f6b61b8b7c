"""Fixtures of the channel tests: each platform's loopback emulator and a wired app on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from ecoute.config import Settings, SlackSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from tests.conftest import Clock
from tests.emulators.slack import SlackEmulator, SlackWorkspace
from web import create_app

SLACK_SECRET = "test-signing-secret"


@pytest.fixture
def slack_api() -> Iterator[SlackEmulator]:
    """Run the loopback Slack Web API with two employees: U1 (English) and U2 (French)."""
    with SlackEmulator() as api:
        api.add_user("U1", locale="en-US")
        api.add_user("U2", locale="fr-FR")
        yield api


@pytest.fixture
def slack_settings(settings: Settings, slack_api: SlackEmulator) -> Settings:
    """Return settings with Slack on, pointed at the emulator, alerts to #CALERTS."""
    slack = SlackSettings(bot_token="xoxb-test", signing_secret=SLACK_SECRET,
                          api_base_url=slack_api.api_url, alert_channel="CALERTS")
    return replace(settings, slack=slack)


@pytest.fixture
def slack_ecoute(slack_settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return the application wired with Slack on, on the test database and clock."""
    app = build(slack_settings, database=db)
    app.engine.clock = clock
    return app


@pytest.fixture
def slack(slack_ecoute: Ecoute, slack_api: SlackEmulator) -> SlackWorkspace:
    """Return the Slack workspace that posts signed requests to the app's endpoint."""
    return SlackWorkspace(create_app(slack_ecoute).test_client(), slack_api, SLACK_SECRET)
