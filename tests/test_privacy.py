"""Stop and forget: the person's choice is honoured and nothing of them is left behind."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from bot.messages import Kind, Outbound
from bot.outbox import enqueue
from ecoute.wiring import Ecoute
from storage.db import Database
from storage.models import Answer, Delivery, Respondent
from tests.conftest import Clock, Person


def every_value(db: Database) -> list[str]:
    """Return every non-null value of every table, as text."""
    values: list[str] = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                values.extend(str(v) for v in row if v is not None)
    return values


def test_forget_erases_the_person_after_confirmation(ecoute: Ecoute, clock: Clock) -> None:
    zoe = Person(ecoute.engine, "zoe-4711", locale="en")
    zoe.says("start nps")
    zoe.says("3")
    zoe.says("my order 12345 arrived broken")
    zoe.taps("consent:yes")
    zoe.says("start csat")
    zoe.says("1")
    zoe.says("the courier was rude to Zoé Martin")
    enqueue(ecoute.db, key="k1", kind="announcement", channel="test",
            message=Outbound("we fixed it"), respondent_id=1, now=clock())

    confirm = zoe.says("forget").messages[-1]
    assert confirm.kind is Kind.CONFIRMATION
    assert [c.id for c in confirm.choices] == ["forget:yes", "forget:no"]
    bye = zoe.taps("forget:yes").messages[-1]
    assert bye.text == "Everything we knew about you has been erased. Goodbye!"

    left = " ".join(every_value(ecoute.db))
    for trace in ("zoe-4711", "12345", "Zoé Martin", "rude", "broken", "we fixed it"):
        assert trace not in left
    with ecoute.db.transaction() as session:
        assert session.scalars(select(Respondent)).all() == []
        scores = session.execute(select(Answer.question_type, Answer.number)).all()
        assert sorted(scores) == [("csat", 1), ("nps", 3)], "anonymous counts stay for statistics"


def test_forget_does_nothing_without_confirmation(ana: Person, ecoute: Ecoute) -> None:
    ana.says("start nps")
    ana.says("8")
    ana.says("forget")
    assert ana.says("no").messages[-1].text == "Nothing was erased."
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.external_id)) == "ana"


def test_stop_is_recorded_and_cancels_pending_messages(ana: Person, ecoute: Ecoute,
                                                       clock: Clock) -> None:
    ana.says("start nps")
    enqueue(ecoute.db, key="pulse-1", kind="pulse", channel="test",
            message=Outbound("how are we doing?"), respondent_id=1, now=clock())
    reply = ana.says("stop").messages[-1]
    assert reply.text.startswith("Done: you will not receive any more messages from us.")
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) == clock()
        assert session.scalar(select(Delivery.status)) == "cancelled"


def test_starting_again_after_stop_opts_back_in(ana: Person, ecoute: Ecoute) -> None:
    ana.says("stop")
    back = ana.says("start")
    assert back.messages[0].text == "Welcome back! You will hear from us again."
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) is None


def test_free_text_answers_never_reach_the_logs(ana: Person, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("DEBUG")
    ana.says("start nps")
    ana.says("2")
    ana.says("secret complaint about Mr Dupont")
    assert "Dupont" not in caplog.text


def test_stop_outlives_forget(ecoute: Ecoute) -> None:
    leo = Person(ecoute.engine, "leo-99")
    leo.says("stop")
    leo.says("forget")
    leo.taps("forget:yes")
    assert "leo-99" not in " ".join(every_value(ecoute.db))

    Person(ecoute.engine, "leo-99").says("start nps")  # he answers a survey again...
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) is not None, "...still opted out"

    back = Person(ecoute.engine, "leo-99").says("start")
    assert back.messages[0].text == "Welcome back! You will hear from us again."
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) is None


def test_opening_a_survey_after_stop_does_not_opt_back_in(ana: Person, ecoute: Ecoute) -> None:
    ana.says("stop")
    ana.says("start csat")
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) is not None


def test_forget_anonymises_complaints_keeping_the_workflow_record(ecoute: Ecoute,
                                                                  clock: Clock) -> None:
    from bot import complaint_desk
    from storage.models import Complaint, ComplaintEvent
    from storage.vocabulary import ComplaintStatus

    zoe = Person(ecoute.engine, "zoe-4711", locale="en")
    zoe.says("complaint")
    zoe.taps("delivery")
    zoe.says("Quentin threw my parcel over the fence at 12 rue Verte")
    zoe.says("ORDER-998877")
    zoe.taps("blocking")
    zoe.taps("yes")
    with ecoute.db.transaction() as session:
        complaint_desk.move(session, "R-2026-0001", ComplaintStatus.ACKNOWLEDGED,
                            actor="staff:1", now=clock(), note="Called Zoé about rue Verte")
    zoe.says("forget")
    zoe.taps("forget:yes")

    left = " ".join(every_value(ecoute.db))
    for trace in ("zoe-4711", "Quentin", "rue Verte", "ORDER-998877", "Zoé"):
        assert trace not in left
    with ecoute.db.transaction() as session:
        kept = session.execute(select(Complaint.reference, Complaint.category,
                                      Complaint.priority, Complaint.status,
                                      Complaint.respondent_id)).one()
        assert tuple(kept) == ("R-2026-0001", "delivery", "critical", "acknowledged", None)
        assert session.scalars(select(ComplaintEvent.status_to)).all() == [
            "received", "acknowledged"], "the history stays, without its notes"
