"""`ecoute demo`: a newcomer's store gets weeks of sample answers, and loses exactly them again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from bot import dashboard, demo
from ecoute.wiring import Ecoute
from storage import daily
from storage.db import Database
from storage.models import (
    Answer,
    Conversation,
    Delivery,
    Respondent,
    SampleConversation,
    SampleRespondent,
)
from tests.conftest import Clock, Person
from tests.test_cli import ecoute as run_ecoute


def snapshot(db: Database) -> dict[str, list[tuple[str, ...]]]:
    """Return every row of every table, as text, sorted."""
    with db.engine.connect() as conn:
        return {table: sorted(tuple(str(v) for v in row)
                              for row in conn.execute(text(f'SELECT * FROM "{table}"')))
                for table in inspect(conn).get_table_names()}


@pytest.fixture
def planted(ecoute: Ecoute, clock: Clock) -> demo.DemoCounts:
    """Return what ``ecoute demo`` added to the test store."""
    return demo.plant(ecoute.engine, now=clock())


def test_it_fills_a_few_hundred_answers_over_weeks_channels_and_shops(
        ecoute: Ecoute, planted: demo.DemoCounts, clock: Clock) -> None:
    with ecoute.db.transaction() as session:
        answers = session.scalar(select(func.count()).select_from(Answer))
        channels = set(session.scalars(select(Conversation.channel).distinct()))
        shops = set(session.scalars(select(Conversation.context).where(
            Conversation.context.is_not(None)).distinct()))
        first = session.scalar(select(func.min(Conversation.started_at)))
        comments = session.execute(select(Conversation.language, Answer.text).join(
            Answer, Answer.conversation_id == Conversation.id).where(
            Answer.text.is_not(None))).all()
        anonymous = session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.respondent_id.is_(None)))
    assert planted.added and planted.answers == answers and 200 <= answers <= 600
    assert channels == {"web", "telegram", "console", "slack"}
    assert len(shops) == 6
    assert clock() - first > timedelta(weeks=6)
    assert {language for language, _ in comments} >= {"fr", "en"}
    assert any(" mais " in comment for language, comment in comments if language == "fr")
    assert anonymous > 0, "Slack's anonymous form too"


def test_everything_it_made_is_listed_as_sample_data(ecoute: Ecoute,
                                                     planted: demo.DemoCounts) -> None:
    with ecoute.db.transaction() as session:
        conversations = set(session.scalars(select(Conversation.id)))
        people = set(session.scalars(select(Respondent.id)))
        listed = set(session.scalars(select(SampleConversation.conversation_id)))
        listed_people = set(session.scalars(select(SampleRespondent.respondent_id)))
        external = set(session.scalars(select(Respondent.external_id)))
    assert conversations == listed and len(listed) == planted.conversations
    assert people == listed_people
    assert all(person.startswith("sample:") for person in external)


def test_it_sends_nothing_and_asks_no_consent(ecoute: Ecoute, planted: demo.DemoCounts) -> None:
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
        assert session.scalar(select(func.count()).select_from(Respondent).where(
            Respondent.consent_at.is_not(None) | Respondent.pending.is_not(None))) == 0


def test_running_it_again_adds_nothing(ecoute: Ecoute, planted: demo.DemoCounts,
                                       clock: Clock) -> None:
    before = snapshot(ecoute.db)
    again = demo.plant(ecoute.engine, now=clock() + timedelta(days=1))
    assert not again.added
    assert (again.conversations, again.answers) == (planted.conversations, planted.answers)
    assert snapshot(ecoute.db) == before


def test_remove_leaves_the_store_as_it_was(ecoute: Ecoute, clock: Clock) -> None:
    ecoute.engine.register_surveys()  # the installation's own rows, made on first start
    visitor = Person(ecoute.engine, "someone-real", channel="web", locale="fr")
    visitor.says("aide")  # a real person who has not answered anything yet
    before = snapshot(ecoute.db)

    demo.plant(ecoute.engine, now=clock())
    assert snapshot(ecoute.db) != before
    removed = demo.remove(ecoute.db)

    assert removed.answers > 200
    assert snapshot(ecoute.db) == before


def test_it_refuses_a_store_with_real_answers(ecoute: Ecoute, ana: Person,
                                              clock: Clock) -> None:
    ana.says("start nps")
    ana.says("9")
    before = snapshot(ecoute.db)
    with pytest.raises(demo.DemoRefused, match="already holds real answers"):
        demo.plant(ecoute.engine, now=clock())
    assert snapshot(ecoute.db) == before


def test_the_command_adds_once_refuses_real_answers_and_removes(db: Database) -> None:
    added = run_ecoute("demo", url=db.url)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("sample data added: 270 conversations")
    assert "ecoute demo --remove" in added.stdout
    again = run_ecoute("demo", url=db.url)
    assert again.stdout.startswith("sample data already there: 270 conversations")

    removed = run_ecoute("demo", "--remove", url=db.url)
    assert removed.returncode == 0 and removed.stdout.startswith("sample data removed: 270")
    stats = json.loads(run_ecoute("stats", url=db.url).stdout)
    assert stats["nps"]["responses"] == stats["csat"]["responses"] == 0

    chat = run_ecoute("chat", "--survey", "nps", "--as", "ana", url=db.url, stdin="9\nok\n")
    assert chat.returncode == 0, chat.stderr
    refused = run_ecoute("demo", url=db.url)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("ecoute: error: the store already holds real answers")
    assert refused.stderr.count("\n") == 1


def test_remove_takes_the_sample_out_of_the_dashboards_counts(ecoute: Ecoute,
                                                                clock: Clock) -> None:
    demo.plant(ecoute.engine, now=clock())
    clock.advance(days=2)
    with ecoute.db.transaction() as session:
        dashboard.roll(session, clock())  # the sample's days are in the daily counts
        assert daily.stored(session) != {}
    demo.remove(ecoute.db)
    with ecoute.db.transaction() as session:
        assert daily.stored(session) == daily.recount(session) == {}
