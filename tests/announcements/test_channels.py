"""End to end: a Telegram person, a Slack employee and a web visitor each get one message each.

The real python-telegram-bot and Slack clients talk to the loopback emulators; the
widget's inbox hands the visitor's message over on their next visit. Staff publish
through the REST API; the worker's dispatcher sends; each person taps an answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import select

from bot import announcements, api_tokens, staff
from channels.slack.setup import slack_channel
from ecoute.config import Settings, SlackSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.models import Respondent
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook
from tests.announcements.conftest import improvement_for
from tests.channels.conftest import SLACK_SECRET, TELEGRAM_SECRET, slack_api, telegram_api  # noqa: F401
from tests.channels.test_invitations import agreeing_on_telegram
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.test_invitations import known
from tests.web.widget_client import Visitor
from web import create_app

ASKED = "Does this answer your concern?"


@dataclass
class World:
    """The app with Telegram and Slack on, and one person on each channel and the widget."""

    served: Ecoute
    app: Flask
    telegram: TelegramChat
    slack: SlackWorkspace
    visitor: Visitor


@pytest.fixture
def world(settings: Settings, db: Database, clock: Clock, telegram_api: TelegramEmulator,  # noqa: F811
          slack_api: SlackEmulator) -> Iterator[World]:  # noqa: F811
    """Return the app on both platforms' emulators, with everyone's feedback and consent."""
    both = replace(
        settings, secret_key="announce-test",
        telegram=replace(settings.telegram, token=telegram_api.token,
                         api_base_url=telegram_api.url, webhook_secret=TELEGRAM_SECRET),
        slack=SlackSettings(bot_token="xoxb-test", signing_secret=SLACK_SECRET,
                            api_base_url=slack_api.api_url))
    served = build(both, database=db, clock=clock)
    app = create_app(served)
    chat = TelegramChat(telegram_api, 42, Webhook(app.test_client(), telegram_api,
                                                  TELEGRAM_SECRET))
    bolt = slack_channel(served.settings.slack, served.engine, process_before_response=True)
    handler = SlackRequestHandler(bolt.app)
    slack_app = Flask(__name__)
    slack_app.post("/slack/events")(lambda: handler.handle(request))
    workspace = SlackWorkspace(slack_app.test_client(), slack_api, SLACK_SECRET)
    agreeing_on_telegram(chat)
    for said in ("start csat", "2", "the laptops are too slow", "yes"):
        workspace.dm("U1", said)
    known(served, "visitor-ana-0001", channel="web")
    yield World(served, app, chat, workspace, Visitor(app.test_client(), "visitor-ana-0001"))
    served.senders["telegram"].close()  # type: ignore[attr-defined]


def test_each_person_gets_one_message_on_their_channel_and_answers_it(
        world: World, slack_api: SlackEmulator) -> None:  # noqa: F811
    served = world.served
    with served.db.transaction() as session:
        people = list(session.scalars(select(Respondent.id)))
    improvement = improvement_for(served, people, we_did="We replaced every laptop")
    token = api_tokens.issue_token(served.db, "hr", "write", created_by=None, actor=staff.CLI,
                                   now=served.engine.clock())[0]
    api = ApiCaller(world.app.test_client(), token)
    assert api.post(f"/improvements/{improvement}/publish").status_code == 202
    assert api.post(f"/improvements/{improvement}/publish").status_code == 200
    assert served.dispatcher().run_once().sent == 2  # Telegram and Slack; the widget waits

    shown = world.telegram.last
    assert ASKED in shown.text and "We replaced every laptop" in shown.text
    assert shown.buttons == ["Yes", "Partly", "No"]
    world.telegram.taps("Partly")
    assert world.telegram.last.text == "Thank you for your answer."

    dm = slack_api.calls("chat.postMessage")[-1]
    assert dm.params["channel"] == "D1" and "the laptops are too slow" in dm.params["text"]
    world.slack.tap("U1", dm, "yes")

    waiting = world.visitor.inbox().get_json()["messages"]
    assert len(waiting) == 1 and ASKED in waiting[0]["text"]
    assert [c["id"] for c in waiting[0]["choices"]] == ["yes", "partly", "no"]
    world.visitor.answers_invitation(waiting[0], choice_id="no")
    assert world.visitor.inbox().get_json() == {"messages": []}

    assert served.dispatcher().run_once().sent == 0  # one message per person, never two
    with served.db.transaction() as session:
        status = announcements.status(session, improvement)
    assert status.answers == {"yes": 1, "partly": 1, "no": 1}
    assert (status.progress.planned, status.progress.sent) == (3, 3)
