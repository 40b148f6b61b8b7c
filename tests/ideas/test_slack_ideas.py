"""``/idea`` and App Home's ideas through Bolt against the Slack emulator: signed, anonymous, 👍."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.ideas import NewIdea, submit
from ecoute.wiring import Ecoute
from storage.models import Idea, IdeaSupport, InboundEvent, Respondent
from testkit.emulators.slack import SlackEmulator
from tests.conftest import Clock
from tests.ideas.conftest import Employee
from tests.test_privacy import every_value


def ideas_of(ecoute: Ecoute) -> list[Idea]:
    """Return every stored idea."""
    with ecoute.db.transaction() as session:
        found = list(session.scalars(select(Idea).order_by(Idea.created_at)))
        session.expunge_all()
    return found


def test_a_signed_idea_is_stored_under_the_employees_name_and_thanked_in_the_modal(
        ada: Employee, slack_ecoute: Ecoute, slack_api: SlackEmulator, clock: Clock) -> None:
    clock.advance(minutes=17, seconds=3)
    response = ada.idea("Clients want to track deliveries by SMS", "logistics")
    answer = response.get_json()
    assert answer["response_action"] == "update"
    assert "you will hear back" in json.dumps(answer["view"])
    [idea] = ideas_of(slack_ecoute)
    assert (idea.text, idea.service, idea.signed, idea.status) == (
        "Clients want to track deliveries by SMS", "logistics", True, "new")
    assert idea.id > 0 and idea.created_at == datetime(2026, 11, 26, 9, 17, 3, tzinfo=UTC)
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.external_id).where(
            Respondent.id == idea.author_id)) == "U1"
    assert slack_api.calls("chat.postMessage") == []  # nothing in the DM


def test_the_modal_offers_the_internal_services_in_the_persons_language(
        bea: Employee, slack_api: SlackEmulator) -> None:
    assert bea.slack.command("U2", "/idea").status_code == 200
    view = slack_api.wait_for("views.open")[-1].params["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert "Logistique" in text and "Envoyer anonymement" in text
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "idea_text", "idea_service", "ecoute_anonymous"]


def test_an_anonymous_idea_keeps_no_identity_and_no_ordering(
        ada: Employee, bea: Employee, slack_ecoute: Ecoute, slack_api: SlackEmulator,
        clock: Clock) -> None:
    slack_api.add_user("UZQX7", locale="fr-FR")
    zed = Employee(ada.slack, slack_api, "UZQX7")
    clock.advance(minutes=17, seconds=20)
    ada.idea("Offer invoices in English too", "finance")
    clock.advance(seconds=5)
    answer = zed.idea("Le SAV devrait rappeler sous 24 h", "it", anonymous=True).get_json()
    clock.advance(seconds=5)
    bea.idea("Un chat sur le site pour les devis", "it")

    assert "anonymement" in json.dumps(answer["view"], ensure_ascii=False)
    anonymous = [i for i in ideas_of(slack_ecoute) if not i.signed]
    named = sorted(i.id for i in ideas_of(slack_ecoute) if i.signed)
    assert len(anonymous) == 1 and named == [1, 2]  # no id skipped for the anonymous one
    [idea] = anonymous
    assert idea.id < 0 and idea.author_id is None
    assert idea.created_at == datetime(2026, 11, 26, 9, tzinfo=UTC)  # the hour only
    with slack_ecoute.db.transaction() as session:
        events = session.execute(select(InboundEvent.id, InboundEvent.respondent_id,
                                        InboundEvent.created_at)).all()
        people = set(session.scalars(select(Respondent.external_id)))
    assert people == {"U1", "U2"}  # the anonymous author was never stored
    [event] = [e for e in events if e.respondent_id is None]
    assert event.id < 0 and event.created_at == datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert "UZQX7" not in " ".join(every_value(slack_ecoute.db))
    assert slack_api.calls("chat.postMessage") == []


def test_slacks_retry_of_a_submission_stores_the_idea_once(
        ada: Employee, slack_ecoute: Ecoute) -> None:
    for anonymous in (False, True):
        first = ada.idea("Same idea", anonymous=anonymous, view_id=f"VSAME{anonymous}")
        again = ada.idea("Same idea", anonymous=anonymous, view_id=f"VSAME{anonymous}")
        assert first.status_code == again.status_code == 200
    assert sorted(i.signed for i in ideas_of(slack_ecoute)) == [False, True]


def test_an_empty_idea_or_an_unknown_service_is_answered_beside_its_field(
        ada: Employee, slack_ecoute: Ecoute) -> None:
    assert ada.idea("   ").get_json() == {
        "response_action": "errors", "errors": {"idea_text": "Please write your idea."}}
    forged = submit(slack_ecoute.engine, NewIdea("slack", "Fine", "canteen", language="fr"))
    assert forged.errors == {"service": "Choisissez un service dans la liste, s'il vous plaît."}
    assert ideas_of(slack_ecoute) == []


def test_app_home_lists_recent_ideas_and_a_second_thumbs_up_does_not_count_twice(
        ada: Employee, bea: Employee, slack_ecoute: Ecoute, clock: Clock) -> None:
    ada.idea("Clients want to track deliveries by SMS", "logistics")
    clock.advance(hours=1)
    bea.idea("Devis en ligne", "finance", anonymous=True)
    home = bea.home()
    text = json.dumps(home, ensure_ascii=False)
    assert "Clients want to track deliveries by SMS" in text and "Logistique" in text
    assert any(e.get("action_id") == "ecoute_open_idea"
               for b in home["blocks"] for e in b.get("elements") or [])
    sms = next(i.id for i in ideas_of(slack_ecoute) if i.signed)
    after = bea.support(home, sms)
    assert "👍 1 · vous le soutenez" in json.dumps(after, ensure_ascii=False)
    again = bea.support(after, sms)
    assert "👍 1 · vous le soutenez" in json.dumps(again, ensure_ascii=False)
    ada.support(ada.home(), sms)
    with slack_ecoute.db.transaction() as session:
        backers = session.execute(select(IdeaSupport.idea_id, IdeaSupport.respondent_id)).all()
    assert sorted(backers) == [(sms, 1), (sms, 2)]  # Béa once, Ada once


def test_the_idea_button_in_app_home_opens_the_modal(ada: Employee,
                                                     slack_api: SlackEmulator) -> None:
    home = ada.home()
    assert ada.slack.tap_view("U1", home, "ecoute_open_idea").status_code == 200
    view = slack_api.wait_for("views.open")[-1].params["view"]
    assert view["callback_id"] == "ecoute_idea"
