"""The whole lifecycle as the complainant lives it: on Telegram (the real client) and the widget.

Telegram: the real python-telegram-bot behind the app's webhook and, for what staff
send, the outbox's Telegram sender, both against the loopback Bot API emulator.
The widget: its JSON API, each answer checked against the OpenAPI document; what
staff send waits in the visitor's inbox. Staff act as the board does: a move (or a
note) and :func:`bot.complaint_notices.after_event`; the worker's outbox then runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot import complaint_resolution
from ecoute.config import Settings, WebSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import RejectionReason
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat
from tests.channels import conftest as on_channels
from tests.channels.test_slack_complaints import answer_in_dm
from tests.channels.test_slack_dm import buttons
from tests.complaints.conftest import complaints, events
from tests.complaints.test_notices import staff_moves
from tests.conftest import Clock
from tests.web.widget_client import Visitor
from web import create_app

# the channel tests' Telegram fixtures: the emulator, the wired app, its webhook, Ana's chat
telegram_api = on_channels.telegram_api
telegram_settings = on_channels.telegram_settings
telegram_ecoute = on_channels.telegram_ecoute
telegram_webhook = on_channels.telegram_webhook
telegram_ana = on_channels.telegram_ana
# and its Slack fixtures: the Web API emulator (alerts to #CALERTS), the app, a synchronous Bolt
slack_api = on_channels.slack_api
slack_settings = on_channels.slack_settings
slack_ecoute = on_channels.slack_ecoute
slack_in_step = on_channels.slack_in_step

ADDED = "Your message was added to your complaint R-2026-0001. We will answer you here."
SETTLE = ["Yes, it is settled", "No, it is not settled"]


def files_on_telegram(chat: TelegramChat) -> None:
    """File a billing complaint on Telegram, agreeing to be contacted about it."""
    chat.says("/complaint")
    chat.taps("Billing")
    chat.says("I was charged twice for order 7781")
    chat.taps("Skip")
    chat.taps("It is annoying")
    chat.taps("Skip")  # no photo
    chat.taps("Yes")
    assert chat.last.text.startswith("Your complaint is registered under the reference "
                                     "R-2026-0001.")


def staff_send(ecoute: Ecoute, status: S | None, note: str, **fields: object) -> None:
    """Let staff move or answer the complaint visibly, then let the worker's outbox run."""
    assert staff_moves(ecoute, status, note, **fields)  # type: ignore[arg-type]
    assert ecoute.dispatcher().run_once().sent == 1


def test_on_telegram_file_hear_talk_resolve_accept_and_rate(
        telegram_ana: TelegramChat, telegram_ecoute: Ecoute, clock: Clock) -> None:
    files_on_telegram(telegram_ana)
    clock.advance(hours=1)
    staff_send(telegram_ecoute, S.ACKNOWLEDGED, "We are looking into it.")
    assert telegram_ana.last.text == ("Your complaint R-2026-0001 is now acknowledged.\n"
                                      "We are looking into it.")
    telegram_ana.says("It was my Visa card")
    assert telegram_ana.last.text == ADDED
    staff_send(telegram_ecoute, None, "Thank you, we found both charges.")
    assert telegram_ana.last.text == ("A message about your complaint R-2026-0001:\n"
                                      "Thank you, we found both charges.")
    staff_send(telegram_ecoute, S.RESOLVED, "The second charge is refunded.")
    asked = telegram_ana.last
    assert asked.text.endswith("The second charge is refunded.\nDoes this settle your complaint?")
    assert asked.buttons == SETTLE

    telegram_ana.taps("Yes, it is settled")
    assert telegram_ana.last.text.startswith(
        "Thank you! Your complaint R-2026-0001 is closed.\n\nOne last question: how satisfied "
        "are you with how your complaint was handled?")
    assert telegram_ana.last.buttons == ["1", "2", "3", "4", "5"]
    telegram_ana.taps("4")
    assert telegram_ana.last.text == "Thank you for your rating!"
    [complaint] = complaints(telegram_ecoute)
    assert (complaint.status, complaint.closure, complaint.handling_score) == (
        "closed", "confirmed", 4)
    told = [e.note for e in events(telegram_ecoute, complaint.id) if e.visible]
    assert told == ["We are looking into it.", "Thank you, we found both charges.",
                    "The second charge is refunded."], "the history keeps what she was told"


def test_on_telegram_not_settled_reopens_it(telegram_ana: TelegramChat,
                                            telegram_ecoute: Ecoute) -> None:
    files_on_telegram(telegram_ana)
    staff_send(telegram_ecoute, S.RESOLVED, "The second charge is refunded.")
    telegram_ana.taps("No, it is not settled")
    assert telegram_ana.last.text.startswith("We are sorry it is not settled.")
    [complaint] = complaints(telegram_ecoute)
    assert (complaint.status, complaint.priority) == ("reopened", "critical")


def test_on_telegram_a_rejection_reaches_the_complainant(telegram_ana: TelegramChat,
                                                         telegram_ecoute: Ecoute) -> None:
    files_on_telegram(telegram_ana)
    staff_send(telegram_ecoute, S.REJECTED, "Your bank made this charge, not us.",
               reason=RejectionReason.NOT_A_COMPLAINT)
    assert telegram_ana.last.text == (
        "Your complaint R-2026-0001 was not taken further: it is not a complaint we can "
        "handle.\nYour bank made this charge, not us.")


def test_on_telegram_silence_closes_it_unconfirmed(telegram_ana: TelegramChat,
                                                   telegram_ecoute: Ecoute,
                                                   telegram_api: TelegramEmulator,
                                                   clock: Clock) -> None:
    files_on_telegram(telegram_ana)
    staff_send(telegram_ecoute, S.RESOLVED, "The second charge is refunded.")
    clock.advance(days=7)
    [job] = [j for j in telegram_ecoute.jobs() if j.id == "complaint_followups"]
    job.func(*job.args)
    [complaint] = complaints(telegram_ecoute)
    assert (complaint.status, complaint.closure) == ("closed", "unconfirmed")
    telegram_ana.taps("Yes, it is settled")  # a week late
    notice = telegram_api.calls_to("answerCallbackQuery")[-1]
    assert notice.params["text"] == "That question has already been answered."
    assert complaints(telegram_ecoute)[0].closure == "unconfirmed"


def test_on_slack_not_settled_reopens_it_and_alerts_the_staff_channel(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_in_step.command("U1", text="complaint")
    answer_in_dm(slack_in_step, slack_api, "U1", 1)
    staff_send(slack_ecoute, S.RESOLVED, "The VPN is back.")
    asked = slack_api.calls("chat.postMessage")[-1]
    assert asked.params["channel"] == "D1"
    assert buttons(asked.params) == {"Yes, it is settled": "complaint:R-2026-0001:yes",
                                     "No, it is not settled": "complaint:R-2026-0001:no"}
    slack_in_step.tap("U1", asked, "complaint:R-2026-0001:no")
    assert slack_api.calls("chat.postMessage")[-1].params["text"].startswith(
        "We are sorry it is not settled.")
    assert slack_ecoute.dispatcher().run_once().sent == 1
    alert = slack_api.calls("chat.postMessage")[-1].params
    assert alert["channel"] == "CALERTS"
    assert alert["text"].startswith("Complaint R-2026-0001 was reopened by the complainant.")
    assert "VPN" not in str(alert)


@pytest.fixture
def site(settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return the application the widget talks to (limits high enough for any test)."""
    web = WebSettings(visitor_rate="1000/minute", ip_rate="1000/minute")
    return build(replace(settings, web=web), database=db, clock=clock)


@pytest.fixture
def zoe(site: Ecoute) -> Visitor:
    """Return Zoé, an English-speaking visitor of the company's site."""
    return Visitor(create_app(site).test_client(), "visitor-zoe-0001", "en")


def files_on_the_widget(zoe: Visitor) -> None:
    """File a delivery complaint in the widget, agreeing to be contacted about it."""
    zoe.start("complaint")
    zoe.taps("delivery")
    zoe.types("The parcel was left at the wrong address")
    zoe.taps("answer:skip")
    zoe.taps("annoying")
    zoe.taps("yes")
    assert zoe.texts()[0].startswith("Your complaint is registered under the reference "
                                     "R-2026-0001.")


def waiting(zoe: Visitor) -> list[dict[str, object]]:
    """Open the widget's inbox and return what waited there."""
    response = zoe.inbox()
    assert response.status_code == 200
    return response.get_json()["messages"]  # type: ignore[no-any-return]


def test_in_the_widget_file_hear_talk_resolve_accept_and_rate(
        zoe: Visitor, site: Ecoute, clock: Clock) -> None:
    files_on_the_widget(zoe)
    assert staff_moves(site, S.ACKNOWLEDGED, "We asked the courier.")
    [notice] = waiting(zoe)
    assert notice["text"] == ("Your complaint R-2026-0001 is now acknowledged.\n"
                              "We asked the courier.")
    assert waiting(zoe) == [], "each message is handed over once"
    assert zoe.types("It is at number 12, not 21").get_json()["messages"][-1]["text"] == ADDED
    assert staff_moves(site, S.RESOLVED, "The parcel was picked up and delivered.")
    [asked] = waiting(zoe)
    assert [c["label"] for c in asked["choices"]] == SETTLE
    reply = zoe.answers_invitation(asked, choice_id=asked["choices"][0]["id"]).get_json()
    thanks, rating = reply["messages"]
    assert thanks["text"] == "Thank you! Your complaint R-2026-0001 is closed."
    zoe.answers_invitation(rating, choice_id=rating["choices"][4]["id"])
    assert zoe.texts() == ["Thank you for your rating!"]
    [complaint] = complaints(site)
    assert (complaint.channel, complaint.status, complaint.closure, complaint.handling_score) \
        == ("web", "closed", "confirmed", 5)
    clock.advance(minutes=1)  # the worker's job marks what the inbox handed over as sent
    [job] = [j for j in site.jobs() if j.id == "complaint_followups"]
    job.func(*job.args)
    assert [e.sent_at is not None for e in events(site, complaint.id) if e.visible] == [
        True, True]


def test_in_the_widget_a_typed_no_reopens_it(zoe: Visitor, site: Ecoute) -> None:
    files_on_the_widget(zoe)
    staff_moves(site, S.RESOLVED, "Delivered.")
    [asked] = waiting(zoe)
    reply = zoe.answers_invitation(asked, text="no").get_json()
    assert reply["messages"][-1]["text"].startswith("We are sorry it is not settled.")
    assert complaints(site)[0].status == "reopened"


def test_in_the_widget_silence_closes_it_and_nothing_waits_after_a_stop(
        zoe: Visitor, site: Ecoute, clock: Clock) -> None:
    files_on_the_widget(zoe)
    zoe.types("stop")
    staff_moves(site, S.RESOLVED, "Delivered.")
    assert waiting(zoe) == [], "stop holds back the news of the complaint too"
    clock.advance(days=7, seconds=1)
    assert complaint_resolution.close_unanswered(
        site.db, site.engine.settings, now=clock(), window=timedelta(days=7)) == 1
