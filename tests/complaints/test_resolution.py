"""The resolution's question: yes closes (then the handling CSAT), no reopens, silence closes."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import complaint_desk, complaint_resolution, webhooks
from bot.complaint_policy import ComplaintPolicy
from bot.context import EngineSettings
from bot.messages import Outbound
from bot.outbox import Dispatcher
from channels.console import ConsoleChannel
from channels.text_fallbacks import numbered, resolve_typed
from ecoute.config import ConfigError, Settings
from ecoute.wiring import Ecoute
from storage.db import Database
from storage.models import Complaint, ComplaintEvent, Delivery
from storage.vocabulary import ComplaintStatus as S
from tests.complaints.conftest import complaints, events
from tests.complaints.test_intake import file_billing_complaint
from tests.complaints.test_notices import notices, staff_moves
from tests.complaints.test_references import intake
from tests.conftest import Clock, Person, RecordingSender

ASKED = ("Your complaint R-2026-0001 is now resolved.\nWe refunded the second charge.\n"
         "Does this settle your complaint?")
WEEK = timedelta(days=7)
COUNT = 24  # complaints two workers close at once, five at a time


def resolved(ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, clock: Clock) -> None:
    """File Ana's complaint; staff resolve it with a visible note; the question reaches her."""
    file_billing_complaint(ana)
    clock.advance(hours=2)
    staff_moves(ecoute, S.RESOLVED, "We refunded the second charge.")
    assert dispatcher.run_once().sent == 1


def subscribed(ecoute: Ecoute, clock: Clock) -> None:
    """Subscribe a webhook to complaint updates."""
    webhooks.create(ecoute.db, "http://127.0.0.1:9/hook", ["complaint.updated"], actor="cli",
                    allow_private=True, now=clock())


def updates(ecoute: Ecoute) -> list[dict[str, object]]:
    """Return the data of the planned ``complaint.updated`` events."""
    with ecoute.db.transaction() as session:
        return [d.payload["data"] for d in session.scalars(
            select(Delivery).where(Delivery.kind == "webhook").order_by(Delivery.id))
            if d.payload["type"] == "complaint.updated"]


def alerts(ecoute: Ecoute) -> list[Delivery]:
    """Return the planned staff alerts."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == "alert")))


def test_yes_closes_it_confirmed_then_asks_one_handling_question(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, sender: RecordingSender,
        clock: Clock) -> None:
    subscribed(ecoute, clock)
    resolved(ana, ecoute, dispatcher, clock)
    assert sender.sent == [("ana", ASKED)]
    assert complaints(ecoute)[0].resolution_asked_at == clock()
    turn = ana.taps("complaint:R-2026-0001:yes", ref="complaint:R-2026-0001")
    closed, rating = turn.messages
    assert closed.text == "Thank you! Your complaint R-2026-0001 is closed."
    assert [c.label for c in rating.choices] == ["1", "2", "3", "4", "5"]
    ana.taps("complaint:R-2026-0001:score:4")
    assert ana.last is not None and ana.last.messages[-1].text == "Thank you for your rating!"
    [complaint] = complaints(ecoute)
    assert (complaint.status, complaint.closure, complaint.handling_score) == (
        "closed", "confirmed", 4)
    assert [(e.actor, e.status_to) for e in events(ecoute, complaint.id)][-1] == (
        "respondent", "closed")
    assert [u["change"] for u in updates(ecoute)] == [
        {"status": "closed", "closure": "confirmed"}, {"handling_score": 4}]
    assert complaint.description not in str(updates(ecoute))


def test_a_second_tap_changes_nothing(ana: Person, ecoute: Ecoute, dispatcher: Dispatcher,
                                      clock: Clock) -> None:
    resolved(ana, ecoute, dispatcher, clock)
    ana.taps("complaint:R-2026-0001:yes", ref="complaint:R-2026-0001")
    ana.taps("complaint:R-2026-0001:score:5")
    assert ana.taps("complaint:R-2026-0001:no").messages[-1].text == (
        "That question has already been answered.")
    assert ana.taps("complaint:R-2026-0001:score:1").messages[-1].text == (
        "That question has already been answered.")
    [complaint] = complaints(ecoute)
    assert (complaint.status, complaint.handling_score) == ("closed", 5)


def test_typed_yes_and_a_typed_score_count_too(ana: Person, ecoute: Ecoute,
                                               dispatcher: Dispatcher, clock: Clock) -> None:
    resolved(ana, ecoute, dispatcher, clock)
    assert ana.says("Yes!").messages[0].text == "Thank you! Your complaint R-2026-0001 is closed."
    ana.says("3")
    assert complaints(ecoute)[0].handling_score == 3


def test_no_reopens_it_one_level_up_and_alerts_the_assignee_and_managers(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, clock: Clock) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings, alert_targets=(("test", "room"),))
    subscribed(ecoute, clock)
    resolved(ana, ecoute, dispatcher, clock)
    before = complaints(ecoute)[0].priority
    reply = ana.says("non").messages[-1].text
    assert reply == ("We are sorry it is not settled. Your complaint R-2026-0001 is reopened "
                     "and the person handling it has been told.")
    [complaint] = complaints(ecoute)
    assert (before, complaint.status, complaint.priority) == ("critical", "reopened", "critical")
    [alert] = alerts(ecoute)
    assert alert.payload["text"] == "Complaint R-2026-0001 was reopened by the complainant."
    assert complaint.description not in str(alert.payload)
    assert updates(ecoute)[-1]["change"] == {"status": "reopened"}


def test_a_reopened_low_complaint_goes_up_to_medium(ana: Person, ecoute: Ecoute,
                                                    dispatcher: Dispatcher) -> None:
    ana.says("complaint")
    ana.taps("other")
    ana.says("The form lost my answers")
    ana.taps("answer:skip")
    ana.taps("minor")
    ana.taps("yes")
    staff_moves(ecoute, S.RESOLVED, "Fixed the form")
    dispatcher.run_once()
    ana.taps("complaint:R-2026-0001:no", ref="complaint:R-2026-0001")
    assert complaints(ecoute)[0].priority == "medium"


def test_someone_elses_reference_is_no_complaint(ana: Person, ecoute: Ecoute,
                                                 dispatcher: Dispatcher, clock: Clock) -> None:
    resolved(ana, ecoute, dispatcher, clock)
    bruno = Person(ecoute.engine, "bruno", locale="en")
    assert bruno.taps("complaint:R-2026-0001:yes", ref=None).messages[-1].text == (
        "There is no complaint with the reference R-2026-0001.")
    assert bruno.says("yes").messages[-1].text != "Thank you! Your complaint R-2026-0001 is closed."
    assert complaints(ecoute)[0].status == "resolved"


def test_no_answer_in_time_closes_it_unconfirmed_once(
        ana: Person, ecoute: Ecoute, dispatcher: Dispatcher, clock: Clock) -> None:
    subscribed(ecoute, clock)
    resolved(ana, ecoute, dispatcher, clock)
    settings = ecoute.engine.settings
    clock.advance(days=6, hours=23)
    assert complaint_resolution.close_unanswered(ecoute.db, settings, now=clock(),
                                                 window=WEEK) == 0
    clock.advance(hours=1)
    assert complaint_resolution.close_unanswered(ecoute.db, settings, now=clock(),
                                                 window=WEEK) == 1
    assert complaint_resolution.close_unanswered(ecoute.db, settings, now=clock(),
                                                 window=WEEK) == 0
    [complaint] = complaints(ecoute)
    assert (complaint.status, complaint.closure, complaint.closed_at) == (
        "closed", "unconfirmed", clock())
    assert events(ecoute, complaint.id)[-1].actor == "system"
    assert updates(ecoute)[-1]["change"] == {"status": "closed", "closure": "unconfirmed"}
    assert ana.says("yes").messages[-1].text != "Thank you! Your complaint R-2026-0001 is closed."


def test_a_resolution_nobody_could_be_asked_about_closes_from_its_resolution(
        ana: Person, ecoute: Ecoute, clock: Clock) -> None:
    ana.says("complaint")
    ana.taps("billing")
    ana.says("I was charged twice")
    ana.says("skip")
    ana.taps("annoying")
    ana.taps("no")  # no contact: the question cannot be asked
    staff_moves(ecoute, S.RESOLVED, "Refunded")
    clock.advance(days=7)
    assert complaint_resolution.close_unanswered(ecoute.db, ecoute.engine.settings,
                                                 now=clock(), window=WEEK) == 1


def test_the_worker_job_reads_the_configured_window(ana: Person, ecoute: Ecoute,
                                                    dispatcher: Dispatcher,
                                                    clock: Clock) -> None:
    ecoute.settings = replace(ecoute.settings, complaint_confirm_days=2)
    [job] = [j for j in ecoute.jobs() if j.id == "complaint_followups"]
    resolved(ana, ecoute, dispatcher, clock)
    clock.advance(days=2)
    job.func(*job.args)
    [complaint] = complaints(ecoute)
    assert (complaint.status, complaint.closure) == ("closed", "unconfirmed")
    assert events(ecoute, complaint.id)[-2].sent_at is not None, "the job marks notices sent"


def test_two_workers_close_each_unanswered_complaint_once(db: Database, clock: Clock) -> None:
    now = clock()
    with db.transaction() as session:
        for _ in range(COUNT):
            filed = complaint_desk.file(session, ComplaintPolicy(), intake(), now=now, actor="t")
            complaint_desk.move(session, filed.reference, S.RESOLVED, actor="staff:3", now=now)
    later = now + WEEK
    workers = [Database(db.url) for _ in range(2)]
    start = threading.Barrier(len(workers))
    closed: list[int] = []

    def work(database: Database) -> None:
        start.wait()
        closed.append(complaint_resolution.close_unanswered(
            database, EngineSettings(), now=later, window=WEEK, batch=5))

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in workers:
        database.dispose()
    assert sum(closed) == COUNT
    with db.transaction() as session:
        closings = session.scalars(select(ComplaintEvent.complaint_id)
                                   .where(ComplaintEvent.status_to == "closed")).all()
        closures = set(session.scalars(select(Complaint.closure)))
    assert sorted(closings) == sorted(set(closings)) and len(closings) == COUNT
    assert closures == {"unconfirmed"}


def test_the_window_comes_from_the_environment() -> None:
    assert Settings.from_env({}).complaint_confirm_days == 7
    assert Settings.from_env({"ECOUTE_COMPLAINT_CONFIRM_DAYS": "14"}).complaint_confirm_days == 14
    for wrong in ("0", "2.5", "a week"):
        with pytest.raises(ConfigError, match="ECOUTE_COMPLAINT_CONFIRM_DAYS must be a whole"):
            Settings.from_env({"ECOUTE_COMPLAINT_CONFIRM_DAYS": wrong})


def test_in_a_terminal_the_question_is_numbered_and_a_typed_number_answers(
        ecoute: Ecoute, dispatcher: Dispatcher, clock: Clock) -> None:
    lines = io.StringIO("3\nThe invoice lists a plan I never ordered\nskip\n1\nyes\n")
    ConsoleChannel(ecoute.engine, person="ana", stdin=lines, stdout=io.StringIO(),
                   language="en").run("complaint")
    staff_moves(ecoute, S.RESOLVED, "The plan is removed.")
    [notice] = notices(ecoute)
    asked = Outbound.from_dict(notice.payload)
    assert numbered(asked).endswith("\n  1. Yes, it is settled\n  2. No, it is not settled")
    assert resolve_typed(asked, "1").choice_id == "complaint:R-2026-0001:yes"

    out = io.StringIO()  # later, in the terminal again (it shows the menu): "yes", then a score
    ConsoleChannel(ecoute.engine, person="ana", stdin=io.StringIO("yes\n5\n"), stdout=out,
                   language="en").run()
    assert "Thank you! Your complaint R-2026-0001 is closed.\n" in out.getvalue()
    assert "handled? (1 = not at all, 5 = very satisfied)\n  [1 · 2 · 3 · 4 · 5]" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Thank you for your rating!")
    assert complaints(ecoute)[0].handling_score == 5
