"""Whole dialogues on every channel, logged as ``ecoute -v`` logs them, leave nothing private.

Everything Écoute's own modules log is captured down to DEBUG; the HTTP clients
and SQLAlchemy are set as ``-v`` sets them (:func:`ecoute.logs.quiet`). Then no
token, signing or webhook secret, answer's text, visitor, chat or user id may
appear in what was logged. A second test runs ``ecoute -v serve`` itself and
reads its standard error.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ecoute import logs
from ecoute.wiring import Ecoute
from storage.models import Delivery
from testkit.emulators.slack import Call, SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import Polling, TelegramChat
from tests.channels.conftest import SLACK_SECRET, TELEGRAM_SECRET
from tests.web.widget_client import Visitor
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
CHAT = 7311924
TEXT = "the cashier Marie Curtis was rude"
COMMENT = "my boss Paul Verdier yells"
VISITOR = "visitor-zqx7-private"


@pytest.fixture
def verbose(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every log line at DEBUG, the libraries kept quiet as ``ecoute -v`` keeps them."""
    levels = {name: logging.getLogger(name).level for name in logs.QUIET}
    caplog.set_level(logging.DEBUG)
    logs.quiet()
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def leaks(text: str, *private: str) -> list[str]:
    """Return which of the private strings appear in ``text``."""
    return [secret for secret in private if secret in text]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_a_telegram_dialogue_logs_nothing_private(
        mode: str, verbose: pytest.LogCaptureFixture, telegram_api: TelegramEmulator,
        telegram_ecoute: Ecoute, request: pytest.FixtureRequest) -> None:
    deliver = request.getfixturevalue(f"telegram_{mode}")
    chat = TelegramChat(telegram_api, CHAT, Polling(telegram_api) if mode == "polling" else deliver)
    chat.says("/start nps__shop12")
    chat.taps("3")
    chat.says(TEXT)
    assert chat.last.text.startswith("Thank you for your feedback")
    assert leaks(verbose.text, telegram_api.token, TELEGRAM_SECRET, TEXT, str(CHAT)) == []


def test_slack_dialogues_and_forms_log_nothing_private(
        verbose: pytest.LogCaptureFixture, slack: SlackWorkspace, slack_api: SlackEmulator,
        slack_ecoute: Ecoute) -> None:
    slack_api.add_user("UZQX7", locale="en-GB")
    slack.command("UZQX7", text="nps")
    question = slack_api.wait_for("chat.postMessage")[0]
    slack_api.fail("chat.postMessage", error="fatal_error")  # the reply goes to the outbox
    slack.tap("UZQX7", question, "4")
    wait_until(lambda: pending_deliveries(slack_ecoute) == 1)
    slack.dm("UZQX7", TEXT)
    slack_api.wait_for("chat.postMessage", 3)
    for anonymous in (False, True):
        slack.command("UZQX7")
        view = slack_api.wait_for("views.open")[-1].params["view"]
        slack.submit("UZQX7", view, {"service": "it", "rating": "1", "comment": COMMENT},
                     anonymous=anonymous, view_id=f"VZQX7{anonymous}")
    thanks = slack_ecoute.catalog.get("internal").thanks["en"]  # type: ignore[union-attr]
    wait_until(lambda: [call.params.get("text") for call in slack_api.calls("chat.postMessage")
                        ].count(thanks) == 1)  # the named form (an anonymous one: in the form)
    slack.home("UZQX7")
    slack_api.wait_for("views.publish")
    assert "handed to the outbox" in verbose.text
    assert leaks(verbose.text, "xoxb-test", SLACK_SECRET, TEXT, COMMENT, "ZQX7") == []


def pending_deliveries(ecoute: Ecoute) -> int:
    """Count the deliveries the outbox holds."""
    with ecoute.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Delivery)) or 0)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a listener running after Slack's acknowledgement to have done its work."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_widget_dialogue_logs_nothing_private(
        verbose: pytest.LogCaptureFixture, ecoute: Ecoute) -> None:
    visitor = Visitor(create_app(ecoute).test_client(), VISITOR)
    assert visitor.start("nps", context="shop12").status_code == 200
    visitor.taps("2")
    assert visitor.types(TEXT).status_code == 200
    assert visitor.resume().status_code == 200
    assert visitor.inbox().status_code == 200
    assert leaks(verbose.text, TEXT, VISITOR) == []


class _Served:
    """Posts to a running server as Flask's test client would (``data``, ``headers``)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def post(self, path: str, *, data: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST raw bytes."""
        return self.http.post(path, content=data, headers=headers)


def _free_port() -> int:
    """Return a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_ecoute_verbose_serve_writes_nothing_private(
        telegram_api: TelegramEmulator, slack_api: SlackEmulator, tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'ecoute.db'}",
           "TELEGRAM_BOT_TOKEN": telegram_api.token, "TELEGRAM_API_BASE_URL": telegram_api.url,
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SLACK_SECRET,
           "SLACK_API_BASE_URL": slack_api.api_url, "SLACK_ALERT_CHANNEL": "CALERTS",
           "ECOUTE_BASE_URL": base}
    ecoute = [sys.executable, "-m", "ecoute.cli"]
    subprocess.run([*ecoute, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as sink:
        server = subprocess.Popen([*ecoute, "-v", "serve", "--port", str(port)], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        telegram_api.wait_for(lambda: telegram_api.polls > 1, timeout=30)  # polling is on
        chat = TelegramChat(telegram_api, CHAT, Polling(telegram_api))
        chat.says("/start nps")
        chat.taps("5")
        chat.says(TEXT)
        slack_api.add_user("UZQX7")
        slack = SlackWorkspace(_Served(base), slack_api, SLACK_SECRET)
        slack.dm("UZQX7", "/start nps")
        slack.tap("UZQX7", _posts_to_the_person(slack_api, 1)[-1], "1")
        _posts_to_the_person(slack_api, 2)
        slack.dm("UZQX7", COMMENT)
        _posts_to_the_person(slack_api, 3)
        _widget_over_http(base)
        polls = telegram_api.polls  # a few more polls: each one logged its URL at INFO before
        telegram_api.wait_for(lambda: telegram_api.polls >= polls + 2, timeout=30)
    finally:
        server.terminate()
        server.wait(10)
    written = stderr.read_text(encoding="utf-8", errors="replace")
    assert " INFO " in written  # -v logs what happens
    assert leaks(written, telegram_api.token, "TEST-token", "xoxb-test", SLACK_SECRET, TEXT,
                 COMMENT, VISITOR, str(CHAT), "ZQX7") == []


def _posts_to_the_person(slack_api: SlackEmulator, count: int) -> list[Call]:
    """Wait for ``count`` messages posted anywhere but the alert channel (alerts come any time)."""
    def posted() -> list[Call]:
        return [call for call in slack_api.calls("chat.postMessage")
                if call.params.get("channel") != "CALERTS"]
    wait_until(lambda: len(posted()) >= count)
    return posted()


def _widget_over_http(base: str) -> None:
    """Answer the NPS survey with the widget's API, as a browser would."""
    with httpx.Client(base_url=f"{base}/api/widget/v1", timeout=10) as http:
        started = http.post("/conversations", json={"visitor": VISITOR,
                                                    "client_message_id": "m1", "survey": "nps"})
        assert started.status_code == 200, started.text
        body: dict[str, Any] = started.json()
        path = f"/conversations/{body['conversation']}/messages"
        ref = body["messages"][-1]["ref"]
        tapped = http.post(path, json={"visitor": VISITOR, "client_message_id": "m2",
                                       "choice_id": "3", "ref": ref})
        assert tapped.status_code == 200, tapped.text
        typed = http.post(path, content=json.dumps({"visitor": VISITOR,
                                                    "client_message_id": "m3", "text": TEXT}),
                          headers={"Content-Type": "application/json"})
        assert typed.status_code == 200, typed.text
