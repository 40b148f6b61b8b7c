"""The webhook: only Telegram gets in, every update has its effect once, garbage never 500s.

The last test runs the real thing: gunicorn with two workers (and ``--preload``,
so a loop made at import would be stuck in the master) serving customers whose
turns land on either worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ecoute.config import Settings
from ecoute.wiring import Ecoute
from storage.models import Answer, InboundEvent, Respondent
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook
from tests.channels.conftest import TELEGRAM_SECRET

ROOT = Path(__file__).resolve().parents[2]


def count(ecoute: Ecoute, model: Any) -> int:
    """Return how many rows a table holds."""
    with ecoute.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("secret", [None, "guess", TELEGRAM_SECRET + "x"])
def test_a_wrong_or_missing_secret_is_refused_and_stores_nothing(
    secret: str | None, telegram_webhook: Webhook, telegram_api: TelegramEmulator,
    telegram_ecoute: Ecoute,
) -> None:
    update = telegram_api.message_update(42, text="/start nps")
    response = telegram_webhook.post(update, secret=secret)
    assert response.status_code == 403
    assert count(telegram_ecoute, Respondent) == 0
    assert telegram_api.calls_to("sendMessage") == []


def test_the_same_update_posted_three_times_has_its_effect_once(
    telegram_ana: TelegramChat, telegram_webhook: Webhook, telegram_api: TelegramEmulator,
    telegram_ecoute: Ecoute,
) -> None:
    telegram_ana.says("/start nps")
    tap = telegram_api.tap_update(42, "7")
    answers = [telegram_webhook.post(tap) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    for answer in answers:
        telegram_api.answer_webhook(answer.get_json())
    assert answers[0].get_json()["method"] == "sendMessage"  # the next question, in the answer
    assert answers[1].get_json() == answers[2].get_json() == {"ok": True}
    assert count(telegram_ecoute, Answer) == 1
    telegram_webhook.client.application.extensions["telegram_webhook"].drain()  # taps answered
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 1
    assert telegram_ana.texts().count("Thank you! What would it take for you to give us a 10?") == 1


def test_a_body_that_is_no_update_gets_400_and_an_unreadable_update_200(
    telegram_webhook: Webhook, telegram_ecoute: Ecoute
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    not_json = telegram_webhook.client.post("/telegram/webhook", data="{oops",
                                            content_type="application/json", headers=headers)
    assert not_json.status_code == 400
    assert telegram_webhook.post({"hello": "world"}).status_code == 400
    assert telegram_webhook.post([1, 2]).status_code == 400
    unreadable = telegram_webhook.post({"update_id": 5, "message": {"text": "no chat"}})
    assert unreadable.status_code == 200  # acknowledged, so Telegram does not retry it forever
    unknown_kind = telegram_webhook.post({"update_id": 6, "poll": {"id": "p"}})
    assert unknown_kind.status_code == 200
    assert count(telegram_ecoute, InboundEvent) == 0


def test_an_update_the_store_cannot_apply_gets_503_so_telegram_retries(
    telegram_webhook: Webhook, telegram_api: TelegramEmulator, telegram_ecoute: Ecoute,
) -> None:
    def broken(inbound: object) -> None:
        raise RuntimeError("database down")

    working = telegram_ecoute.engine.handle
    telegram_ecoute.engine.handle = broken  # type: ignore[method-assign]
    update = telegram_api.message_update(42, text="/start nps")
    assert telegram_webhook.post(update).status_code == 503
    telegram_ecoute.engine.handle = working  # type: ignore[method-assign]
    retried = telegram_webhook.post(update)
    assert retried.status_code == 200
    assert retried.get_json()["method"] == "sendMessage"


def test_without_a_secret_configured_the_webhook_is_off(
    settings: Settings, db: Any, telegram_api: TelegramEmulator
) -> None:
    from dataclasses import replace

    from ecoute.wiring import build
    from web import create_app

    telegram = replace(settings.telegram, token=telegram_api.token,
                       api_base_url=telegram_api.url)
    app = create_app(build(replace(settings, telegram=telegram), database=db))
    response = app.test_client().post("/telegram/webhook", json={"update_id": 1})
    assert response.status_code == 404


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def telegram_gunicorn(telegram_settings: Settings, telegram_ecoute: Ecoute,
                      telegram_api: TelegramEmulator) -> Iterator[str]:
    """Serve the app with gunicorn, two workers, preloaded; return its base URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": telegram_settings.database_url,
           "TELEGRAM_BOT_TOKEN": telegram_api.token, "TELEGRAM_API_BASE_URL": telegram_api.url,
           "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "--preload", "-b", f"127.0.0.1:{port}",
         "ecoute.wsgi:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)  # gunicorn is starting: poll until it answers
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(60)  # a loaded machine can take long to stop two workers


def test_whole_dialogues_by_webhook_behind_gunicorn_with_two_workers(
    telegram_gunicorn: str, telegram_api: TelegramEmulator, telegram_ecoute: Ecoute
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}

    def deliver(update: dict[str, Any], replies: int) -> None:
        answer = httpx.post(f"{telegram_gunicorn}/telegram/webhook", json=update,
                            headers=headers, timeout=20)
        assert answer.status_code == 200
        telegram_api.answer_webhook(answer.json())

    def dialogue(chat_id: int) -> list[str]:
        chat = TelegramChat(telegram_api, chat_id, deliver)
        chat.says("/start nps")
        chat.taps("10")
        chat.says("the staff")
        return chat.texts()

    with ThreadPoolExecutor(4) as pool:
        transcripts = list(pool.map(dialogue, range(100, 108)))
    for texts in transcripts:
        assert texts[-1].startswith("Thank you for your feedback, it helps us improve.")
    assert count(telegram_ecoute, Answer) == 16
