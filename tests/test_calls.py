"""Calls for participants: who is invited, places first come first served, the waiting list,
contact details passed only with consent, and the standing panel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot import calls
from bot.calls import Audience, CallError, Draft
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute, build
from storage import calls as store
from storage.filters import Band
from storage.models import Respondent
from storage.vocabulary import CallStatus, ParticipationStatus
from tests.conftest import Clock, Person, RecordingSender

P = ParticipationStatus


def customer(ecoute: Ecoute, name: str, *, score: str = "5", consent: bool = True,
             panel: bool = False, locale: str = "en") -> Person:
    """Return someone who rated the service and answered the consent question (and the panel's)."""
    person = Person(ecoute.engine, name, locale=locale)
    person.says("start csat")
    person.says(score)
    person.says("skip")
    person.says("yes" if consent else "no")
    if consent and panel:
        assert person.last is not None and person.last.messages[-1].ref == "panel"
        person.taps("panel:yes")
    return person


def draft(clock: Clock, *, places: int = 3, audience: Audience | None = None) -> Draft:
    """Return a product test for promoters of the last 90 days."""
    return Draft(
        title={"en": "Try our new app", "fr": "Essayez notre nouvelle appli"},
        description={"en": "One hour, in our shop.", "fr": "Une heure, en boutique."},
        kind="product_test", location="Lyon, 12 rue de la Ré", places=places,
        happens_at=clock() + timedelta(days=20), closes_at=clock() + timedelta(days=10),
        audience=audience or Audience(band=Band.PROMOTER))


def open_call(ecoute: Ecoute, clock: Clock, **options: object) -> int:
    """Open a call and return its id."""
    return calls.open_call(ecoute.db, draft(clock, **options), actor="staff:1",  # type: ignore[arg-type]
                           now=clock()).call_id


def answers(ecoute: Ecoute, call_id: int) -> dict[str, P]:
    """Return each person's answer to a call, by platform id."""
    with ecoute.db.reading() as connection:
        return {p.external_id: p.status for p in store.participants(connection, call_id)}


def test_invitations_go_to_consenting_promoters_only_and_respect_stop(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    customer(ecoute, "ana")
    customer(ecoute, "bob", consent=False)
    customer(ecoute, "cleo").says("stop")
    customer(ecoute, "dan", score="1")  # a detractor: not in this audience
    opened = calls.open_call(ecoute.db, draft(clock), actor="staff:1", now=clock())
    assert opened.planned.planned == 1
    assert dict(opened.planned.skipped) == {"no consent": 1, "opted out": 1}
    assert dispatcher.run_once().sent == 1
    address, shown = sender.sent[-1]
    assert address == "ana"
    assert shown.startswith("You are invited to a product test: Try our new app\n"
                            "One hour, in our shop.\nWhere: Lyon, 12 rue de la Ré. When: ")
    again = calls.invite(ecoute.db, opened.call_id, now=clock())
    assert again.planned == 0, "nobody is invited twice"


def test_each_person_is_invited_in_their_language_unknown_ones_in_the_default(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    customer(ecoute, "ana")
    customer(ecoute, "lea", locale="fr")
    customer(ecoute, "max")
    with ecoute.db.transaction() as session:  # a language Écoute does not speak (yet)
        session.execute(update(Respondent).where(Respondent.external_id == "max")
                        .values(language="de"))
    opened = calls.open_call(ecoute.db, draft(clock), actor="staff:1", now=clock())
    assert opened.planned.planned == 3
    assert dispatcher.run_once().sent == 3
    shown = {address: text.split("\n")[0] for address, text in sender.sent}
    english = "You are invited to a product test: Try our new app"
    french = "Vous êtes invité·e à un test de produit : Essayez notre nouvelle appli"
    assert shown == {"ana": english, "lea": french, "max": english}


def test_im_in_takes_a_place_and_the_contact_is_passed_only_with_consent(
        ecoute: Ecoute, clock: Clock) -> None:
    ana, eve = customer(ecoute, "ana"), customer(ecoute, "eve")
    call_id = open_call(ecoute, clock)
    ref = f"call:{call_id}"
    placed = ana.taps("in", ref=ref).messages[-1]
    assert placed.text.startswith("You have a place. Thank you!")
    assert ana.says("not an address").messages[-1].text.startswith("That does not look like")
    assert ana.says("ana@example.org").messages[-1].text == \
        "Thank you! The organiser will contact you."
    eve.taps("in", ref=ref)
    eve.says("no")
    with ecoute.db.reading() as connection:
        shown = {p.external_id: p.contact for p in store.participants(connection, call_id)}
    assert shown == {"ana": "ana@example.org", "eve": None}
    twice = ana.taps("out", ref=ref).messages[-1].text
    assert twice == "You have already answered this call: you have a place."


def test_an_employee_is_asked_to_pass_their_profile_and_a_customer_to_type_a_contact(
        ecoute: Ecoute, clock: Clock) -> None:
    ada, bea, cid = customer(ecoute, "ada"), customer(ecoute, "bea"), customer(ecoute, "cid")
    with ecoute.db.transaction() as session:  # employees, as Slack makes them
        session.execute(update(Respondent).where(Respondent.external_id.in_(["ada", "bea"]))
                        .values(internal=True))
    call_id = open_call(ecoute, clock)
    ref = f"call:{call_id}"
    asked = ada.taps("in", ref=ref).messages[-1]
    assert asked.text.endswith("May we pass your profile to the organiser so they can "
                               "contact you?")
    assert [c.id for c in asked.choices] == ["share", "noshare"]
    assert ada.taps("share").messages[-1].text == "Thank you! The organiser will contact you."
    bea.taps("in", ref=ref)
    bea.taps("noshare")
    cid.taps("in", ref=ref)
    typed = cid.says("test:ada").messages[-1].text  # a customer types, and only a contact
    assert typed.startswith("That does not look like an e-mail address or a phone number.")
    with ecoute.db.reading() as connection:
        shown = {p.external_id: p.contact for p in store.participants(connection, call_id)}
    assert shown == {"ada": "test:ada", "bea": None, "cid": None}


def test_a_full_call_offers_the_waiting_list_kindly(ecoute: Ecoute, clock: Clock) -> None:
    ana, bob, cleo = (customer(ecoute, n) for n in ("ana", "bob", "cleo"))
    call_id = open_call(ecoute, clock, places=1)
    ref = f"call:{call_id}"
    ana.taps("in", ref=ref)
    full = bob.taps("in", ref=ref).messages[-1]
    assert full.text.startswith("Thank you! All the places are taken already, sorry.")
    assert [c.id for c in full.choices] == ["wait", "out"]
    assert bob.taps("wait").messages[-1].text.startswith("You are on the waiting list.")
    cleo.taps("in", ref=ref)
    cleo.taps("out")
    assert answers(ecoute, call_id) == {"ana": P.CONFIRMED, "bob": P.WAITING, "cleo": P.DECLINED}


def test_a_closed_call_takes_no_more_answers(ecoute: Ecoute, clock: Clock) -> None:
    ana = customer(ecoute, "ana")
    call_id = open_call(ecoute, clock)
    assert calls.close(ecoute.db, call_id, actor="staff:1", now=clock())
    again = calls.close(ecoute.db, call_id, actor="staff:1", now=clock())
    assert not again, "closing twice changes nothing"
    said = ana.taps("in", ref=f"call:{call_id}").messages[-1].text
    assert said == "This call for participants is closed. Thank you all the same!"
    assert answers(ecoute, call_id) == {}


def test_the_standing_panel_is_an_audience_and_anyone_can_leave_it(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    customer(ecoute, "ana", score="3", panel=True)  # not a promoter, but in the panel
    lea = customer(ecoute, "lea", score="3", panel=True, locale="fr")
    customer(ecoute, "bob", score="3")
    assert lea.says("quitter le panel").messages[-1].text == \
        "Vous avez quitté le panel : plus d'invitations à des tests."
    panel = draft(clock, audience=Audience(panel=True))
    opened = calls.open_call(ecoute.db, panel, actor="staff:1", now=clock())
    assert opened.planned.planned == 1
    dispatcher.run_once()
    assert [address for address, _ in sender.sent] == ["ana"]


@pytest.mark.parametrize("change, message", [
    ({"places": 0}, "places must be from 1"),
    ({"kind": "party"}, "kind must be"),
    ({"title": {"de": "Hallo"}}, "title needs a text in French or English"),
    ({"location": " "}, "location must say where"),
])
def test_a_call_written_wrong_is_refused_saying_why(
        ecoute: Ecoute, clock: Clock, change: dict[str, object], message: str) -> None:
    from dataclasses import replace
    with pytest.raises(CallError, match=message):
        calls.open_call(ecoute.db, replace(draft(clock), **change), actor="staff:1",  # type: ignore[arg-type]
                        now=clock())
    with ecoute.db.reading() as connection:
        assert store.list_calls(connection) == []


def test_an_audience_must_be_chosen_and_well_formed() -> None:
    with pytest.raises(CallError, match="choose an audience"):
        Audience.from_json({"days": 30})
    with pytest.raises(CallError, match=r"unknown keys: age"):
        Audience.from_json({"age": 30})
    with pytest.raises(CallError, match=r"audience\.band"):
        Audience.from_json({"band": "fans"})
    assert Audience.from_json({"band": "promoter", "panel": True}).to_json() == {
        "days": 90, "band": "promoter", "panel": True, "past_participants": False}


@pytest.mark.postgres
def test_three_places_and_five_people_at_once_on_two_workers(
        settings, db, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    if db.url.startswith("sqlite"):
        pytest.skip("two workers at once: PostgreSQL")
    workers = [build(settings, database=db, clock=clock), build(settings, database=db, clock=clock)]
    people = [customer(workers[0], f"p{n}") for n in range(5)]
    call_id = open_call(workers[0], clock, places=3)
    for n, person in enumerate(people):
        person.engine = workers[n % 2].engine
    start = threading.Barrier(5)
    said: dict[str, str] = {}

    def tap(person: Person) -> None:
        start.wait()
        turn = person.taps("in", ref=f"call:{call_id}")
        said[person.identity.external_id] = turn.messages[-1].text

    threads = [threading.Thread(target=tap, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    full = [p for p in people if said[p.identity.external_id].startswith("Thank you! All the")]
    assert len(full) == 2
    for person in full:
        person.taps("wait")
    counted = list(answers(workers[0], call_id).values())
    assert sorted(counted) == sorted([P.CONFIRMED] * 3 + [P.WAITING] * 2)
    with db.reading() as connection:
        found = store.find_call(connection, call_id)
    assert found is not None and found.status is CallStatus.OPEN
    assert found.counts == {P.CONFIRMED: 3, P.WAITING: 2}


def test_dates_are_shown_in_the_persons_language() -> None:
    moment = datetime(2026, 12, 14, 15, 30, tzinfo=UTC)
    assert calls.when(moment, "fr") == "lundi 14 décembre 2026, 15:30 UTC"
