"""Stop and forget: the person's choice is honoured and nothing of them is left behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import inspect, select, text

from bot import demo, webhooks
from bot.invitations import Request, invite
from bot.messages import Identity, Kind, Outbound
from bot.outbox import enqueue
from channels.webhooks import WebhookSettings
from ecoute.config import Settings
from ecoute.logs import QUIET
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.models import Answer, Delivery, Invitation, Respondent, SampleRespondent
from tests.conftest import Clock, Person
from tests.webhook_receiver import Receiver, receiver  # noqa: F401  # the fixture


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


def test_forget_takes_the_person_out_of_the_dashboards_daily_counts(
        ecoute: Ecoute, clock: Clock) -> None:
    from bot import dashboard

    zoe = Person(ecoute.engine, "zoe-4711", locale="en")
    zoe.says("start nps", context="zoe-only-shop-4711")  # a context only she ever used
    zoe.says("3")
    clock.advance(days=2)
    with ecoute.db.transaction() as session:
        dashboard.roll(session, clock())  # her day is rolled up into the daily counts
    assert "zoe-only-shop-4711" in every_value(ecoute.db)
    zoe.says("forget")
    zoe.says("yes")
    assert "zoe-only-shop-4711" not in every_value(ecoute.db)


def test_forget_reaches_sample_data_too(ecoute: Ecoute, clock: Clock) -> None:
    demo.plant(ecoute.engine, now=clock())
    with ecoute.db.transaction() as session:
        person_id, external_id = session.execute(
            select(Respondent.id, Respondent.external_id)
            .join(SampleRespondent, SampleRespondent.respondent_id == Respondent.id)
            .where(Respondent.channel == "web").limit(1)).one()
    assert str(person_id) in _sample_people(ecoute.db)
    person = Person(ecoute.engine, external_id, channel="web", locale="en")
    person.says("forget")
    person.taps("forget:yes")
    assert external_id not in every_value(ecoute.db)
    assert str(person_id) not in _sample_people(ecoute.db)


def _sample_people(db: Database) -> list[str]:
    """Return the respondent ids listed as sample data."""
    with db.engine.connect() as conn:
        return [str(v) for v in conn.execute(text("SELECT respondent_id FROM sample_respondent"))
                .scalars()]


def test_forget_erases_a_triggered_surveys_customer_ref_and_context(
        ecoute: Ecoute, clock: Clock) -> None:
    zoe = Person(ecoute.engine, "zoe-4711", locale="en")
    zoe.says("start csat")
    zoe.says("5")
    zoe.says("skip")
    zoe.taps("consent:yes")
    planned = invite(ecoute.db, ecoute.catalog,
                     Request("csat", "test", "zoe-4711", context="order-55821-Martin",
                             customer_ref="CUST-99311"), now=clock(), cap=timedelta(days=7))
    assert planned.invitation is not None
    zoe.taps("2", ref=f"invite:{planned.invitation}")
    assert "order-55821-Martin" in " ".join(every_value(ecoute.db))

    zoe.says("forget")
    zoe.taps("forget:yes")
    left = " ".join(every_value(ecoute.db))
    for trace in ("zoe-4711", "CUST-99311", "order-55821-Martin", planned.invitation):
        assert trace not in left
    with ecoute.db.transaction() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_forget_takes_back_webhook_events_not_sent_and_blanks_the_sent_ones(
        settings: Settings, db: Database, clock: Clock, receiver: Receiver) -> None:  # noqa: F811
    app = build(replace(settings, webhooks=WebhookSettings(allow_private=True)), database=db,
                clock=clock)
    webhooks.create(app.db, receiver.url, webhooks.EVENTS, actor="cli", allow_private=True,
                    now=clock())
    zoe = Person(app.engine, "zoe-5150", locale="en")
    for survey, score, words in (("nps", "3", "the parcel was crushed by Quentin"),
                                 ("csat", "1", "Quentin again, from Marseille")):
        zoe.says(f"start {survey}")
        zoe.says(score)
        zoe.says(words)
        if survey == "nps":
            assert app.dispatcher().run_once().sent == 2  # completed and detractor: sent
    zoe.says("forget")
    zoe.taps("forget:yes")
    assert app.dispatcher().run_once().sent == 0, "the csat events, unsent, are gone"
    assert len(receiver.received) == 2
    left = " ".join(every_value(app.db))
    for trace in ("zoe-5150", "Quentin", "Marseille", "crushed"):
        assert trace not in left
    with app.db.transaction() as session:
        kept = session.execute(select(Delivery.status, Delivery.payload)).all()
    assert kept == [("sent", {}), ("sent", {})]
    app.senders["webhook"].close()  # type: ignore[attr-defined]


def test_webhook_secrets_urls_and_answers_never_reach_the_logs(
        settings: Settings, db: Database, clock: Clock, receiver: Receiver,  # noqa: F811
        caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("DEBUG")
    for chatty in QUIET:  # as every process keeps them (ecoute.logs.quiet): they log URLs
        caplog.set_level("WARNING", logger=chatty)
    app = build(replace(settings, webhooks=WebhookSettings(allow_private=True)), database=db,
                clock=clock)
    secret, _ = webhooks.create(app.db, receiver.url + "?key=s3cr3t-path-token",
                                webhooks.EVENTS, actor="cli", allow_private=True, now=clock())
    receiver.answer(500, 404)
    ana = Person(app.engine, "ana-7070", locale="en")
    ana.says("start nps")
    ana.says("2")
    ana.says("secret complaint about Mr Dupont")
    app.dispatcher().run_once()
    assert len(receiver.received) == 2
    for private in (secret, "s3cr3t-path-token", "/hooks/ecoute", "Dupont", "ana-7070"):
        assert private not in caplog.text
    app.senders["webhook"].close()  # type: ignore[attr-defined]


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


def test_forget_erases_a_persons_answers_to_calls_and_their_contact_detail(
        ecoute: Ecoute, clock: Clock) -> None:
    from bot import calls
    from tests.test_calls import customer, draft

    zoe = customer(ecoute, "zoe-4711", panel=True)
    call_id = calls.open_call(ecoute.db, draft(clock), actor="staff:1", now=clock()).call_id
    zoe.taps("in", ref=f"call:{call_id}")
    zoe.says("zoe.martin@example.org")
    zoe.says("forget")
    zoe.taps("forget:yes")
    left = " ".join(every_value(ecoute.db))
    assert "zoe-4711" not in left and "zoe.martin@example.org" not in left


def test_forget_reaches_ideas_the_person_signed_or_supported(ecoute: Ecoute, clock: Clock) -> None:
    from bot import ideas
    from storage.models import Idea, IdeaSupport

    zoe = Identity("test", "zoe-4711")
    signed = ideas.submit(ecoute.engine, ideas.NewIdea("test", "Zoé Martin wants SMS", None, zoe))
    other = ideas.submit(ecoute.engine, ideas.NewIdea("test", "Open on Saturdays"))
    assert signed.idea_id and other.idea_id and ideas.support(ecoute.engine, zoe, other.idea_id)
    person = Person(ecoute.engine, "zoe-4711")
    person.says("forget")
    person.taps("forget:yes")

    left = " ".join(every_value(ecoute.db))
    assert "zoe-4711" not in left and "Zoé Martin" not in left
    with ecoute.db.transaction() as session:
        assert session.scalars(select(IdeaSupport)).all() == []
        assert session.scalar(select(Idea.author_id).where(Idea.id == signed.idea_id)) is None
