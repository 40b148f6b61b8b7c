"""Fixtures of the channel tests: each platform's loopback emulator and a wired app on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.outbox import Dispatcher
from channels.slack.setup import slack_channel
from channels.telegram.runtime import TelegramPolling, TelegramWebhook
from ecoute.config import Settings, SlackSettings
from ecoute.wiring import Ecoute, build, outbox_settings
from storage.db import Database
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import Polling, TelegramChat, Webhook
from tests.conftest import Clock
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
    return replace(settings, slack=slack, base_url="https://feedback.example.com")


@pytest.fixture
def slack_ecoute(slack_settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return the application wired with Slack on, on the test database and clock."""
    return build(slack_settings, database=db, clock=clock)


@pytest.fixture
def slack(slack_ecoute: Ecoute, slack_api: SlackEmulator) -> SlackWorkspace:
    """Return the Slack workspace that posts signed requests to the app's endpoint."""
    return SlackWorkspace(create_app(slack_ecoute).test_client(), slack_api, SLACK_SECRET)


@pytest.fixture
def slack_in_step(slack_ecoute: Ecoute, slack_api: SlackEmulator) -> SlackWorkspace:
    """Return the Slack workspace over a Bolt app that runs its listeners before it answers.

    The app Slack talks to acknowledges first and lets its listeners finish in the
    background; here (``process_before_response=True``) a request returns only once
    its listeners are done, so a test shows that nothing more was sent without
    waiting for it. Signature checks and listeners are the same.
    """
    slack = slack_channel(slack_ecoute.settings.slack, slack_ecoute.engine,
                          process_before_response=True)
    handler = SlackRequestHandler(slack.app)
    app = Flask(__name__)
    app.post("/slack/events")(lambda: handler.handle(request))
    return SlackWorkspace(app.test_client(), slack_api, SLACK_SECRET)


TELEGRAM_SECRET = "test-webhook-secret"


@pytest.fixture
def telegram_api() -> Iterator[TelegramEmulator]:
    """Run the loopback Telegram Bot API."""
    with TelegramEmulator() as api:
        yield api


@pytest.fixture
def telegram_settings(settings: Settings, telegram_api: TelegramEmulator) -> Settings:
    """Return settings with Telegram on, pointed at the emulator, with a webhook secret."""
    telegram = replace(settings.telegram, token=telegram_api.token,
                       api_base_url=telegram_api.url, webhook_secret=TELEGRAM_SECRET)
    return replace(settings, telegram=telegram)


@pytest.fixture
def telegram_ecoute(telegram_settings: Settings, db: Database, clock: Clock) -> Iterator[Ecoute]:
    """Return the application wired with Telegram on, on the test database and clock."""
    app = build(telegram_settings, database=db, clock=clock)
    yield app
    sender = app.senders.get("telegram")
    if sender is not None:
        sender.close()  # type: ignore[attr-defined]


@pytest.fixture
def telegram_polling(telegram_ecoute: Ecoute) -> Iterator[TelegramPolling]:
    """Run the bot by long polling, as `ecoute serve` does with only a token."""
    services = [s for s in telegram_ecoute.services() if isinstance(s, TelegramPolling)]
    assert len(services) == 1
    services[0].poll_timeout = 1
    services[0].start()
    yield services[0]
    services[0].stop()


@pytest.fixture
def telegram_webhook(telegram_ecoute: Ecoute, telegram_api: TelegramEmulator) -> Iterator[Webhook]:
    """Return Telegram's side of the webhook: posts updates to the app, applies its answers."""
    app = create_app(telegram_ecoute)
    yield Webhook(app.test_client(), telegram_api, TELEGRAM_SECRET)
    hook = app.extensions.get("telegram_webhook")
    if isinstance(hook, TelegramWebhook):
        hook.close()


@pytest.fixture(params=["polling", "webhook"])
def telegram_chat(request: pytest.FixtureRequest, telegram_api: TelegramEmulator) -> TelegramChat:
    """Return Ana's private chat (chat 42, English), by polling and again by webhook."""
    deliver = request.getfixturevalue(f"telegram_{request.param}")
    if request.param == "polling":
        deliver = Polling(telegram_api, drain=deliver.drain)
    return TelegramChat(telegram_api, 42, deliver)


@pytest.fixture
def telegram_ana(telegram_webhook: Webhook, telegram_api: TelegramEmulator) -> TelegramChat:
    """Return Ana's private chat (chat 42, English) by webhook, the quicker mode."""
    return TelegramChat(telegram_api, 42, telegram_webhook)


@pytest.fixture
def slack_outbox(slack_ecoute: Ecoute, clock: Clock) -> Dispatcher:
    """Return the outbox dispatcher of the Slack-wired app, on the test clock."""
    return Dispatcher(slack_ecoute.db, slack_ecoute.senders,
                      settings=outbox_settings(slack_ecoute.settings), clock=clock)
