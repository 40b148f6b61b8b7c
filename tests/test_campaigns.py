"""Campaigns: one delivery per person, planned once, by the kind's rule, with countable progress."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import select

from bot.campaigns import Consenting, Planned, Progress, Roster, plan, progress
from bot.messages import Outbound
from bot.outbox import Dispatcher
from bot.sending import PermanentError
from ecoute.wiring import Ecoute
from storage.models import Campaign, Delivery, Respondent
from storage.vocabulary import DeliveryKind
from tests.conftest import Clock, Person, RecordingSender
from tests.test_privacy import every_value

NEWS = {"en": "We fixed the delays", "fr": "Nous avons réglé les retards"}


def news(language: str) -> Outbound:
    """Return the announcement in one language."""
    return Outbound(NEWS[language], language=language)


def someone(ecoute: Ecoute, name: str, *, consent: bool = True, stopped: bool = False,
            unreachable: bool = False) -> int:
    """Create a person who talked to the bot, in the given state; return their id."""
    Person(ecoute.engine, name, locale="en").says("hello")
    now = ecoute.engine.clock()
    with ecoute.db.transaction() as session:
        person = session.scalars(select(Respondent).where(Respondent.external_id == name)).one()
        person.consent_at = now if consent else None
        person.opted_out_at = now if stopped else None
        if unreachable:
            person.unreachable_at, person.unreachable_reason = now, "blocked"
        return person.id


def run(ecoute: Ecoute, clock: Clock, audience: Roster | Consenting, key: str = "news-1",
        kind: DeliveryKind = DeliveryKind.ANNOUNCEMENT) -> Planned:
    """Plan the campaign ``key`` of ``kind`` to ``audience`` with the news."""
    return plan(ecoute.db, key, kind, audience, news, now=clock())


def test_a_campaign_plans_one_delivery_per_person_and_planning_again_plans_nothing(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    ana = someone(ecoute, "ana")
    roster = Roster("test", {"ana": "fr-FR", "bob": "fr-CA", "cleo": None})

    assert run(ecoute, clock, roster, kind=DeliveryKind.PULSE) == Planned(3)
    assert run(ecoute, clock, roster, kind=DeliveryKind.PULSE) == Planned(0)  # a second worker
    with ecoute.db.transaction() as session:
        keys = session.scalars(select(Delivery.idempotency_key).order_by(Delivery.id)).all()
        people = dict(session.execute(select(Respondent.external_id, Respondent.id)).all())
        assert session.scalar(select(Respondent.language).where(
            Respondent.external_id == "bob")) == "fr", "a newcomer takes the platform's hint"
    assert keys == [f"campaign:news-1:{people[name]}" for name in ("ana", "bob", "cleo")]
    assert people["ana"] == ana

    assert dispatcher.run_once().sent == 3
    assert sorted(sender.sent) == [("ana", NEWS["en"]), ("bob", NEWS["fr"]), ("cleo", NEWS["en"])]
    assert progress(ecoute.db, "news-1") == Progress(planned=3, sent=3)


def test_who_said_stop_cannot_be_reached_or_did_not_consent_is_skipped_with_the_reason(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    for name, state in {"ana": {}, "bob": {"consent": False}, "eve": {"stopped": True},
                        "zed": {"unreachable": True}}.items():
        someone(ecoute, name, **state)  # type: ignore[arg-type]
    roster = Roster("test", dict.fromkeys(["ana", "bob", "eve", "zed"]))

    planned = run(ecoute, clock, roster)
    assert planned == Planned(1, {"no consent": 1, "opted out": 1, "unreachable": 1})
    assert progress(ecoute.db, "news-1") == Progress(
        planned=4, pending=1, skipped={"no consent": 1, "opted out": 1, "unreachable": 1})
    assert dispatcher.run_once().sent == 1
    assert sender.sent == [("ana", NEWS["en"])]


def test_a_pulse_needs_no_consent_but_stop_still_blocks_it(
        ecoute: Ecoute, clock: Clock) -> None:
    someone(ecoute, "bob", consent=False)
    someone(ecoute, "eve", stopped=True)
    planned = run(ecoute, clock, Roster("test", dict.fromkeys(["bob", "eve"])),
                  kind=DeliveryKind.PULSE)
    assert planned == Planned(1, {"opted out": 1})


def test_the_rules_apply_again_when_sending_and_progress_counts_every_outcome(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    for name in ("ana", "bob", "eve", "max"):
        someone(ecoute, name)
    assert run(ecoute, clock, Roster("test", dict.fromkeys(["ana", "bob", "eve", "max"]))
               ) == Planned(4)
    Person(ecoute.engine, "eve").says("stop")  # after planning: her delivery is cancelled
    with ecoute.db.transaction() as session:  # consent withdrawn after planning
        session.scalars(select(Respondent).where(Respondent.external_id == "max")
                        ).one().consent_at = None
    sender.failures.append(PermanentError("bot was blocked by the user"))

    report = dispatcher.run_once()
    assert (report.sent, report.failed, report.skipped) == (1, 1, 1)
    assert progress(ecoute.db, "news-1") == Progress(
        planned=4, sent=1, failed={"bot was blocked by the user": 1},
        skipped={"no consent": 1, "opted out": 1})


def test_a_newcomer_who_said_stop_before_being_forgotten_is_skipped(
        ecoute: Ecoute, clock: Clock) -> None:
    leo = Person(ecoute.engine, "leo-99")
    leo.says("stop")
    leo.says("forget")
    leo.taps("forget:yes")
    planned = run(ecoute, clock, Roster("test", {"leo-99": "en"}), kind=DeliveryKind.PULSE)
    assert planned == Planned(0, {"opted out": 1})


def test_a_roster_vets_only_the_people_it_does_not_know_yet(
        ecoute: Ecoute, clock: Clock) -> None:
    someone(ecoute, "ana")
    asked: list[list[str]] = []

    def vet(newcomers: Sequence[str]) -> dict[str, str | None]:
        asked.append(list(newcomers))
        return {"bob": "fr-FR"}  # "bot-1" is a bot: left out

    roster = Roster("test", dict.fromkeys(["ana", "bob", "bot-1"]), internal=True, vet=vet)
    assert run(ecoute, clock, roster, kind=DeliveryKind.PULSE) == Planned(2)
    assert asked == [["bob", "bot-1"]]
    with ecoute.db.transaction() as session:
        bob = session.scalars(select(Respondent).where(Respondent.external_id == "bob")).one()
        assert (bob.language, bob.internal) == ("fr", True)
        assert session.scalar(select(Respondent).where(Respondent.external_id == "bot-1")) is None


def test_an_announcement_goes_to_everyone_on_the_channel_who_consented(
        ecoute: Ecoute, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender) -> None:
    someone(ecoute, "ana")
    someone(ecoute, "bob", consent=False)
    someone(ecoute, "eve", stopped=True)
    Person(ecoute.engine, "ana", channel="web").says("hello")  # another channel
    assert run(ecoute, clock, Consenting("test")) == Planned(1, {"opted out": 1})
    dispatcher.run_once()
    assert sender.sent == [("ana", NEWS["en"])]
    with ecoute.db.transaction() as session:
        assert session.execute(select(Campaign.key, Campaign.kind, Campaign.channel)).all() == [
            ("news-1", "announcement", "test")]


def test_a_key_names_one_campaign_for_good(ecoute: Ecoute, clock: Clock) -> None:
    run(ecoute, clock, Roster("test", {"ana": None}), kind=DeliveryKind.PULSE)
    with pytest.raises(ValueError, match="pulse campaign"):
        run(ecoute, clock, Roster("test", {"ana": None}), kind=DeliveryKind.ANNOUNCEMENT)
    assert progress(ecoute.db, "no-such-campaign") is None


def test_forget_leaves_a_campaign_that_names_nobody(ecoute: Ecoute, clock: Clock) -> None:
    zoe = Person(ecoute.engine, "zoe-4711")
    zoe.says("hello")
    run(ecoute, clock, Roster("test", {"zoe-4711": None}), kind=DeliveryKind.PULSE)
    zoe.says("forget")
    zoe.taps("forget:yes")
    assert "zoe-4711" not in " ".join(every_value(ecoute.db))
    assert progress(ecoute.db, "news-1") == Progress(), "her delivery went with her"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_workers_planning_the_same_campaign_at_once_plan_it_once(
        ecoute: Ecoute, clock: Clock) -> None:
    assert ecoute.db.is_postgres
    roster = Roster("test", {f"U{n}": None for n in range(50)})
    results: list[Planned] = []
    lock = threading.Lock()

    def work() -> None:
        done = run(ecoute, clock, roster, kind=DeliveryKind.PULSE)
        with lock:
            results.append(done)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and sum(r.planned for r in results) == 50
    assert progress(ecoute.db, "news-1") == Progress(planned=50, pending=50)
