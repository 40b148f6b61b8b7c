"""The Telegram webhook never holds a worker for long, and a late turn still applies once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.messages import Inbound
from ecoute.config import Settings, WebSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.models import Conversation, InboundEvent, Respondent
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import Webhook
from tests.channels.conftest import (  # noqa: F401  (fixtures)
    TELEGRAM_SECRET,
    telegram_api,
    telegram_settings,
)
from tests.conftest import Clock
from web import create_app
from web.telegram_hook import TelegramWebhook


class Gate:
    """Holds every engine turn until opened; says when the held turn has finished."""

    def __init__(self, ecoute: Ecoute) -> None:
        self.open = threading.Event()
        self.finished = threading.Event()
        self.working = ecoute.engine.handle
        ecoute.engine.handle = self.handle  # type: ignore[method-assign]

    def handle(self, inbound: Inbound) -> Any:
        """Wait for the gate, then take the turn as the engine does."""
        self.open.wait(10)
        try:
            return self.working(inbound)
        finally:
            self.finished.set()


@pytest.fixture
def slow_ecoute(telegram_settings: Settings, db: Database, clock: Clock) -> Iterator[Ecoute]:  # noqa: F811
    """Return Écoute with Telegram on and a webhook that waits 0.3 s for a turn at most."""
    settings = replace(telegram_settings, web=WebSettings(webhook_timeout=0.3))
    ecoute = build(settings, database=db, clock=clock)
    yield ecoute
    sender = ecoute.senders.get("telegram")
    if sender is not None:
        sender.close()  # type: ignore[attr-defined]


@pytest.fixture
def webhook(slow_ecoute: Ecoute, telegram_api: TelegramEmulator) -> Iterator[Webhook]:  # noqa: F811
    """Return Telegram's side of the webhook of the slow app."""
    app = create_app(slow_ecoute)
    yield Webhook(app.test_client(), telegram_api, TELEGRAM_SECRET)
    hook = app.extensions.get("telegram_webhook")
    if isinstance(hook, TelegramWebhook):
        hook.close()


def count(ecoute: Ecoute, model: Any) -> int:
    """Return how many rows a table holds."""
    with ecoute.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_turn_over_the_timeout_gets_503_and_the_retry_applies_nothing_twice(
    webhook: Webhook, slow_ecoute: Ecoute, telegram_api: TelegramEmulator,  # noqa: F811
) -> None:
    update = telegram_api.message_update(42, text="/start nps")
    webhook.post(update)  # the bot's first update starts its application (not timed here)
    gate = Gate(slow_ecoute)
    late = telegram_api.message_update(43, text="/start nps")
    assert webhook.post(late).status_code == 503  # Telegram will send it again
    gate.open.set()
    assert gate.finished.wait(10)  # the late turn has been applied meanwhile
    webhook.client.application.extensions["telegram_webhook"].drain()
    retried = webhook.post(late)
    assert retried.status_code == 200
    assert count(slow_ecoute, InboundEvent) == 2
    assert count(slow_ecoute, Respondent) == 2
    assert count(slow_ecoute, Conversation) == 2


def test_the_timeout_is_a_setting_of_a_few_seconds() -> None:
    assert 1 <= WebSettings().webhook_timeout <= 10
    assert WebSettings.from_env({"ECOUTE_WEBHOOK_TIMEOUT": "2.5"}).webhook_timeout == 2.5


def test_json_nested_too_deep_is_a_400(webhook: Webhook) -> None:
    nested = '{"update_id": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}"
    response = webhook.client.post("/telegram/webhook", data=nested,
                                   content_type="application/json",
                                   headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 400


def test_the_late_turns_reply_still_reaches_the_person(
    webhook: Webhook, slow_ecoute: Ecoute, telegram_api: TelegramEmulator,  # noqa: F811
) -> None:
    webhook.post(telegram_api.message_update(42, text="/start nps"))
    gate = Gate(slow_ecoute)
    late = telegram_api.message_update(43, text="/start nps")
    assert webhook.post(late).status_code == 503
    gate.open.set()
    assert gate.finished.wait(10)
    webhook.client.application.extensions["telegram_webhook"].drain()
    telegram_api.answer_webhook(webhook.post(late).get_json())
    assert any("recommend us" in text for text in telegram_api.bot_texts(43))
