"""Publishing an improvement plans one personal message per eligible person, once."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot import announcements
from bot.announcements import AnnouncementError
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Delivery, Respondent
from storage.vocabulary import CampaignState
from tests.announcements.conftest import Feedback, improvement_for
from tests.conftest import Clock, RecordingSender


def publish(ecoute: Ecoute, improvement: int) -> announcements.Published:
    with ecoute.db.transaction() as session:
        return announcements.publish(session, improvement, actor="staff:1",
                                     now=ecoute.engine.clock())


def status(ecoute: Ecoute, improvement: int) -> announcements.Status:
    with ecoute.db.transaction() as session:
        return announcements.status(session, improvement)


def test_publishing_plans_the_eligible_and_skips_the_others_with_the_reason(
        ecoute: Ecoute, feedback: Feedback) -> None:
    people = [feedback("ana"), feedback("bob", consent=False), feedback("eve", stopped=True),
              feedback("max", unreachable=True)]
    improvement = improvement_for(ecoute, people)
    first = publish(ecoute, improvement)
    again = publish(ecoute, improvement)
    assert first.first and first.planned == 4
    assert not again.first and again.campaign_id == first.campaign_id
    progress = status(ecoute, improvement).progress
    assert (progress.planned, progress.pending) == (4, 1)
    assert progress.skipped == {"no consent": 1, "opted out": 1, "unreachable": 1}
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 4
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("improvement_published") == 1


def test_the_message_recalls_their_words_and_the_answer_is_stored_once(
        ecoute: Ecoute, feedback: Feedback, dispatcher: Dispatcher, sender: RecordingSender,
        clock: Clock) -> None:
    ana = feedback("ana", words="Your support line keeps me waiting for an hour")
    improvement = improvement_for(ecoute, [ana])
    publish(ecoute, improvement)
    clock.now = clock.now.replace(hour=12)  # outside the default quiet hours (21:00-08:00 UTC)
    dispatcher.run_once()
    assert len(sender.sent) == 1
    text = sender.sent[0][1]
    assert "November 26, 2026" in text and "keeps me waiting for an hour" in text
    assert "We hired two agents" in text and "Does this answer your concern?" in text
    from tests.conftest import Person
    person = Person(ecoute.engine, "ana", locale="en")
    ref = announcements.reference(improvement)
    thanks = person.send(choice_id="partly", ref=ref)
    assert thanks.messages[-1].text == "Thank you for your answer."
    person.send(choice_id="yes", ref=ref)
    assert status(ecoute, improvement).answers == {"yes": 1}


def test_without_words_the_message_recalls_the_survey_and_the_score_in_their_language(
        ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender, clock: Clock) -> None:
    from tests.test_invitations import known
    known(ecoute, "cy")  # CSAT 5, the comment skipped, then agrees
    known(ecoute, "lea", locale="fr")
    with ecoute.db.transaction() as session:
        people = list(session.scalars(select(Respondent.id)))
    publish(ecoute, improvement_for(ecoute, people))
    clock.now = clock.now.replace(hour=12)
    dispatcher.run_once()
    said = {address: text.split("\n")[0] for address, text in sender.sent}
    assert said == {
        "cy": "On November 26, 2026 you answered our survey “How did we do?” with a score of 5.",
        "lea": "Le 26 novembre 2026, vous avez répondu à notre enquête « Comment nous "
               "sommes-nous débrouillés ? » avec la note 5."}


def test_someone_the_announcement_did_not_reach_cannot_answer_it(
        ecoute: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(ecoute, [feedback("ana")])
    publish(ecoute, improvement)
    from tests.conftest import Person
    intruder = Person(ecoute.engine, "zed", locale="en")
    intruder.send(choice_id="yes", ref=announcements.reference(improvement))
    assert status(ecoute, improvement).answers == {}


def test_pause_holds_the_messages_resume_sends_them_cancel_ends_them(
        ecoute: Ecoute, feedback: Feedback, dispatcher: Dispatcher, sender: RecordingSender,
        clock: Clock) -> None:
    improvement = improvement_for(ecoute, [feedback("ana"), feedback("bob")])
    publish(ecoute, improvement)
    clock.now = clock.now.replace(hour=12)
    with ecoute.db.transaction() as session:
        assert announcements.change(session, improvement, "pause", actor="staff:1",
                                    now=clock()) is CampaignState.PAUSED
    assert dispatcher.run_once().sent == 0 and sender.sent == []
    with ecoute.db.transaction() as session:
        announcements.change(session, improvement, "resume", actor="staff:1", now=clock())
    dispatcher.settings = dispatcher.settings  # same dispatcher, nothing cached
    assert dispatcher.run_once().sent == 2
    other = improvement_for(ecoute, [feedback("eve")])
    publish(ecoute, other)
    with ecoute.db.transaction() as session:
        announcements.change(session, other, "cancel", actor="staff:1", now=clock())
    assert dispatcher.run_once().sent == 0
    assert status(ecoute, other).progress.skipped == {"cancelled": 1}
    with ecoute.db.transaction() as session:
        try:
            announcements.change(session, other, "resume", actor="staff:1", now=clock())
        except AnnouncementError as error:
            assert error.code == "cancelled"
        else:
            raise AssertionError("a cancelled announcement was resumed")


def test_stop_or_erasure_after_planning_is_respected_at_send_time(
        ecoute: Ecoute, feedback: Feedback, dispatcher: Dispatcher, sender: RecordingSender,
        clock: Clock) -> None:
    ana, bob = feedback("ana"), feedback("bob")
    improvement = improvement_for(ecoute, [ana, bob, feedback("eve")])
    publish(ecoute, improvement)
    from tests.conftest import Person
    Person(ecoute.engine, "ana", locale="en").says("stop")
    Person(ecoute.engine, "bob", locale="en").says("forget me")
    Person(ecoute.engine, "bob", locale="en").says("yes")
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Respondent)
                              .where(Respondent.external_id == "bob")) == 0
    clock.now = clock.now.replace(hour=12)
    dispatcher.run_once()
    assert [address for address, _text in sender.sent] == ["eve"]


def test_the_message_recalls_the_survey_not_the_complaint_offer_they_declined(
        ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender, clock: Clock) -> None:
    from tests.conftest import Person
    ana = Person(ecoute.engine, "ana", locale="en")
    for said in ("start nps", "3", "The queue was far too long", "yes"):
        ana.says(said)
    assert ana.last is not None and "as a complaint?" in ana.last.messages[-1].text
    ana.says("no")  # the offer's dialogue stays stored, with nothing in it
    with ecoute.db.transaction() as session:
        people = list(session.scalars(select(Respondent.id)))
    publish(ecoute, improvement_for(ecoute, people))  # both of her conversations linked
    clock.now = clock.now.replace(hour=12)
    dispatcher.run_once()
    assert [text.split("\n")[0] for _address, text in sender.sent] == [
        "On November 26, 2026 you told us: “The queue was far too long”"]


def test_a_filed_complaints_dialogue_linked_recalls_the_complaint(
        ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender, clock: Clock) -> None:
    from tests.conftest import Person
    bob = Person(ecoute.engine, "bob", locale="en")
    for said in ("complaint", "1", "My parcel came broken", "skip", "1", "yes"):
        bob.says(said)
    assert bob.last is not None and "registered" in bob.last.messages[-1].text
    with ecoute.db.transaction() as session:
        session.execute(update(Respondent).values(consent_at=clock()))
        people = list(session.scalars(select(Respondent.id)))
    publish(ecoute, improvement_for(ecoute, people))  # the dialogue linked, not the complaint
    clock.now = clock.now.replace(hour=12)
    dispatcher.run_once()
    assert [text.split("\n")[0] for _address, text in sender.sent] == [
        "On November 26, 2026 you told us: “My parcel came broken”"]
