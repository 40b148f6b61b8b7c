"""Staff move a complaint; the complainant hears of each visible event once, on their channel."""

from __future__ import annotations

from sqlalchemy import select

from bot import complaint_desk, complaint_notices
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage import complaint_followups as followups
from storage import complaints as store
from storage.models import Delivery
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import RejectionReason
from tests.complaints.conftest import complaints, events
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person, RecordingSender

REF = "R-2026-0001"


def staff_moves(ecoute: Ecoute, status: S | None, note: str | None = None, *,
                visible: bool = True, reason: RejectionReason | None = None,
                reference: str = REF) -> bool:
    """Let staff member 3 move the complaint (or only write a note), then tell the complainant.

    This is what the board's one change function does: record the event, then hand it
    to :func:`bot.complaint_notices.after_event` in the same transaction.
    """
    now = ecoute.engine.clock()
    with ecoute.db.transaction() as session:
        if status is None:
            found = store.find(session, reference)
            assert found is not None
            store.add_event(session, found.id, actor="staff:3", status_from=None,
                            status_to=None, now=now, note=note, visible=visible)
        else:
            complaint_desk.move(session, reference, status, actor="staff:3", now=now, note=note,
                                visible=visible, reason=reason)
        found = store.find(session, reference)
        assert found is not None
        event_id = followups.latest_event_id(session, found.id)
        assert event_id is not None
        return complaint_notices.after_event(session, ecoute.engine.settings, event_id, now=now)


def notices(ecoute: Ecoute) -> list[Delivery]:
    """Return the planned complaint notices, oldest first."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == "complaint_update")
                                    .order_by(Delivery.id)))


def test_a_visible_note_reaches_the_complainant_once_with_the_status_in_words(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender,
        clock: Clock) -> None:
    file_billing_complaint(ana)
    clock.advance(hours=1)
    assert staff_moves(ecoute, S.ACKNOWLEDGED, "We are looking into it")
    assert dispatcher.run_once().sent == 1
    assert sender.sent == [("ana", "Your complaint R-2026-0001 is now acknowledged.\n"
                                   "We are looking into it")]
    with ecoute.db.transaction() as session:
        event_id = followups.latest_event_id(session, complaints(ecoute)[0].id)
        assert event_id is not None
        again = complaint_notices.after_event(session, ecoute.engine.settings, event_id,
                                              now=clock())
    assert again is False, "one notice per event however often it is handed over"
    assert dispatcher.run_once().sent == 0


def test_the_event_records_when_its_notice_was_sent(ana: Person, ecoute: Ecoute,
                                                    dispatcher: Dispatcher,
                                                    clock: Clock) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.ACKNOWLEDGED, "On it")
    staff_moves(ecoute, S.IN_PROGRESS, "Asked finance", visible=False)
    assert complaint_notices.record_sent(ecoute.db, clock()) == 0, "nothing sent yet"
    clock.advance(minutes=5)
    dispatcher.run_once()
    assert complaint_notices.record_sent(ecoute.db, clock()) == 1
    history = events(ecoute, complaints(ecoute)[0].id)
    assert [(e.note, e.sent_at) for e in history[1:]] == [
        ("On it", clock()), ("Asked finance", None)]


def test_a_staff_only_note_and_an_invisible_move_send_nothing(
        ana: Person, ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    assert not staff_moves(ecoute, None, "Customer seems upset", visible=False)
    assert not staff_moves(ecoute, S.ACKNOWLEDGED, visible=False)
    assert notices(ecoute) == []


def test_a_reply_without_a_status_change_is_a_message_about_the_complaint(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, None, "Could you send us the invoice number?")
    dispatcher.run_once()
    assert sender.sent[-1][1] == ("A message about your complaint R-2026-0001:\n"
                                  "Could you send us the invoice number?")


def test_a_rejection_tells_the_reason_and_the_note(ana: Person, ecoute: Ecoute,
                                                   dispatcher: Dispatcher,
                                                   sender: RecordingSender) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.REJECTED, "This is a question for your bank.",
                reason=RejectionReason.OUT_OF_SCOPE)
    dispatcher.run_once()
    assert sender.sent[-1][1] == ("Your complaint R-2026-0001 was not taken further: it is "
                                  "outside what we handle.\nThis is a question for your bank.")


def test_the_notice_speaks_the_language_the_complaint_was_filed_in(
        ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    marie = Person(ecoute.engine, "marie", locale="fr")
    file_billing_complaint(marie)
    staff_moves(ecoute, S.ACKNOWLEDGED, "Nous regardons")
    dispatcher.run_once()
    assert sender.sent == [("marie", "Votre réclamation R-2026-0001 est maintenant prise en "
                                     "compte.\nNous regardons")]


def test_no_consent_to_be_contacted_means_no_notice(ana: Person, ecoute: Ecoute) -> None:
    ana.says("complaint")
    ana.taps("billing")
    ana.says("I was charged twice")
    ana.says("skip")
    ana.taps("annoying")
    ana.taps("no")  # may we contact you about it? no
    assert not staff_moves(ecoute, S.ACKNOWLEDGED, "On it")
    assert not staff_moves(ecoute, S.RESOLVED, "Refunded")
    assert notices(ecoute) == []
    assert complaints(ecoute)[0].resolution_asked_at is None


def test_stop_blocks_the_notices_still(ana: Person, ecoute: Ecoute, dispatcher: Dispatcher,
                                       sender: RecordingSender) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.ACKNOWLEDGED, "On it")
    ana.says("stop")
    staff_moves(ecoute, S.IN_PROGRESS, "Asked finance")
    assert dispatcher.run_once().sent == 0
    assert sender.sent == []
    assert sorted(d.status for d in notices(ecoute)) == ["cancelled", "skipped"]


def test_a_forgotten_complainant_gets_nothing_more(ana: Person, ecoute: Ecoute,
                                                   dispatcher: Dispatcher,
                                                   sender: RecordingSender) -> None:
    file_billing_complaint(ana)
    staff_moves(ecoute, S.ACKNOWLEDGED, "On it")
    ana.says("forget")
    ana.taps("forget:yes")
    assert notices(ecoute) == [], "the unsent notice went with the person"
    assert not staff_moves(ecoute, S.RESOLVED, "Refunded")
    assert dispatcher.run_once().sent == 0 and sender.sent == []
