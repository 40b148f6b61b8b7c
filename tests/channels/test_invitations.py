"""Triggered surveys on the real channels: the API plans, the outbox sends, the person answers.

The company's system calls ``POST /api/v1/invitations``; the worker's dispatcher
drains the outbox through the real python-telegram-bot and Slack clients, against
the loopback emulators; the person taps the first question's button and the
survey goes on in the chat.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from bot import api_tokens, staff
from ecoute.wiring import Ecoute
from storage.models import Conversation, Respondent, SurveyVersion
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.test_invitations import known
from tests.web.widget_client import Visitor
from web import create_app

QUESTION = "How satisfied are you with the service you received?"


def shop(client: object, served: Ecoute) -> ApiCaller:
    """Return the company's system calling the API of the app behind ``client``."""
    token = api_tokens.issue_token(served.db, "shop", "write", created_by=None, actor=staff.CLI,
                                   now=served.engine.clock())[0]
    return ApiCaller(client, token)  # type: ignore[arg-type]


def agreeing_on_telegram(chat: TelegramChat) -> None:
    """Let the chat's person answer a survey, then agree to hear from us."""
    chat.says("/start csat")
    chat.taps("5")
    chat.says("skip")
    chat.taps("Yes, tell me")


def context_of_last_conversation(served: Ecoute) -> tuple[str | None, dict[str, object]]:
    """Return the context and answers of the newest survey (a complaint offered after it aside)."""
    with served.db.transaction() as session:
        newest = session.scalars(
            select(Conversation)
            .join(SurveyVersion, SurveyVersion.id == Conversation.survey_version_id)
            .where(SurveyVersion.key != "complaint")
            .order_by(Conversation.id.desc())).first()
        assert newest is not None
        return newest.context, newest.values


def test_a_triggered_survey_reaches_telegram_with_buttons_and_a_tap_goes_on(
        telegram_ana: TelegramChat, telegram_webhook: Webhook, telegram_ecoute: Ecoute) -> None:
    agreeing_on_telegram(telegram_ana)
    planned = shop(telegram_webhook.client, telegram_ecoute).post("/invitations", {
        "survey": "csat", "channel": "telegram", "external_id": "42",
        "context": "delivery-981"})
    assert planned.status_code == 202
    assert telegram_ecoute.dispatcher().run_once().sent == 1
    invitation = telegram_ana.last
    assert invitation.text.startswith(f"A quick question from us: How did we do?\n{QUESTION}")
    assert invitation.buttons == ["1", "2", "3", "4", "5"]

    telegram_ana.taps("2")
    edited = next(m for m in telegram_ana.shown if m.message_id == invitation.message_id)
    assert edited.text.endswith("✅ 2") and edited.keyboard == []
    assert telegram_ana.last.text == "What should we improve?"
    telegram_ana.says("call before coming")
    assert context_of_last_conversation(telegram_ecoute) == (
        "delivery-981", {"rating": 2, "improve": "call before coming"})


def test_a_typed_reply_in_telegram_answers_the_invitation(
        telegram_ana: TelegramChat, telegram_webhook: Webhook, telegram_ecoute: Ecoute) -> None:
    agreeing_on_telegram(telegram_ana)
    shop(telegram_webhook.client, telegram_ecoute).post("/invitations", {
        "survey": "csat", "channel": "telegram", "external_id": "42"})
    telegram_ecoute.dispatcher().run_once()
    telegram_ana.says("4")
    assert telegram_ana.last.text.startswith("Glad to hear it!")


def test_a_blocked_bot_makes_the_next_invitation_unreachable(
        telegram_ana: TelegramChat, telegram_webhook: Webhook, telegram_ecoute: Ecoute,
        telegram_api: TelegramEmulator, clock: Clock) -> None:
    agreeing_on_telegram(telegram_ana)
    company = shop(telegram_webhook.client, telegram_ecoute)
    body = {"survey": "csat", "channel": "telegram", "external_id": "42"}
    assert company.post("/invitations", body).status_code == 202
    telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert telegram_ecoute.dispatcher().run_once().failed == 1
    clock.advance(days=8)
    assert company.post("/invitations", body).get_json() == {
        "status": "skipped", "reason": "unreachable"}


def test_the_cap_holds_across_telegram_and_the_widget_linked_by_customer_ref(
        telegram_ana: TelegramChat, telegram_webhook: Webhook, telegram_ecoute: Ecoute) -> None:
    agreeing_on_telegram(telegram_ana)
    known(telegram_ecoute, "visitor-ana-0001", channel="web")
    company = shop(telegram_webhook.client, telegram_ecoute)
    assert company.post("/invitations", {
        "survey": "csat", "channel": "telegram", "external_id": "42",
        "customer_ref": "C-42"}).status_code == 202
    on_the_site = company.post("/invitations", {
        "survey": "nps", "channel": "web", "external_id": "visitor-ana-0001",
        "customer_ref": "C-42"})
    assert on_the_site.get_json() == {"status": "skipped", "reason": "capped"}
    assert telegram_ecoute.dispatcher().run_once().sent == 1
    assert Visitor(telegram_webhook.client, "visitor-ana-0001").inbox().get_json() == {
        "messages": []}
    with telegram_ecoute.db.transaction() as session:
        assert set(session.scalars(select(Respondent.customer_ref))) == {"C-42"}


def test_a_triggered_survey_is_a_slack_dm_with_buttons_and_a_tap_goes_on(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    for said in ("start csat", "5", "skip", "yes"):
        slack_in_step.dm("U1", said)
    api: Flask = create_app(slack_ecoute)
    planned = shop(api.test_client(), slack_ecoute).post("/invitations", {
        "survey": "csat", "channel": "slack", "external_id": "U1", "context": "laptop-swap"})
    assert planned.status_code == 202
    assert slack_ecoute.dispatcher().run_once().sent == 1
    dm = slack_api.calls("chat.postMessage")[-1]
    assert dm.params["channel"] == "D1" and QUESTION in dm.params["text"]
    slack_in_step.tap("U1", dm, "4")
    assert slack_api.calls("chat.postMessage")[-1].params["text"].startswith("Glad to hear it!")
    assert context_of_last_conversation(slack_ecoute) == ("laptop-swap", {"rating": 4})


def test_a_slack_employee_who_never_agreed_is_not_invited(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_in_step.dm("U2", "hello")
    api = create_app(slack_ecoute)
    skipped = shop(api.test_client(), slack_ecoute).post("/invitations", {
        "survey": "internal", "channel": "slack", "external_id": "U2"})
    assert skipped.get_json() == {"status": "skipped", "reason": "no_consent"}
    posts = len(slack_api.calls("chat.postMessage"))
    assert slack_ecoute.dispatcher().run_once().sent == 0
    assert len(slack_api.calls("chat.postMessage")) == posts
