"""Filing a complaint in the dialogue: asked for, offered after a low score or for free text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import Answer
from tests.complaints.conftest import complaints, events
from tests.conftest import Clock, Person

FILED_EN = ("Your complaint is registered under the reference R-2026-0001. We will get back to "
            "you by Thursday 26 November 2026, 11:00 (UTC). To follow it, type "
            "“status R-2026-0001”.")


def file_billing_complaint(person: Person, description: str = "I was charged twice") -> str:
    """Ask for a complaint and answer every question; return the last reply's text."""
    person.says("complaint")
    person.taps("billing")
    person.says(description)
    person.says("ORD-7781")
    person.taps("annoying")
    return person.taps("yes").messages[-1].text


def test_asking_for_a_complaint_files_it_with_a_reference_and_a_date(
        ana: Person, ecoute: Ecoute, clock: Clock) -> None:
    first = ana.says("complaint").messages[-1]
    assert first.text == ("What is your complaint about?\n"
        "A complaint is filed under your name, never anonymously.")
    assert [c.label for c in first.choices] == [
        "Delivery", "Product quality", "Billing", "Service", "Something else"]
    ana.taps("billing")
    assert ana.says("I was charged twice").messages[-1].text.startswith(
        "Do you have an order or contract number?")
    ana.says("ORD-7781")
    assert ana.taps("annoying").messages[-1].text == (
        "May we contact you here about this complaint?"), "no photo on a channel without"
    assert ana.taps("yes").messages[-1].text == FILED_EN

    [filed] = complaints(ecoute)
    assert (filed.reference, filed.category, filed.description, filed.own_reference) == (
        "R-2026-0001", "billing", "I was charged twice", "ORD-7781")
    # billing is of high importance; annoying x high = critical: 2 and 16 business hours
    assert (filed.urgency, filed.importance, filed.priority) == ("annoying", "high", "critical")
    assert filed.status == "received" and filed.contact_consent is True
    assert filed.acknowledge_due_at == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    assert filed.resolve_due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    [received] = events(ecoute, filed.id)
    assert (received.actor, received.status_from, received.status_to, received.at) == (
        "respondent", None, "received", clock())


def test_a_french_speaker_files_a_reclamation_in_french(ecoute: Ecoute) -> None:
    marie = Person(ecoute.engine, "marie", locale="fr")
    assert marie.says("réclamation").messages[-1].text == (
        "Sur quoi porte votre réclamation ?\n"
        "Une réclamation est enregistrée à votre nom, jamais anonymement.")
    marie.taps("delivery")
    marie.says("Colis jamais arrivé")
    marie.taps("answer:skip")
    assert marie.taps("blocking").messages[-1].text == (
        "Pouvons-nous vous contacter ici au sujet de cette réclamation ?")
    assert marie.says("non").messages[-1].text == (
        "Votre réclamation est enregistrée sous la référence R-2026-0001. Nous reviendrons "
        "vers vous au plus tard le jeudi 26 novembre 2026, 11:00 (UTC). Pour la suivre, "
        "écrivez « suivi R-2026-0001 ».")
    assert marie.says("suivi r-2026-0001").messages[-1].text == (
        "Réclamation R-2026-0001 : reçue. Prochaine étape au plus tard le "
        "jeudi 26 novembre 2026, 11:00 (UTC).")
    [filed] = complaints(ecoute)
    assert (filed.language, filed.own_reference, filed.contact_consent) == ("fr", None, False)


def test_status_answers_the_filer_and_nobody_else(ana: Person, ecoute: Ecoute) -> None:
    bob = Person(ecoute.engine, "bob", locale="en")
    before = bob.says("status R-2026-0001").messages  # no such complaint yet
    file_billing_complaint(ana)

    assert ana.says("status R-2026-0001").messages[-1].text == (
        "Complaint R-2026-0001: received. Next step by Thursday 26 November 2026, 11:00 (UTC).")
    after = bob.says("status R-2026-0001").messages  # Ana's complaint now exists
    assert [m.to_dict() for m in after] == [m.to_dict() for m in before], "byte-identical"
    assert after[-1].text == "There is no complaint with the reference R-2026-0001."
    assert ana.says("status").messages[-1].text == (
        "Please give the reference of your complaint, such as “status R-2026-0042”.")


def test_a_low_score_is_offered_as_a_complaint_prefilled_with_the_comment(
        ecoute: Ecoute) -> None:
    zoe = Person(ecoute.engine, "zoe", locale="en")
    zoe.says("start nps")
    zoe.says("3")
    zoe.says("the courier left my parcel in the rain")
    replies = zoe.taps("consent:yes").messages
    assert replies[0].text == "Thank you! We will tell you what changes."
    assert replies[-1].text.startswith("Would you like us to handle this as a complaint?\n"
                                       "A complaint is not anonymous")
    assert zoe.taps("yes").messages[-1].text.startswith("What is your complaint about?")
    assert zoe.taps("delivery").messages[-1].text.startswith(
        "Do you have an order or contract number?"), "the description was pre-filled"
    zoe.taps("answer:skip")
    zoe.taps("minor")
    zoe.taps("yes")
    [filed] = complaints(ecoute)
    assert filed.description == "the courier left my parcel in the rain"


def test_once_consent_was_asked_the_offer_follows_the_thanks(ana: Person,
                                                           ecoute: Ecoute) -> None:
    ana.says("start csat")
    ana.says("5")
    ana.says("skip")
    ana.taps("consent:no")
    ana.says("start csat")
    ana.says("1")
    replies = ana.says("nobody answered the phone for a week").messages
    assert [m.text.split("\n")[0] for m in replies] == [
        "Thank you, your answer has been recorded.",
        "Would you like us to handle this as a complaint?"]


def test_a_declined_offer_files_nothing_and_keeps_nothing(ana: Person, ecoute: Ecoute) -> None:
    reply = ana.says("My order arrived broken and nobody answers my emails").messages[-1]
    assert reply.text.startswith("Would you like us to handle this as a complaint?")
    assert ana.taps("no").messages[-1].text == (
        "All right, nothing was filed. Thank you for telling us.")
    assert complaints(ecoute) == []
    with ecoute.db.transaction() as session:
        assert session.scalars(select(Answer.text)).all() == []


def test_free_text_that_reads_as_a_complaint_is_filed_once_confirmed(
        ana: Person, ecoute: Ecoute) -> None:
    ana.says("My order arrived broken and nobody answers my emails")
    ana.says("yes")
    ana.taps("product_quality")
    ana.taps("answer:skip")
    ana.taps("blocking")
    assert ana.taps("yes").messages[-1].text.startswith(
        "Your complaint is registered under the reference R-2026-0001.")
    [filed] = complaints(ecoute)
    assert filed.description == "My order arrived broken and nobody answers my emails"
    assert filed.priority == "critical"


def test_bad_answers_are_asked_again_and_nothing_is_filed_before_the_end(
        ana: Person, ecoute: Ecoute) -> None:
    ana.says("complaint")
    assert ana.says("teleportation").messages[-1].text.startswith(
        "Please pick one of the options (1 to 5).")
    ana.taps("service")
    assert ana.says("   ").messages[-1].text.startswith("Please type your answer.")
    assert ana.says("x" * 20_000).messages[-1].text.startswith(
        "Please keep it under 4000 characters.")
    assert complaints(ecoute) == []
    assert ana.says("The help desk hung up on me").messages[-1].text.startswith(
        "Do you have an order or contract number?")


def test_a_replayed_last_answer_files_one_complaint(ana: Person, ecoute: Ecoute) -> None:
    ana.says("complaint")
    ana.taps("delivery")
    ana.says("Late again")
    ana.taps("answer:skip")
    ana.taps("minor")
    ref = ana.last.messages[-1].ref if ana.last else None
    first = ana.send(choice_id="yes", ref=ref, event_id="platform-event-77")
    again = ana.send(choice_id="yes", ref=ref, event_id="platform-event-77")
    assert again.duplicate and again.messages == first.messages
    assert [c.reference for c in complaints(ecoute)] == ["R-2026-0001"]


def test_asking_again_in_the_middle_asks_the_current_question_again(ana: Person) -> None:
    ana.says("complaint")
    ana.taps("delivery")
    assert ana.says("complaint").messages[-1].text == "Please describe what happened."


def test_the_survey_menu_does_not_list_the_complaint_dialogue(ana: Person) -> None:
    menu = ana.says("start").messages[-1]
    assert "survey:complaint" not in {c.id for c in menu.choices}
    assert ana.says("start complaint").messages[-1].text.startswith(
        "What is your complaint about?")
