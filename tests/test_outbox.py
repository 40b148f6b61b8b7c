"""The outbox: proactive messages sent once, politely, retried, never to who said stop."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery_rules import RULES
from bot.inbox import take_inbox
from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings, enqueue
from bot.sending import PermanentError, RetryLater, TransientError
from ecoute.wiring import Ecoute
from storage import deliveries
from storage.models import Delivery, Respondent
from storage.vocabulary import DeliveryKind
from tests.conftest import Clock, Person, RecordingSender


def person(ecoute: Ecoute, name: str, *, consent: bool = True) -> int:
    """Create someone who talked to the bot (and consented) and return their id."""
    someone = Person(ecoute.engine, name)
    someone.says("hello")
    with ecoute.db.transaction() as session:
        respondent = session.scalars(select(Respondent).where(Respondent.external_id == name)).one()
        if consent:
            respondent.consent_at = ecoute.engine.clock()
        return respondent.id


def plan(ecoute: Ecoute, clock: Clock, respondent_id: int, key: str = "k",
         kind: DeliveryKind = DeliveryKind.ANNOUNCEMENT, text: str = "We fixed the delays") -> bool:
    """Plan one message to a respondent."""
    return enqueue(ecoute.db, key=key, kind=kind, channel="test", message=Outbound(text),
                   respondent_id=respondent_id, now=clock())


def status(ecoute: Ecoute) -> list[tuple[str, int, str | None]]:
    """Return every delivery's (status, attempts, last error)."""
    with ecoute.db.transaction() as session:
        rows = session.execute(select(Delivery.status, Delivery.attempts, Delivery.last_error)
                               .order_by(Delivery.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_planned_message_is_sent_once(ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher,
                                        sender: RecordingSender) -> None:
    ana = person(ecoute, "ana")
    assert plan(ecoute, clock, ana)
    assert not plan(ecoute, clock, ana), "the same idempotency key plans nothing twice"
    assert dispatcher.run_once().sent == 1
    assert dispatcher.run_once().sent == 0
    assert sender.sent == [("ana", "We fixed the delays")]
    assert status(ecoute) == [("sent", 1, None)]


def test_nobody_who_said_stop_is_messaged(ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher,
                                          sender: RecordingSender) -> None:
    ana = person(ecoute, "ana")
    plan(ecoute, clock, ana)
    with ecoute.db.transaction() as session:
        session.get(Respondent, ana).opted_out_at = clock()  # type: ignore[union-attr]
    assert dispatcher.run_once().skipped == 1
    assert sender.sent == []
    assert status(ecoute) == [("skipped", 0, "opted out")]


def test_announcements_need_consent_but_pulses_do_not(
    ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender
) -> None:
    bob = person(ecoute, "bob", consent=False)
    plan(ecoute, clock, bob, key="a", kind=DeliveryKind.ANNOUNCEMENT, text="news")
    plan(ecoute, clock, bob, key="p", kind=DeliveryKind.PULSE, text="a pulse survey")
    dispatcher.run_once()
    assert sender.sent == [("bob", "a pulse survey")]
    assert [s[:3:2] for s in status(ecoute)] == [("skipped", "no consent"), ("sent", None)]


# What each kind may do, as the table must say it; a new kind without a row fails here.
EXPECTED_RULES = {  # kind: (needs consent, stopped by stop)
    DeliveryKind.ALERT: (False, False),
    DeliveryKind.REPLY: (False, False),
    DeliveryKind.PULSE: (False, True),
    DeliveryKind.ANNOUNCEMENT: (True, True),
    DeliveryKind.RETRACTION: (False, False),
    DeliveryKind.INVITATION: (True, True),
    DeliveryKind.CALL: (True, True),
    DeliveryKind.WEBHOOK: (False, False),  # to the company's system: never tied to a recipient
    # to a complainant: planned only with the complaint's own contact consent
    DeliveryKind.COMPLAINT_UPDATE: (False, True),
    DeliveryKind.IDEA_THANKS: (False, True),
    DeliveryKind.DIGEST: (False, False),  # to a staff channel: never tied to a recipient
}
# Kinds that are no message to a person: planned with no recipient (tests/test_webhooks.py).
NO_RECIPIENT = {DeliveryKind.WEBHOOK}


@pytest.mark.parametrize("kind", list(DeliveryKind))
def test_every_delivery_kind_has_its_rule_with_its_reason(kind: DeliveryKind) -> None:
    rule = RULES[kind]
    assert (rule.needs_consent, rule.stopped_by_stop) == EXPECTED_RULES[kind]
    assert rule.reason


@pytest.mark.parametrize("kind", [kind for kind in DeliveryKind if kind not in NO_RECIPIENT])
def test_the_dispatcher_applies_each_kinds_rule(
    kind: DeliveryKind, ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher,
    sender: RecordingSender,
) -> None:
    rule = RULES[kind]
    consenting = person(ecoute, "ana")
    withholding = person(ecoute, "bob", consent=False)
    stopped = person(ecoute, "eve")
    with ecoute.db.transaction() as session:
        session.get(Respondent, stopped).opted_out_at = clock()  # type: ignore[union-attr]
    for someone in (consenting, withholding, stopped):
        plan(ecoute, clock, someone, key=f"{kind}:{someone}", kind=kind, text=f"to {someone}")
    dispatcher.run_once()
    expected = {"ana"}
    if not rule.needs_consent:
        expected.add("bob")
    if not rule.stopped_by_stop:
        expected.add("eve")
    assert {address for address, _ in sender.sent} == expected


def test_a_kind_with_no_rule_cannot_be_planned(ecoute: Ecoute, clock: Clock) -> None:
    with pytest.raises(ValueError, match="carrier_pigeon"):
        enqueue(ecoute.db, key="c", kind="carrier_pigeon", channel="test",  # type: ignore[arg-type]
                message=Outbound("your complaint"), respondent_id=None, address="x", now=clock())
    assert status(ecoute) == []


def test_retry_after_is_honoured_to_the_second(ecoute: Ecoute, clock: Clock,
                                               dispatcher: Dispatcher,
                                               sender: RecordingSender) -> None:
    plan(ecoute, clock, person(ecoute, "ana"))
    sender.failures.append(RetryLater(30))
    assert dispatcher.run_once().retried == 1
    clock.advance(seconds=29)
    assert dispatcher.run_once().sent == 0
    clock.advance(seconds=1)
    assert dispatcher.run_once().sent == 1
    assert status(ecoute) == [("sent", 2, "retry after 30s")]


def test_transient_failures_back_off_then_give_up(ecoute: Ecoute, clock: Clock,
                                                  dispatcher: Dispatcher,
                                                  sender: RecordingSender) -> None:
    plan(ecoute, clock, person(ecoute, "ana"))
    settings = dispatcher.settings
    sender.failures.extend(TransientError("502 bad gateway") for _ in range(settings.max_attempts))
    waits = []
    for _ in range(settings.max_attempts):
        if dispatcher.run_once().failed:
            break
        with ecoute.db.transaction() as session:
            due = session.scalar(select(Delivery.next_attempt_at))
        waits.append((due - clock()).total_seconds())  # type: ignore[operator]
        clock.now = due  # type: ignore[assignment]
    # Each wait doubles (5 s, 10 s, 20 s...) give or take the ±20 % jitter, so bounds
    # that hold for any jitter also show that every retry waits longer than the last
    # (stored times keep microseconds: a millisecond of slack).
    doubling = [min(settings.base_delay * 2**n, settings.max_delay) for n in range(len(waits))]
    assert len(waits) == settings.max_attempts - 1
    assert all(0.8 * d - 1e-3 <= w <= 1.2 * d + 1e-3
               for w, d in zip(waits, doubling, strict=True)), waits
    assert status(ecoute)[0][0] == "failed"
    assert sender.sent == []


def test_a_blocked_bot_marks_the_person_unreachable(ecoute: Ecoute, clock: Clock,
                                                    dispatcher: Dispatcher,
                                                    sender: RecordingSender) -> None:
    ana = person(ecoute, "ana")
    plan(ecoute, clock, ana, key="one")
    plan(ecoute, clock, ana, key="two")
    sender.failures.append(PermanentError("Forbidden: bot was blocked by the user"))
    report = dispatcher.run_once()
    assert (report.failed, report.skipped) == (1, 1)
    with ecoute.db.transaction() as session:
        reason = session.scalar(select(Respondent.unreachable_reason))
    assert reason == "Forbidden: bot was blocked by the user"


def test_one_message_per_second_per_person(ecoute: Ecoute, clock: Clock,
                                           sender: RecordingSender) -> None:
    ana = person(ecoute, "ana")
    for n in range(3):
        plan(ecoute, clock, ana, key=f"k{n}", text=f"message {n}")
    dispatcher = Dispatcher(ecoute.db, {"test": sender}, clock=clock,
                            settings=OutboxSettings(default_respondent_rate="1/minute"))
    report = dispatcher.run_once()
    assert (report.sent, report.deferred) == (1, 2)
    assert sender.sent == [("ana", "message 0")]


def test_a_channel_without_sender_skips_with_a_reason(ecoute: Ecoute, clock: Clock) -> None:
    enqueue(ecoute.db, key="x", kind=DeliveryKind.ALERT, channel="slack",
            message=Outbound("low score"), address="C123", now=clock())
    Dispatcher(ecoute.db, {}, clock=clock).run_once()
    assert status(ecoute) == [("skipped", 0, "no sender configured for channel 'slack'")]


def test_the_widget_inbox_hands_messages_over_once(ecoute: Ecoute, clock: Clock) -> None:
    visitor = Person(ecoute.engine, "visitor-1", channel="web")
    visitor.says("hello")
    with ecoute.db.transaction() as session:
        session.scalars(select(Respondent)).one().consent_at = clock()
    enqueue(ecoute.db, key="w", kind=DeliveryKind.ANNOUNCEMENT, channel="web",
            message=Outbound("You said, we did"), respondent_id=1, now=clock())
    dispatcher = ecoute.dispatcher()
    assert dispatcher.run_once().skipped == 0, "pull channels (the widget's) are not pushed"
    assert [m.text for m in take_inbox(ecoute.db, "web", "visitor-1", clock())] == [
        "You said, we did"
    ]
    assert take_inbox(ecoute.db, "web", "visitor-1", clock()) == []


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_workers_never_claim_the_same_row(ecoute: Ecoute, clock: Clock) -> None:
    assert ecoute.db.is_postgres
    for n in range(200):
        enqueue(ecoute.db, key=f"k{n}", kind=DeliveryKind.ALERT, channel="slack",
                message=Outbound("x"), address="C1", now=clock())
    claimed: list[int] = []
    lock = threading.Lock()

    def claim() -> None:
        while True:
            with ecoute.db.transaction() as session:
                rows = deliveries.claim_due(session, clock(), clock() + timedelta(minutes=5), 7)
            if not rows:
                return
            with lock:
                claimed.extend(r.id for r in rows)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200
