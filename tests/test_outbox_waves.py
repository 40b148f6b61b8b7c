"""The dispatcher sends several messages at once, never two to one person, and gives up on waits."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings, enqueue, waves
from bot.sending import RetryLater
from ecoute.config import ConfigError, Settings
from ecoute.wiring import Ecoute, outbox_settings
from storage.deliveries import Claimed
from storage.models import Delivery
from storage.vocabulary import DeliveryKind
from tests.conftest import Clock, RecordingSender

LIFTED = OutboxSettings(default_rate="1000/second", default_respondent_rate="1000/second")


class MeetingSender:
    """A platform whose sends each wait until ``parties`` sends are in progress at once."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)
        self.sent: list[str] = []

    def send(self, address: str, message: Outbound) -> None:
        self.barrier.wait()  # raises BrokenBarrierError (a transient failure) if alone
        self.sent.append(address)


def alert(ecoute: Ecoute, clock: Clock, address: str, key: str, text: str = "news") -> None:
    """Plan one staff alert to ``address`` on channel ``test``."""
    enqueue(ecoute.db, key=key, kind=DeliveryKind.ALERT, channel="test", message=Outbound(text),
            address=address, now=clock())


def claimed(address: str, n: int) -> Claimed:
    """Return a claimed delivery to ``address`` (what :func:`waves` looks at)."""
    return Claimed(id=n, kind="alert", channel="test", address=address, payload={}, attempts=0,
                   respondent_id=None, opted_out=False, unreachable=False, consented=True)


def test_messages_to_different_people_are_in_flight_together(ecoute: Ecoute,
                                                             clock: Clock) -> None:
    for n in range(4):
        alert(ecoute, clock, f"C{n}", key=f"k{n}")
    platform = MeetingSender(parties=4)  # one at a time, the first would wait alone and fail
    dispatcher = Dispatcher(ecoute.db, {"test": platform},
                            settings=replace(LIFTED, in_flight=4), clock=clock)
    report = dispatcher.run_once()
    dispatcher.close()
    assert (report.sent, report.retried) == (4, 0)
    assert sorted(platform.sent) == ["C0", "C1", "C2", "C3"]


def test_one_at_a_time_the_same_platform_cannot_meet(ecoute: Ecoute, clock: Clock) -> None:
    alert(ecoute, clock, "C0", key="k0")
    alert(ecoute, clock, "C1", key="k1")
    platform = MeetingSender(parties=2)
    platform.barrier = threading.Barrier(2, timeout=0.2)
    dispatcher = Dispatcher(ecoute.db, {"test": platform},
                            settings=replace(LIFTED, in_flight=1), clock=clock)
    assert dispatcher.run_once().sent == 0, "with in_flight=1 the sends are never together"


def test_a_second_message_to_the_same_person_waits_for_the_next_wave() -> None:
    batch = [claimed("ana", 1), claimed("bob", 2), claimed("ana", 3), claimed("eve", 4),
             claimed("bob", 5)]
    assert [[d.id for d in wave] for wave in waves(batch, 16)] == [[1, 2], [3, 4, 5]]
    assert [[d.id for d in wave] for wave in waves(batch, 2)] == [[1, 2], [3, 4], [5]]


def test_a_persons_messages_arrive_in_the_order_they_were_planned(ecoute: Ecoute,
                                                                   clock: Clock) -> None:
    for n in range(5):
        alert(ecoute, clock, "ana", key=f"a{n}", text=f"ana {n}")
        alert(ecoute, clock, f"other-{n}", key=f"o{n}", text="other")
    sender = RecordingSender()
    dispatcher = Dispatcher(ecoute.db, {"test": sender}, settings=LIFTED, clock=clock)
    assert dispatcher.run_once().sent == 10
    dispatcher.close()
    assert [text for address, text in sender.sent if address == "ana"] == [
        f"ana {n}" for n in range(5)
    ]


def test_a_platform_that_keeps_asking_to_wait_is_given_up_after_the_last_attempt(
        ecoute: Ecoute, clock: Clock) -> None:
    alert(ecoute, clock, "C1", key="k")
    sender = RecordingSender()
    dispatcher = Dispatcher(ecoute.db, {"test": sender}, settings=LIFTED, clock=clock)
    attempts = dispatcher.settings.max_attempts
    sender.failures.extend(RetryLater(60) for _ in range(attempts + 1))
    for _ in range(attempts - 1):
        assert dispatcher.run_once().retried == 1
        clock.advance(seconds=60)
    assert dispatcher.run_once().failed == 1
    with ecoute.db.transaction() as session:
        row = session.execute(select(Delivery.status, Delivery.attempts,
                                     Delivery.last_error)).one()
    assert tuple(row) == ("failed", attempts, "retry after 60s")  # tried max_attempts times
    assert sender.sent == []


def test_how_many_sends_are_in_flight_comes_from_the_environment() -> None:
    assert outbox_settings(Settings.from_env({})).in_flight == 16
    chosen = Settings.from_env({"ECOUTE_OUTBOX_IN_FLIGHT": "32"})
    assert outbox_settings(chosen).in_flight == 32
    for wrong in ("0", "65", "many", "2.5"):
        with pytest.raises(ConfigError, match="ECOUTE_OUTBOX_IN_FLIGHT must be a whole number"):
            Settings.from_env({"ECOUTE_OUTBOX_IN_FLIGHT": wrong})
