"""Proactive Slack messages through the outbox: staff alerts, pulses, rate limits, gone users."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.campaigns import Progress, progress
from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings, enqueue
from channels.slack.pulse import send_pulse
from channels.slack.setup import web_client
from ecoute.config import ConfigError, Pulse, Settings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.models import Delivery, Respondent
from storage.vocabulary import DeliveryKind
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.conftest import Clock


def plan(ecoute: Ecoute, clock: Clock, address: str, text: str = "We fixed the VPN.") -> None:
    """Plan one proactive message to a Slack address."""
    enqueue(ecoute.db, key=f"test:{address}:{text}", kind=DeliveryKind.REPLY, channel="slack",
            message=Outbound(text), address=address, now=clock())


def pulse(ecoute: Ecoute, clock: Clock, **audience: object) -> int:
    """Run the pulse job once for the internal survey."""
    settings = Pulse("internal", "0 10 * * mon", **audience)  # type: ignore[arg-type]
    client = web_client(ecoute.settings.slack, patient=True)
    return send_pulse(ecoute.db, client, ecoute.catalog, settings, clock,
                      keyring=ecoute.engine.keyring)


def test_a_detractors_answers_reach_the_staff_channel_as_block_kit(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_outbox: Dispatcher) -> None:
    slack.dm("U1", "start nps")
    slack_api.wait_for("chat.postMessage", 1)
    slack.dm("U1", "3")
    slack_api.wait_for("chat.postMessage", 2)
    slack.dm("U1", "Nobody &lt;answered&gt; the phone")  # Slack escapes what people type
    slack_api.wait_for("chat.postMessage", 4)  # question, why, thanks, consent
    assert slack_outbox.run_once().sent == 1
    alert = slack_api.calls("chat.postMessage")[-1].params
    assert alert["channel"] == "CALERTS"
    assert alert["text"].startswith("Low score received: 3/10 on nps.")
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1]
              for f in alert["blocks"][1]["fields"]}
    assert fields == {"*Score*": "3/10 (NPS)", "*Comment*": "Nobody &lt;answered&gt; the phone",
                      "*Channel*": "slack", "*Survey*": "nps"}
    button = alert["blocks"][2]["elements"][0]
    assert button["url"].startswith("https://feedback.example.com/admin/conversations/")
    assert slack_api.calls("conversations.open") == []  # a channel id is posted to as is


def test_a_429_waits_for_retry_after_then_delivers(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, clock: Clock) -> None:
    plan(slack_ecoute, clock, "U1")
    slack_api.fail("chat.postMessage", retry_after=30)
    slack_outbox = Dispatcher(slack_ecoute.db, slack_ecoute.senders, clock=clock,
                              settings=OutboxSettings(default_rate="100/second",
                                                      default_respondent_rate="100/second"))
    assert slack_outbox.run_once().retried == 1
    clock.advance(seconds=10)
    assert slack_outbox.run_once().sent == 0  # Retry-After is honoured
    clock.advance(seconds=21)
    assert slack_outbox.run_once().sent == 1
    posts = slack_api.calls("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["D1", "D1"]
    with slack_ecoute.db.transaction() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive", "cannot_dm_bot"])
def test_a_person_gone_from_slack_is_marked_unreachable_for_good(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, slack_outbox: Dispatcher,
        clock: Clock, error: str) -> None:
    pulse(slack_ecoute, clock, users=("U1",))
    slack_api.fail("conversations.open" if error != "account_inactive" else "chat.postMessage",
                   error=error)
    assert slack_outbox.run_once().failed == 1
    clock.advance(hours=1)
    assert slack_outbox.run_once().sent == 0
    with slack_ecoute.db.transaction() as session:
        person = session.scalars(select(Respondent)).one()
        assert person.unreachable_at is not None and person.unreachable_reason == error
    assert pulse(slack_ecoute, clock, users=("U1",)) == 0  # the next run skips them
    assert progress(slack_ecoute.db, "slack-pulse:internal:20261126T1000") == Progress(
        planned=1, skipped={"unreachable": 1})


def test_a_bot_missing_from_the_alert_channel_fails_without_blaming_anyone(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, slack_outbox: Dispatcher,
        clock: Clock) -> None:
    plan(slack_ecoute, clock, "CALERTS")
    slack_api.fail("chat.postMessage", error="not_in_channel")
    assert slack_outbox.run_once().failed == 1
    with slack_ecoute.db.transaction() as session:
        assert session.scalars(select(Delivery.last_error)).one() == "not_in_channel"


def test_a_pulse_reaches_a_channels_members_except_who_said_stop(
        slack: SlackWorkspace, slack_ecoute: Ecoute, slack_api: SlackEmulator,
        slack_outbox: Dispatcher, clock: Clock) -> None:
    slack_api.add_user("U3")
    slack_api.add_user("UB2", is_bot=True)
    slack_api.add_user("UGONE", deleted=True)
    slack.dm("U3", "stop")
    slack_api.wait_for("chat.postMessage")
    strangers = [f"UX{n}" for n in range(200)]  # not in users.info: left out
    slack_api.state.members["CPULSE"] = ["UBOT", "U3", "UB2", "UGONE", "U2", *strangers, "U1"]

    assert pulse(slack_ecoute, clock, channel="CPULSE") == 2
    assert pulse(slack_ecoute, clock, channel="CPULSE") == 0  # the same run, planned once
    assert [c.params.get("cursor") for c in slack_api.calls("conversations.members")][:2] == [
        None, "200"]
    assert slack_outbox.run_once().sent == 2
    assert progress(slack_ecoute.db, "slack-pulse:internal:20261126T0900") == Progress(
        planned=3, sent=2, skipped={"opted out": 1})
    sent = {c.params["channel"]: c.params for c in slack_api.calls("chat.postMessage")[1:]}
    assert set(sent) == {"D1", "D2"}
    assert sent["D2"]["text"].startswith("Questionnaire flash : Évaluer un service interne")
    answer = sent["D1"]["blocks"][-1]["elements"]
    assert [(b["text"]["text"], b["value"]) for b in answer] == [
        ("Answer now", "survey:internal"), ("No more messages", "cmd:stop")]

    to_u1 = next(c for c in slack_api.calls("chat.postMessage") if c.params["channel"] == "D1")
    slack.tap("U1", to_u1, "survey:internal")
    question = slack_api.wait_for("chat.postMessage", 4)[-1].params
    assert question["text"].startswith("Which internal service")


def test_a_pulse_stores_the_timezones_of_the_newcomers_it_looks_up(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, clock: Clock) -> None:
    slack_api.add_user("U3", tz="Asia/Tokyo")
    slack_api.add_user("U4", tz="Nowhere/Special")
    assert pulse(slack_ecoute, clock, users=("U3", "U4")) == 2
    with slack_ecoute.db.transaction() as session:
        zones = dict(session.execute(select(Respondent.external_id, Respondent.timezone)).all())
    assert zones == {"U3": "Asia/Tokyo", "U4": None}
    assert len(slack_api.calls("users.info")) == 2  # the look-up the pulse makes anyway


def test_a_pulse_waits_out_slacks_rate_limit_instead_of_skipping_people(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, clock: Clock) -> None:
    slack_api.fail("users.info", retry_after=1)
    assert pulse(slack_ecoute, clock, users=("U1", "U2")) == 2
    assert len(slack_api.calls("users.info")) == 3


def test_a_pulse_is_scheduled_from_the_configuration(settings: Settings, db: Database) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_PULSE_SURVEY": "internal",
           "SLACK_PULSE_SCHEDULE": "30 9 * * mon-fri", "SLACK_PULSE_USERS": "U1, U2",
           "SLACK_PULSE_TIMEZONE": "Europe/Paris"}
    slack = Settings.from_env(env).slack
    assert slack.pulse == Pulse("internal", "30 9 * * mon-fri", None, ("U1", "U2"),
                                "Europe/Paris")
    app = build(replace(settings, slack=slack), database=db)
    job = next(j for j in app.jobs() if j.id == "slack_pulse")
    assert job.trigger == "cron"
    assert job.trigger_args == {"minute": "30", "hour": "9", "day": "*", "month": "*",
                                "day_of_week": "mon-fri", "timezone": "Europe/Paris"}


@pytest.mark.parametrize("env, problem", [
    ({"SLACK_PULSE_SURVEY": "internal"}, "SLACK_PULSE_CHANNEL or SLACK_PULSE_USERS"),
    ({"SLACK_PULSE_SURVEY": "internal", "SLACK_PULSE_CHANNEL": "C1",
      "SLACK_PULSE_SCHEDULE": "every monday"}, "SLACK_PULSE_SCHEDULE"),
    ({"SLACK_PULSE_SURVEY": "internal", "SLACK_PULSE_CHANNEL": "C1",
      "SLACK_PULSE_SCHEDULE": "0 61 * * *"}, "SLACK_PULSE_SCHEDULE"),
])
def test_a_bad_pulse_configuration_is_refused_with_the_variables_name(
        env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        Settings.from_env(env)
