"""The data generator writes what the product writes: stats, export and the engine work on it."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench import generate
from bench.synthetic import CONTEXTS
from bot import metrics
from bot.messages import Identity, Inbound
from bot.surveys import from_definition
from ecoute.output import write_export
from ecoute.wiring import Ecoute
from storage.db import Database
from storage.models import Answer, Conversation, Respondent, SurveyVersion
from tests.test_cli import ecoute as run_ecoute

ANSWERS = 3_000


@pytest.fixture
def generated(db: Database) -> Database:
    """Return a store filled with :data:`ANSWERS` generated answers."""
    generate.fill(db.url, ANSWERS, seed=7)
    return db


def test_it_writes_exactly_the_answers_asked_for_across_channels_surveys_and_shops(
        generated: Database) -> None:
    with generated.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == ANSWERS
        channels = set(session.scalars(select(Conversation.channel).distinct()))
        surveys = set(session.scalars(select(SurveyVersion.key).join(
            Conversation, Conversation.survey_version_id == SurveyVersion.id).distinct()))
        contexts = set(session.scalars(select(Conversation.context).distinct()))
        spread = session.execute(select(func.min(Conversation.started_at),
                                        func.max(Conversation.started_at))).one()
    assert channels == {"telegram", "slack", "web", "console"}
    assert surveys == {"nps", "csat", "ces", "internal"}
    assert contexts == {*CONTEXTS, None}, "customers in twenty shops; employees in none"
    assert spread[1] - spread[0] > timedelta(days=360)


def test_answers_fit_the_survey_version_that_asked_them(generated: Database) -> None:
    with generated.transaction() as session:
        definitions = {row.id: from_definition(row.definition, row.key)
                       for row in session.scalars(select(SurveyVersion))}
        pairs = session.execute(select(Answer.survey_version_id, Answer.question_id,
                                       Answer.question_type).distinct()).all()
    for version, question_id, question_type in pairs:
        assert definitions[version].question(question_id).type == question_type


def test_comments_are_french_and_english_like_their_people(generated: Database) -> None:
    with generated.transaction() as session:
        comments = session.execute(
            select(Conversation.language, Answer.text)
            .join(Conversation, Conversation.id == Answer.conversation_id)
            .where(Answer.text.is_not(None), Conversation.respondent_id.is_not(None))).all()
        conversations = session.scalar(select(func.count()).select_from(Conversation))
    assert 0.25 < len(comments) / conversations < 0.45, "about a third comment"
    french = [text for language, text in comments if language == "fr"]
    english = [text for language, text in comments if language == "en"]
    assert french and english and len(french) + len(english) == len(comments)
    assert any(" mais " in text for text in french) and any(" but " in text for text in english)
    assert not any(" the " in f" {text.lower()} " for text in french)


def test_anonymous_answers_are_linked_to_nobody_and_ordered_with_nothing(
        generated: Database) -> None:
    with generated.transaction() as session:
        anonymous = session.scalars(select(Conversation).where(
            Conversation.respondent_id.is_(None))).all()
        their_answers = session.scalars(select(Answer).where(Answer.conversation_id.in_(
            [c.id for c in anonymous]))).all()
        named_ids = session.scalars(select(Conversation.id).where(
            Conversation.respondent_id.is_not(None))).all()
    assert anonymous and all(c.id < 0 for c in anonymous) and all(i > 0 for i in named_ids)
    assert {c.channel for c in anonymous} == {"slack"}
    assert {c.language for c in anonymous} == {""}
    assert all(c.started_at.minute == c.started_at.second == 0 for c in anonymous)
    assert all(a.id < 0 and a.created_at.minute == 0 for a in their_answers)


def test_stats_and_the_export_read_them(generated: Database) -> None:
    with generated.transaction() as session:
        summary = metrics.summary(session)
        scores = dict(session.execute(select(Answer.question_type, func.count()).where(
            Answer.number.is_not(None)).group_by(Answer.question_type)).all())
        named = session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.respondent_id.is_not(None)))
        out = io.StringIO()
        exported = write_export(session, out, "jsonl", None)
    assert summary.nps.responses == scores["nps"] and summary.ces.responses == scores["ces"]
    assert summary.csat.responses == scores["csat"], "customers' and employees' ratings"
    assert 0 < summary.nps.score < 50  # type: ignore[operator]
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == exported >= named
    stats = run_ecoute("stats", url=generated.url)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["nps"]["responses"] == scores["nps"]


def test_people_keep_answering_afterwards(generated: Database, ecoute: Ecoute) -> None:
    with generated.transaction() as session:
        last = session.scalar(select(func.max(Answer.id)))
    who = Identity("telegram", "42")
    ecoute.engine.handle(Inbound(who, event_id="e1", text="start nps"))
    ecoute.engine.handle(Inbound(who, event_id="e2", text="9"))
    with generated.transaction() as session:
        person = session.scalar(select(Respondent.id).where(Respondent.external_id == "42"))
        newest = session.scalar(select(func.max(Answer.id)))
        assert person == session.scalar(select(func.max(Respondent.id)))
    assert newest == last + 1, "the id sequences follow the generated rows"


def test_it_refuses_a_store_that_holds_answers(generated: Database,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(generate.NotEmpty, match="already holds answers"):
        generate.fill(generated.url, 10)
    assert generate.main(["--url", generated.url, "--answers", "10"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("generate: error: the store") and error.count("\n") == 1
    with generated.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == ANSWERS
