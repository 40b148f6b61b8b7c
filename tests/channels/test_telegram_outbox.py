"""Proactive Telegram messages through the outbox: rates, retry_after, blocked bots, stop.

The outbox's dispatcher drives the real Telegram sender (python-telegram-bot)
against the emulator, which answers 429, 403, 400 or 500 when told to.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from bot.messages import Choice, InputHint, Kind, Outbound
from bot.outbox import Dispatcher, enqueue
from ecoute.config import Settings
from ecoute.wiring import Ecoute, outbox_settings
from storage.models import Delivery, Respondent
from storage.vocabulary import DeliveryKind
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat
from tests.conftest import Clock

NEWS = Outbound("We changed our opening hours, as you suggested.", Kind.ANNOUNCEMENT)
_keys = count(1)


@pytest.fixture
def telegram_outbox(telegram_ecoute: Ecoute, telegram_settings: Settings,
                    clock: Clock) -> Dispatcher:
    """Return the dispatcher over the app's senders, with the configured Telegram rates."""
    return Dispatcher(telegram_ecoute.db, telegram_ecoute.senders,
                      settings=outbox_settings(telegram_settings), clock=clock)


def plan(ecoute: Ecoute, clock: Clock, chat_id: int = 42, message: Outbound = NEWS) -> None:
    """Plan one message to a chat's person (who must have talked to the bot)."""
    with ecoute.db.transaction() as session:
        person = session.scalars(
            select(Respondent).where(Respondent.external_id == str(chat_id))
        ).one()
        respondent_id = person.id
    enqueue(ecoute.db, key=f"news-{next(_keys)}", kind=DeliveryKind.PULSE, channel="telegram",
            message=message, respondent_id=respondent_id, address=str(chat_id), now=clock())


def delivery(ecoute: Ecoute) -> Delivery:
    """Return the one planned delivery."""
    with ecoute.db.transaction() as session:
        found = session.scalars(select(Delivery)).one()
        session.expunge(found)
        return found


def test_a_planned_message_reaches_the_chat_with_its_keyboard(
    telegram_ana: TelegramChat, telegram_ecoute: Ecoute, telegram_outbox: Dispatcher,
    clock: Clock,
) -> None:
    telegram_ana.says("hello")
    invitation = Outbound("Would you answer two questions?", Kind.QUESTION, ref="menu",
                          choices=(Choice("survey:nps", "Yes"), Choice("cmd:stop", "Stop")),
                          expects=InputHint.CHOICE)
    plan(telegram_ecoute, clock, message=invitation)
    assert telegram_outbox.run_once().sent == 1
    assert telegram_ana.last.text == "Would you answer two questions?"
    telegram_ana.taps("Yes")  # the proactive keyboard works like any other
    assert telegram_ana.last.text.startswith("How likely are you to recommend us")


def test_one_message_per_second_per_chat(telegram_ana: TelegramChat, telegram_ecoute: Ecoute,
                                         telegram_outbox: Dispatcher, clock: Clock) -> None:
    telegram_ana.says("hello")
    plan(telegram_ecoute, clock)
    plan(telegram_ecoute, clock)
    report = telegram_outbox.run_once()
    assert (report.sent, report.deferred) == (1, 1)  # TELEGRAM_PER_CHAT_RATE=1/second


def test_429_waits_for_retry_after_then_sends(
    telegram_ana: TelegramChat, telegram_ecoute: Ecoute, telegram_settings: Settings,
    telegram_api: TelegramEmulator, clock: Clock,
) -> None:
    settings = replace(outbox_settings(telegram_settings),
                       respondent_rates={"telegram": "100/second"})
    outbox = Dispatcher(telegram_ecoute.db, telegram_ecoute.senders, settings=settings,
                        clock=clock)
    telegram_ana.says("hello")
    plan(telegram_ecoute, clock)
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    assert outbox.run_once().retried == 1
    assert delivery(telegram_ecoute).next_attempt_at == clock() + timedelta(seconds=7)
    clock.advance(seconds=6)
    assert outbox.run_once().sent == 0
    clock.advance(seconds=1)
    assert outbox.run_once().sent == 1
    assert len(telegram_api.calls_to("sendMessage")) == 1 + 2  # the reply to hello, 2 tries
    assert telegram_ana.texts().count(NEWS.text) == 1


@pytest.mark.parametrize("status, description", [
    (403, "Forbidden: bot was blocked by the user"),
    (400, "Bad Request: chat not found"),
])
def test_a_blocked_bot_or_a_gone_chat_marks_the_person_unreachable(
    status: int, description: str, telegram_ana: TelegramChat, telegram_ecoute: Ecoute,
    telegram_outbox: Dispatcher, telegram_api: TelegramEmulator, clock: Clock,
) -> None:
    telegram_ana.says("hello")
    plan(telegram_ecoute, clock)
    telegram_api.fail("sendMessage", status, description)
    assert telegram_outbox.run_once().failed == 1
    assert delivery(telegram_ecoute).status == "failed"
    with telegram_ecoute.db.transaction() as session:
        assert session.scalars(select(Respondent)).one().unreachable_at is not None
    clock.advance(hours=1)
    plan(telegram_ecoute, clock)
    assert telegram_outbox.run_once().skipped == 1  # never tried again


def test_a_server_error_is_retried_with_back_off(
    telegram_ana: TelegramChat, telegram_ecoute: Ecoute, telegram_outbox: Dispatcher,
    telegram_api: TelegramEmulator, clock: Clock,
) -> None:
    telegram_ana.says("hello")
    plan(telegram_ecoute, clock)
    telegram_api.fail("sendMessage", 500, "Internal Server Error")
    assert telegram_outbox.run_once().retried == 1
    planned = delivery(telegram_ecoute)
    assert planned.status == "pending" and planned.attempts == 1
    assert planned.next_attempt_at > clock()


def test_after_stop_nothing_is_sent(telegram_ana: TelegramChat, telegram_ecoute: Ecoute,
                                    telegram_outbox: Dispatcher,
                                    telegram_api: TelegramEmulator, clock: Clock) -> None:
    telegram_ana.says("/stop")
    sent_before = len(telegram_api.calls_to("sendMessage"))
    plan(telegram_ecoute, clock)
    assert telegram_outbox.run_once().skipped == 1
    assert len(telegram_api.calls_to("sendMessage")) == sent_before


def test_an_unreachable_bot_api_is_a_transient_error(telegram_settings: Settings) -> None:
    import socket

    from bot.sending import TransientError
    from channels.telegram.runtime import TelegramSender

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sender = TelegramSender(replace(telegram_settings.telegram, api_base_url=closed))
    try:
        with pytest.raises(TransientError, match="NetworkError"):
            sender.send("42", NEWS)
    finally:
        sender.close()
