"""Telegram and Slack store what people type without control characters, as every channel does.

The same hostile line (NUL, ESC, a C1 control, bidi overrides and isolates, a
lone surrogate) is typed on each platform: the turn succeeds, on PostgreSQL
too, and the answer is stored without them (:func:`bot.text.clean`).
"""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import Conversation
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram_chat import TelegramChat
from tests.test_control_characters import CLEANED, HOSTILE, stored_texts


def test_a_telegram_answer_and_deep_link_are_stored_without_control_characters(
        telegram_chat: TelegramChat, telegram_ecoute: Ecoute) -> None:
    telegram_chat.says("/start nps__shop\x0012\u202e")
    telegram_chat.taps("2")
    telegram_chat.says(HOSTILE)
    assert telegram_chat.last.text.startswith("Thank you for your feedback")
    assert stored_texts(telegram_ecoute) == [CLEANED]
    with telegram_ecoute.db.transaction() as session:
        assert session.scalar(select(Conversation.context)) == "shop12"


def test_a_slack_answer_command_and_form_are_stored_without_control_characters(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    assert slack.command("U1", text="\u202enps\x00").status_code == 200  # starts the survey
    question = slack_api.wait_for("chat.postMessage")[0]
    assert "recommend us" in question.params["text"]
    slack.tap("U1", question, "2")
    slack_api.wait_for("chat.postMessage", 2)
    slack.dm("U1", HOSTILE)
    thanks = slack_api.wait_for("chat.postMessage", 3)[2]
    assert thanks.params["text"].startswith("Thank you for your feedback")

    slack.command("U2")
    view = slack_api.wait_for("views.open")[-1].params["view"]
    response = slack.submit("U2", view, {"service": "it", "rating": "2", "comment": HOSTILE})
    assert response.status_code == 200 and response.get_data() == b""
    slack_api.wait_for("chat.postMessage", 5)  # the form's thanks, posted after the answer
    assert stored_texts(slack_ecoute) == [CLEANED, CLEANED]
