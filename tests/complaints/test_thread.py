"""A complaint is a two-way thread: the complainant writes, staff are alerted; staff reply."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot import complaint_thread
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage import complaints as store
from storage.models import Delivery
from storage.vocabulary import ComplaintStatus as S
from tests.complaints.conftest import complaints, events
from tests.complaints.test_intake import file_billing_complaint
from tests.complaints.test_notices import staff_moves
from tests.conftest import Clock, Person, RecordingSender
from tests.test_privacy import every_value

ADDED = "Your message was added to your complaint R-2026-0001. We will answer you here."


def alerts(ecoute: Ecoute) -> list[Delivery]:
    """Return the planned staff alerts."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == "alert")))


def test_what_the_complainant_writes_joins_the_history_and_alerts_staff_without_words(
        ana: Person, ecoute: Ecoute, clock: Clock) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings, alert_targets=(("test", "room"),))
    file_billing_complaint(ana)
    clock.advance(minutes=30)
    assert ana.says("The second charge is still on my statement").messages[-1].text == ADDED
    [complaint] = complaints(ecoute)
    message = events(ecoute, complaint.id)[-1]
    assert (message.actor, message.status_from, message.status_to, message.note,
            message.visible, message.at) == (
        "respondent", None, None, "The second charge is still on my statement", False,
        clock())
    with ecoute.db.transaction() as session:
        told = [complaint_thread.said_by_complainant(e) for e in store.history(session, 1)]
    assert told == [False, True], "the history shows it as the complainant's message"
    [alert] = alerts(ecoute)
    assert alert.payload["text"] == "Complaint R-2026-0001: the complainant wrote a message."
    assert "statement" not in str(alert.payload)


def test_staff_reply_reaches_the_complainant_and_their_answer_joins_again(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.ACKNOWLEDGED, "Which card was charged?")
    dispatcher.run_once()
    assert sender.sent[-1][1].endswith("Which card was charged?")
    assert ana.says("The Visa ending 42").messages[-1].text == ADDED
    history = [(e.actor, e.note, e.visible) for e in events(ecoute, complaints(ecoute)[0].id)]
    assert history[-2:] == [("staff:3", "Which card was charged?", True),
                            ("respondent", "The Visa ending 42", False)]


def test_a_replayed_message_joins_once(ana: Person, ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    first = ana.says("Any news?", event_id="tg-991")
    again = ana.says("Any news?", event_id="tg-991")
    assert again.duplicate and again.messages == first.messages
    notes = [e.note for e in events(ecoute, complaints(ecoute)[0].id)]
    assert notes.count("Any news?") == 1


def test_answers_inside_a_survey_stay_answers(ana: Person, ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    ana.says("start nps")
    ana.says("4")
    assert ana.last is not None and ana.last.messages[-1].text != ADDED
    assert ana.says("too slow").messages[-1].text != ADDED
    assert len(events(ecoute, complaints(ecoute)[0].id)) == 1


def test_a_settled_complaint_takes_no_more_messages(ana: Person, ecoute: Ecoute,
                                                    dispatcher: Dispatcher) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.RESOLVED, "Refunded")
    dispatcher.run_once()
    ana.says("yes")
    ana.says("5")
    assert ana.says("hello there, all good now").messages[-1].text != ADDED
    assert [e.status_to for e in events(ecoute, complaints(ecoute)[0].id)][-1] == S.CLOSED


def test_a_rejected_complaint_takes_no_more_messages(ana: Person, ecoute: Ecoute) -> None:
    from storage.vocabulary import RejectionReason

    file_billing_complaint(ana)
    staff_moves(ecoute, S.REJECTED, "Not ours", reason=RejectionReason.NOT_A_COMPLAINT)
    assert ana.says("But why?").messages[-1].text != ADDED


def test_a_message_too_long_is_refused_and_nothing_is_stored(ana: Person,
                                                            ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    reply = ana.says("x" * 4001).messages[-1].text
    assert reply == "Your message is too long: please keep it under 4000 characters."
    assert len(events(ecoute, complaints(ecoute)[0].id)) == 1


def test_a_french_complainant_is_answered_in_french(ecoute: Ecoute) -> None:
    marie = Person(ecoute.engine, "marie", locale="fr")
    file_billing_complaint(marie)
    assert marie.says("Toujours rien reçu").messages[-1].text == (
        "Votre message a été ajouté à votre réclamation R-2026-0001. Nous vous répondrons ici.")


def test_forget_leaves_nothing_of_the_thread(ecoute: Ecoute, dispatcher: Dispatcher,
                                             clock: Clock) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings, alert_targets=(("test", "room"),))
    zoe = Person(ecoute.engine, "zoe-4711", locale="en")
    file_billing_complaint(zoe, "Quentin charged me twice")
    staff_moves(ecoute, S.ACKNOWLEDGED, "Dear Zoé, we are checking with Quentin")
    dispatcher.run_once()
    zoe.says("My IBAN is FR76 3000 6000")
    staff_moves(ecoute, S.RESOLVED, "Refunded to FR76 3000 6000")
    zoe.says("no")
    zoe.says("forget")
    zoe.taps("forget:yes")
    left = " ".join(every_value(ecoute.db))
    for trace in ("zoe-4711", "Quentin", "Zoé", "FR76"):
        assert trace not in left
    [complaint] = complaints(ecoute)
    assert (complaint.status, complaint.respondent_id) == ("reopened", None)
