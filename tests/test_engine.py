"""The dialogue engine, as a person lives it: answers, re-asks, branching, languages, replays."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.engine import DialogueEngine
from bot.messages import Identity, Inbound, InputHint, Kind
from ecoute.wiring import Ecoute
from storage.models import Answer, Conversation, InboundEvent, Respondent
from tests.conftest import Clock, Person


def answers_of(ecoute: Ecoute) -> list[tuple[str, int | None, str | None, str | None]]:
    """Return every stored answer as (question, number, choice, text)."""
    with ecoute.db.transaction() as session:
        rows = session.execute(
            select(Answer.question_id, Answer.number, Answer.choice, Answer.text)
            .order_by(Answer.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_promoter_answers_nine_then_says_why(ana: Person, ecoute: Ecoute) -> None:
    first = ana.says("start nps")
    question = first.messages[-1]
    assert question.expects is InputHint.SCALE
    assert [c.id for c in question.choices] == [str(n) for n in range(11)]
    assert question.progress is not None and question.progress.total == 2

    why = ana.taps("9").messages[-1]
    assert why.text == "Wonderful! What do you like most about us?"
    assert why.expects is InputHint.TEXT

    done = ana.says("great service")
    assert done.messages[0].text == "Thank you for your feedback, it helps us improve."
    assert answers_of(ecoute) == [("score", 9, None, None), ("why_promoter", None, None,
                                                               "great service")]


def test_the_why_question_follows_the_score_band(engine: DialogueEngine) -> None:
    expected = {
        "3": "We're sorry to hear that. What disappointed you the most?",
        "7": "Thank you! What would it take for you to give us a 10?",
        "10": "Wonderful! What do you like most about us?",
    }
    for score, wording in expected.items():
        person = Person(engine, f"p{score}", locale="en")
        person.says("start nps")
        assert person.says(score).messages[-1].text == wording


def test_typed_and_tapped_scores_are_the_same_answer(engine: DialogueEngine,
                                                     ecoute: Ecoute) -> None:
    typed, tapped = Person(engine, "typed"), Person(engine, "tapped")
    for person in (typed, tapped):
        person.says("start csat")
    typed.says(" 4 ")
    tapped.taps("4")
    assert [a[:2] for a in answers_of(ecoute)] == [("rating", 4), ("rating", 4)]


@pytest.mark.parametrize("bad", ["11", "-1", "abc", "", "7.5"])
def test_invalid_scores_get_a_short_reask_with_the_range(
    bad: str, ana: Person, ecoute: Ecoute
) -> None:
    ana.says("start nps")
    reask = ana.says(bad).messages[-1]
    assert reask.kind is Kind.REASK
    assert reask.text.startswith("Please answer with a whole number from 0 to 10.")
    assert reask.choices, "the scale is offered again"
    assert answers_of(ecoute) == []


def test_after_three_invalid_tries_the_person_may_skip_or_stop(ana: Person) -> None:
    ana.says("start nps")
    ana.says("eleven")
    ana.says("twelve")
    offer = ana.says("thirteen").messages[-1]
    assert [c.id for c in offer.choices] == ["answer:skip", "answer:stop"]
    stopped = ana.taps("answer:stop").messages[-1]
    assert stopped.text == "All right, we stop here. Your answers so far are kept."
    assert ana.says("hello").messages[-1].kind is Kind.MENU


def test_skipping_moves_to_the_next_question(ana: Person, ecoute: Ecoute) -> None:
    ana.says("start nps")
    for word in ("x", "y", "z"):
        ana.says(word)
    thanks = ana.taps("answer:skip").messages[0]
    assert thanks.kind is Kind.ACKNOWLEDGEMENT
    assert answers_of(ecoute) == []


def test_a_french_speaker_is_asked_and_corrected_in_french(engine: DialogueEngine) -> None:
    marie = Person(engine, "marie", locale="fr-FR")
    question = marie.says("commencer nps").messages[-1]
    assert question.text.startswith("Quelle est la probabilité")
    assert question.language == "fr"
    reask = marie.says("onze").messages[-1]
    assert reask.text.startswith("Merci de répondre par un nombre entier de 0 à 10.")


def test_the_language_command_overrides_the_hint_and_is_remembered(ana: Person) -> None:
    ana.says("start nps")
    switched = ana.says("language fr")
    assert switched.messages[0].text == "Je vous parlerai en français désormais."
    assert switched.messages[-1].text.startswith("Quelle est la probabilité")
    assert ana.says("5").messages[-1].text.startswith("Nous en sommes désolés")


def test_tapping_a_language_choice_sets_it(ana: Person) -> None:
    offer = ana.says("langue").messages[-1]
    assert [c.id for c in offer.choices] == ["lang:en", "lang:fr"]
    assert ana.taps("lang:fr").messages[0].text == "Je vous parlerai en français désormais."


def test_free_text_with_no_survey_running_offers_the_surveys(ana: Person) -> None:
    reply = ana.says("what can you do for me?").messages[-1]
    assert reply.kind is Kind.MENU
    assert {c.id for c in reply.choices} == {"survey:nps", "survey:csat", "survey:ces"}
    assert ana.taps("survey:csat").messages[-1].text.startswith("How satisfied are you")


def test_help_lists_the_commands_and_resumes_the_current_question(ana: Person) -> None:
    ana.says("start nps")
    reply = ana.says("help")
    assert "forget" in reply.messages[0].text
    assert reply.messages[-1].text.startswith("How likely are you")


def test_a_replayed_event_has_no_second_effect(ana: Person, ecoute: Ecoute) -> None:
    ana.says("start nps")
    first = ana.send(event_id="update-42", text="8")
    again = ana.send(event_id="update-42", text="8")
    assert not first.duplicate and again.duplicate
    assert again.messages == first.messages
    assert answers_of(ecoute) == [("score", 8, None, None)]


def test_a_stale_tap_records_nothing(ana: Person, ecoute: Ecoute) -> None:
    score_question = ana.says("start nps").messages[-1]
    ana.taps("2")
    stale = ana.taps("9", ref=score_question.ref).messages[-1]
    assert stale.kind is Kind.NOTICE
    assert answers_of(ecoute) == [("score", 2, None, None)]


def test_branching_on_a_choice_and_an_optional_text(engine: DialogueEngine,
                                                     ecoute: Ecoute) -> None:
    bob = Person(engine, "bob")
    bob.says("start ces")
    obstacle = bob.says("2").messages[-1]
    assert obstacle.expects is InputHint.CHOICE
    details = bob.says("Waiting time").messages[-1]
    assert [c.id for c in details.choices] == ["answer:skip"]
    assert bob.says("skip").messages[0].kind is Kind.ACKNOWLEDGEMENT
    assert answers_of(ecoute) == [("effort", 2, None, None), ("obstacle", None, "waiting", None)]


def test_one_active_conversation_per_person(ana: Person, ecoute: Ecoute) -> None:
    ana.says("start nps")
    ana.says("start csat")
    ana.says("start again")
    with ecoute.db.transaction() as session:
        statuses = session.scalars(select(Conversation.status).order_by(Conversation.id)).all()
    assert statuses == ["abandoned", "abandoned", "active"]


def test_leaving_half_way_keeps_the_answers_and_resumes_until_expiry(
    ana: Person, ecoute: Ecoute, clock: Clock
) -> None:
    ana.says("start nps")
    ana.says("6")
    clock.advance(hours=3)
    assert ana.engine.resume(ana.identity).messages[-1].text.startswith("We're sorry")
    assert ana.says("too slow").messages[0].kind is Kind.ACKNOWLEDGEMENT

    ana.says("start nps")
    ana.says("10")
    clock.advance(hours=25)
    assert ecoute.engine.expire_idle() == 1
    assert ana.engine.resume(ana.identity).messages == ()
    assert ana.says("hello").messages[-1].kind is Kind.MENU
    with ecoute.db.transaction() as session:
        rows = session.execute(select(Conversation.status, func.count(Answer.id))
                               .join(Answer).group_by(Conversation.id, Conversation.status)
                               .order_by(Conversation.id)).all()
    assert [tuple(r) for r in rows] == [("completed", 2), ("abandoned", 1)]


def test_consent_is_asked_once_after_the_first_survey(ana: Person, ecoute: Ecoute) -> None:
    ana.says("start csat")
    end = ana.says("5")
    assert end.messages[-1].text.startswith("Glad to hear it")
    end = ana.says("skip")
    assert [c.id for c in end.messages[-1].choices] == ["consent:yes", "consent:no"]
    assert ana.taps("consent:yes").messages[0].text == "Thank you! We will tell you what changes."
    ana.says("start csat")
    ana.says("5")
    assert len(ana.says("skip").messages) == 1
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.consent_at)) is not None


def test_the_consent_question_takes_the_number_its_text_version_shows(
        ecoute: Ecoute, engine: DialogueEngine) -> None:
    said = {}
    for name, typed in (("ana", "1"), ("bob", "2")):  # "1. Yes, tell me" / "2. No" in Slack
        person = Person(engine, name, locale="en")
        person.says("start csat")
        person.says("5")
        person.says("skip")
        said[name] = person.says(typed).messages[0].text
    assert said == {"ana": "Thank you! We will tell you what changes.",
                    "bob": "Understood, we will not message you."}
    with ecoute.db.transaction() as session:
        agreed = dict(session.execute(select(Respondent.external_id, Respondent.consent_at)).all())
    assert agreed["ana"] is not None and agreed["bob"] is None


def test_every_message_of_every_person_is_recorded_once(engine: DialogueEngine,
                                                        ecoute: Ecoute) -> None:
    engine.handle(Inbound(Identity("test", "x"), event_id="e1", text="hello"))
    engine.handle(Inbound(Identity("test", "x"), event_id="e1", text="hello"))
    engine.handle(Inbound(Identity("other", "x"), event_id="e1", text="hello"))
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count(InboundEvent.id))) == 2
        assert session.scalar(select(func.count(Respondent.id))) == 2


def test_the_same_event_delivered_twice_at_once_has_one_effect(ana: Person,
                                                                ecoute: Ecoute) -> None:
    ana.says("start nps")
    inbound = Inbound(ana.identity, event_id="retry-storm", text="7")
    with ThreadPoolExecutor(max_workers=4) as pool:
        turns = list(pool.map(lambda _: ana.engine.handle(inbound), range(4)))
    assert sorted(t.duplicate for t in turns) == [False, True, True, True]
    assert {t.messages for t in turns} == {turns[0].messages}
    assert answers_of(ecoute) == [("score", 7, None, None)]
