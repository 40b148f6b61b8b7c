"""Triggered surveys in the core: the contact cap over linked identities, retries, the reply.

An outside system's request becomes :func:`bot.invitations.invite`; the outbox's
dispatcher sends the first question; the person's tap or reply goes through the
engine like any message.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bot.invitations import Outcome, Request, idempotency, invite
from bot.outbox import Dispatcher
from ecoute.config import ConfigError, Settings
from ecoute.wiring import Ecoute
from storage import invitations as store
from storage.models import Conversation, Delivery, Invitation, Respondent
from storage.vocabulary import InvitationSkip
from tests.conftest import Clock, Person, RecordingSender
from tests.test_cli import ecoute as run_ecoute

WEEK = timedelta(days=7)


def known(ecoute: Ecoute, name: str, *, channel: str = "test", consent: bool | None = True,
          locale: str = "en") -> Person:
    """Return someone who answered a survey and then agreed (or not, or never said)."""
    person = Person(ecoute.engine, name, channel=channel, locale=locale)
    person.says("start csat")
    person.says("5")
    person.says("skip")  # the optional comment; then the consent question
    if consent is not None:
        person.says("yes" if consent else "no")
    return person


def ask(ecoute: Ecoute, clock: Clock, external_id: str, *, channel: str = "test",
        survey: str = "csat", context: str | None = None, customer_ref: str | None = None,
        key: str | None = None, cap: timedelta = WEEK) -> Outcome:
    """Ask for an invitation as the REST API does."""
    request = Request(survey, channel, external_id, context, customer_ref,
                      idempotency("token:1", key) if key else None)
    return invite(ecoute.db, ecoute.catalog, request, now=clock(), cap=cap)


def count(ecoute: Ecoute, model: type) -> int:
    """Return how many rows a table holds."""
    with ecoute.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]


def test_the_first_question_goes_out_and_a_tap_continues_the_survey_with_the_context(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    ana = known(ecoute, "ana")
    planned = ask(ecoute, clock, "ana", context="delivery-981")
    assert planned.invitation is not None and planned.skipped is None
    assert dispatcher.run_once().sent == 1
    address, shown = sender.sent[-1]
    assert address == "ana"
    assert shown.startswith("A quick question from us: How did we do?\n"
                            "How satisfied are you with the service you received?")
    assert shown.endswith("(Reply “stop” and we will not write to you again.)")

    turn = ana.taps("2", ref=f"invite:{planned.invitation}")
    assert [m.text for m in turn.messages] == ["What should we improve?"]
    ana.says("a courier who rings the bell")
    with ecoute.db.transaction() as session:
        conversation = session.scalars(select(Conversation).where(
            Conversation.context == "delivery-981")).one()  # a complaint offer follows it
        assert (conversation.context, conversation.status, conversation.values) == (
            "delivery-981", "completed", {"rating": 2, "improve": "a courier who rings the bell"})
        invitation = session.scalars(select(Invitation)).one()
        assert invitation.conversation_id == conversation.id
    again = ana.taps("5", ref=f"invite:{planned.invitation}")
    assert [m.text for m in again.messages] == ["That question has already been answered."]


def test_a_typed_reply_to_a_fresh_invitation_answers_its_first_question(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher) -> None:
    bruno = known(ecoute, "bruno", locale="fr")
    ask(ecoute, clock, "bruno", context="visit-12")
    dispatcher.run_once()
    clock.advance(hours=2)
    turn = bruno.says("4")
    assert [m.text for m in turn.messages] == [
        "Ravis de l'entendre ! Souhaitez-vous ajouter quelque chose ?"]
    with ecoute.db.transaction() as session:
        assert session.scalars(select(Conversation.context).where(
            Conversation.status == "active")).one() == "visit-12"


def test_a_typed_reply_after_the_idle_timeout_is_no_answer_to_the_invitation(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher) -> None:
    chloe = known(ecoute, "chloe")
    ask(ecoute, clock, "chloe")
    dispatcher.run_once()
    clock.advance(hours=25)
    assert chloe.says("4").messages[-1].kind == "menu"


def test_the_invitation_is_in_the_persons_language(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    known(ecoute, "dora", locale="fr")
    ask(ecoute, clock, "dora")
    dispatcher.run_once()
    assert sender.sent[-1][1].startswith(
        "Une petite question de notre part : Comment nous sommes-nous débrouillés ?\n")
    assert sender.sent[-1][1].endswith("(Répondez « stop » et nous ne vous écrirons plus.)")


@pytest.mark.parametrize("situation, reason", [
    ("never talked to us", InvitationSkip.UNKNOWN_PERSON),
    ("declined", InvitationSkip.NO_CONSENT),
    ("was never asked", InvitationSkip.NO_CONSENT),
    ("said stop", InvitationSkip.STOPPED),
    ("blocked the bot", InvitationSkip.UNREACHABLE),
    ("was invited yesterday", InvitationSkip.CAPPED),
])
def test_each_skip_has_its_reason_and_sends_nothing(
        situation: str, reason: InvitationSkip, ecoute: Ecoute, clock: Clock,
        dispatcher: Dispatcher, sender: RecordingSender) -> None:
    if situation != "never talked to us":
        consent = {"declined": False, "was never asked": None}.get(situation, True)
        eve = known(ecoute, "eve", consent=consent)
    if situation == "said stop":
        eve.says("stop")
    if situation == "blocked the bot":
        with ecoute.db.transaction() as session:
            session.scalars(select(Respondent)).one().unreachable_at = clock()
    if situation == "was invited yesterday":
        assert ask(ecoute, clock, "eve").invitation is not None
        dispatcher.run_once()
        clock.advance(days=1)
    sent_before = len(sender.sent)
    assert ask(ecoute, clock, "eve") == Outcome(skipped=reason)
    dispatcher.run_once()
    assert len(sender.sent) == sent_before


def test_the_cap_counts_every_identity_linked_by_customer_ref(
        ecoute: Ecoute, clock: Clock) -> None:
    known(ecoute, "ana-on-test")
    known(ecoute, "ana-on-web", channel="web")
    known(ecoute, "bob", channel="web")
    assert ask(ecoute, clock, "ana-on-test", customer_ref="C-7").invitation
    assert ask(ecoute, clock, "bob", channel="web", customer_ref="C-8").invitation
    clock.advance(days=3)
    assert ask(ecoute, clock, "ana-on-web", channel="web", customer_ref="C-7") == Outcome(
        skipped=InvitationSkip.CAPPED)
    assert ask(ecoute, clock, "ana-on-web", channel="web") == Outcome(
        skipped=InvitationSkip.CAPPED), "the stored customer_ref links her without repeating it"
    clock.advance(days=4)
    assert ask(ecoute, clock, "ana-on-web", channel="web").invitation, "a week later, again"
    with ecoute.db.transaction() as session:
        refs = {row.external_id: row.customer_ref for row in session.execute(
            select(Respondent.external_id, Respondent.customer_ref))}
    assert refs == {"ana-on-test": "C-7", "ana-on-web": "C-7", "bob": "C-8"}


def test_the_cap_window_is_the_configured_number_of_days(ecoute: Ecoute, clock: Clock) -> None:
    known(ecoute, "ana")
    assert ask(ecoute, clock, "ana", cap=timedelta(days=2)).invitation
    clock.advance(days=1, hours=23)
    assert ask(ecoute, clock, "ana", cap=timedelta(days=2)).skipped is InvitationSkip.CAPPED
    clock.advance(hours=1)
    assert ask(ecoute, clock, "ana", cap=timedelta(days=2)).invitation


def test_a_retry_with_the_same_key_gets_the_first_answer_and_plans_nothing_twice(
        ecoute: Ecoute, clock: Clock) -> None:
    known(ecoute, "ana")
    first = ask(ecoute, clock, "ana", key="order-981-delivered")
    assert first.invitation is not None
    assert ask(ecoute, clock, "ana", key="order-981-delivered") == first
    assert count(ecoute, Delivery) == 1 and count(ecoute, Invitation) == 1
    known(ecoute, "bob", consent=False)
    refused = ask(ecoute, clock, "bob", key="order-982-delivered")
    with ecoute.db.transaction() as session:
        bob = session.scalars(select(Respondent).where(Respondent.external_id == "bob")).one()
        bob.consent_at = clock()  # he agrees later on
    assert ask(ecoute, clock, "bob", key="order-982-delivered") == refused == Outcome(
        skipped=InvitationSkip.NO_CONSENT)
    assert ask(ecoute, clock, "bob", key="order-983-delivered").invitation


def test_an_unknown_survey_is_refused(ecoute: Ecoute, clock: Clock) -> None:
    known(ecoute, "ana")
    with pytest.raises(LookupError):
        ask(ecoute, clock, "ana", survey="nope")
    assert count(ecoute, Delivery) == 0


def test_stop_cancels_an_invitation_not_yet_sent(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    ana = known(ecoute, "ana")
    assert ask(ecoute, clock, "ana").invitation
    ana.says("stop")
    dispatcher.run_once()
    assert [text for _, text in sender.sent if "quick question" in text] == []


def two_people_sharing_a_ref(ecoute: Ecoute, clock: Clock, ref: str) -> None:
    """Make two consenting people linked by ``ref`` (as an earlier request would have)."""
    for name in (f"{ref}-a", f"{ref}-b"):
        known(ecoute, name)
        with ecoute.db.transaction() as session:
            person = store.find_person(session, "test", name)
            assert person is not None
            store.link_customer(session, person.respondent_id, ref)


def test_two_requests_for_one_group_at_the_same_moment_plan_one(
        ecoute: Ecoute, clock: Clock) -> None:
    for round_ in range(5):
        ref = f"R{round_}"
        two_people_sharing_a_ref(ecoute, clock, ref)
        start = threading.Barrier(2)
        outcomes: list[Outcome] = []
        threads = [threading.Thread(target=_at_once, args=(start, outcomes, ecoute, clock,
                                                           f"{ref}-{side}")) for side in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(o.skipped is None for o in outcomes) == [False, True], outcomes


def _at_once(start: threading.Barrier, outcomes: list[Outcome], ecoute: Ecoute, clock: Clock,
             name: str) -> None:
    """Ask for an invitation the moment the other thread does too."""
    start.wait()
    outcomes.append(ask(ecoute, clock, name))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_planning_waits_for_the_row_lock_of_a_concurrent_one_then_sees_it(
        ecoute: Ecoute, clock: Clock) -> None:
    """One worker is mid-way through planning for the group (rows locked, invitation added,
    not committed); a second worker's request for the other person waits on the lock, then
    counts the first invitation."""
    assert ecoute.db.is_postgres
    two_people_sharing_a_ref(ecoute, clock, "C-1")
    outcomes: list[Outcome] = []
    second = threading.Thread(target=lambda: outcomes.append(ask(ecoute, clock, "C-1-b")))
    with ecoute.db.engine.connect() as first, first.begin():
        person = store.find_person(first, "test", "C-1-a")
        assert person is not None
        assert len(store.lock_group(first, person.respondent_id)) == 2
        campaign = first.execute(text(
            "INSERT INTO campaign (key, kind, channel, created_at) "
            "VALUES ('invitation:first', 'invitation', 'test', now()) RETURNING id")).scalar()
        store.add_invitation(first, public_id="first", respondent_id=person.respondent_id,
                             campaign_id=campaign, survey="csat", context=None, now=clock())
        second.start()
        _wait_until_a_backend_waits_on_a_lock(ecoute)
    second.join()
    assert outcomes == [Outcome(skipped=InvitationSkip.CAPPED)]


def _wait_until_a_backend_waits_on_a_lock(ecoute: Ecoute) -> None:
    """Return once another connection is blocked on a row lock (fail after 10 s)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                 "AND datname = current_database()")
    with ecoute.db.engine.connect() as watcher:
        for _ in range(1000):
            if watcher.execute(query).scalar():
                return
            watcher.execute(text("SELECT pg_sleep(0.01)"))
    raise AssertionError("the second planning never waited for the lock")


def test_settings_read_the_cap_from_the_environment() -> None:
    assert Settings.from_env({}).invitation_days == 7
    assert Settings.from_env({"ECOUTE_INVITATION_DAYS": "30"}).invitation_days == 30
    for wrong in ("0", "-1", "1.5", "week", "99999"):
        with pytest.raises(ConfigError, match="ECOUTE_INVITATION_DAYS must be a whole number"):
            Settings.from_env({"ECOUTE_INVITATION_DAYS": wrong})



def test_a_bad_cap_stops_the_command_line_with_one_line(sqlite_url: str) -> None:
    done = run_ecoute("surveys", "list", url=sqlite_url, ECOUTE_INVITATION_DAYS="a week")
    assert done.returncode == 1
    assert done.stderr.strip() == ("ecoute: error: ECOUTE_INVITATION_DAYS must be a whole "
                                   "number of days from 1 to 3660, not 'a week'")
