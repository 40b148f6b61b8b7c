"""Employees talk to the bot in a Slack DM: buttons to tap, text to type, each event once."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage import reports
from storage.models import InboundEvent
from testkit.emulators.slack import SlackEmulator, SlackWorkspace


def posted(api: SlackEmulator, count: int) -> list[dict]:
    """Wait for the bot's ``count``-th message and return the params of all of them."""
    return [call.params for call in api.wait_for("chat.postMessage", count)]


def buttons(message: dict) -> dict[str, str]:
    """Return a posted message's buttons: label -> value."""
    return {e["text"]["text"]: e["value"] for b in message.get("blocks") or []
            for e in b.get("elements") or [] if e.get("type") == "button"}


def test_an_nps_dialogue_by_buttons_is_stored_like_any_channels(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    assert slack.dm("U1", "hello").status_code == 200
    menu = posted(slack_api, 1)[0]
    assert menu["channel"] == "D1"
    assert buttons(menu)["Would you recommend us?"] == "survey:nps"
    assert buttons(menu)["Rate an internal service"] == "survey:internal"

    slack.tap("U1", slack_api.calls("chat.postMessage")[0], "survey:nps")
    question = posted(slack_api, 2)[1]
    assert "recommend us" in question["text"]
    assert list(buttons(question)) == [str(n) for n in range(11)]
    assert question["blocks"][1]["elements"][0]["text"] == "Question 1 of 2"

    slack.tap("U1", slack_api.calls("chat.postMessage")[1], "9")
    why = posted(slack_api, 3)[2]
    assert "What do you like most" in why["text"]
    replaced = slack_api.wait_for("response_url", 2)[1].params
    assert replaced["replace_original"] is True
    assert replaced["blocks"][-1]["elements"][0]["text"] == "Your answer: 9"

    slack.dm("U1", "Quick &amp; friendly")
    thanks = posted(slack_api, 4)[3]
    assert thanks["text"] == "Thank you for your feedback, it helps us improve."
    with slack_ecoute.db.transaction() as session:
        records = list(reports.conversations(session))
    assert records[0]["channel"] == "slack"
    assert records[0]["answers"] == {"score": 9, "why_promoter": "Quick & friendly"}


def test_a_retried_event_has_its_effect_once(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack = slack_in_step  # each request returns once its listeners are done
    slack.dm("U1", "hello", event_id="Ev42")
    assert len(slack_api.calls("chat.postMessage")) == 1
    assert slack.dm("U1", "hello", event_id="Ev42", retry=1).status_code == 200
    assert slack.dm("U1", "hello", event_id="Ev42", retry=2).status_code == 200
    assert len(slack_api.calls("chat.postMessage")) == 1
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1
        assert session.scalar(select(InboundEvent.said)) == "hello", "the turn is transcribed"


def test_bot_messages_edits_and_channel_messages_are_ignored(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack = slack_in_step  # each request returns once its listeners are done
    slack.event({"type": "message", "channel_type": "im", "channel": "D1", "bot_id": "BBOT",
                 "user": "UBOT", "text": "Hello! Which survey?"})
    slack.event({"type": "message", "channel_type": "im", "channel": "D1", "user": "UOTHER",
                 "subtype": "bot_message", "text": "beep"})
    slack.event({"type": "message", "channel_type": "im", "channel": "D1",
                 "subtype": "message_changed", "message": {"user": "U1", "text": "stop"}})
    slack.event({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1",
                 "text": "start"})
    assert slack_api.calls("chat.postMessage") == []
    slack.dm("U1", "hello")
    assert len(slack_api.calls("chat.postMessage")) == 1
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1


def test_the_dialogue_follows_the_slack_users_french_locale(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack.dm("U2", "bonjour")
    menu = posted(slack_api, 1)[0]
    assert "Évaluer un service interne" in buttons(menu)
    info = slack_api.calls("users.info")[0].params
    assert info["user"] == "U2" and info["include_locale"] in (True, "true", "1", 1)
    slack.tap("U2", slack_api.calls("chat.postMessage")[0], "survey:internal")
    question = posted(slack_api, 2)[1]
    assert question["text"].startswith("Quel service interne")
    assert "Informatique" in buttons(question)


def test_a_tap_on_an_already_answered_question_changes_nothing(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack.dm("U1", "start nps")
    question = slack_api.wait_for("chat.postMessage", 1)[0]
    slack.tap("U1", question, "3")
    posted(slack_api, 2)
    slack.tap("U1", question, "10")
    notice = posted(slack_api, 3)[2]
    assert notice["text"] == "That question has already been answered."
    assert len(slack_api.calls("response_url")) == 1  # the stale tap replaced nothing
    with slack_ecoute.db.transaction() as session:
        records = list(reports.conversations(session))
    assert records[0]["answers"] == {"score": 3}


def test_slack_gets_its_ack_before_the_slow_work_is_done(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack_api.slow_down("chat.postMessage", 1.5)
    started = time.monotonic()
    assert slack.dm("U1", "hello").status_code == 200
    assert time.monotonic() - started < 1.0  # acknowledged while the reply is still on its way
    posted(slack_api, 1)


def test_a_language_chosen_in_the_dm_overrides_the_slack_locale(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack.dm("U1", "langue fr")
    assert posted(slack_api, 1)[0]["text"].startswith("Je vous parlerai")
    slack.command("U1")
    view = slack_api.wait_for("views.open")[0].params["view"]
    assert view["title"]["text"] == "Votre avis"


def test_a_live_reply_waits_out_a_429_instead_of_being_lost(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack_api.fail("chat.postMessage", retry_after=1)
    slack.dm("U1", "start nps")
    first, second = slack_api.wait_for("chat.postMessage", 2, timeout=5)
    assert first.params == second.params and "recommend us" in second.params["text"]


def test_a_reply_slack_refused_goes_to_the_outbox_instead_of_being_lost(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator,
        slack_outbox: Dispatcher) -> None:
    slack_api.fail("chat.postMessage", error="internal_error")
    slack_in_step.dm("U1", "start nps", event_id="EvLost")  # returns once the listener is done
    assert len(slack_api.calls("chat.postMessage")) == 1  # refused
    assert slack_outbox.run_once().sent == 1
    retried = slack_api.calls("chat.postMessage")[-1].params
    assert retried["channel"] == "D1" and "recommend us" in retried["text"]
    assert len(slack_api.calls("chat.postMessage")) == 2
