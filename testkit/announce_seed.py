"""Seed many people whose feedback led to one improvement: the audience of the announce benches.

``seed(db, n, channels=("telegram",), now=...)`` writes ``n`` consenting respondents
(every 20th without consent, every 50th opted out, so the rules have work to do),
one NPS conversation each with a score and a few words, and an improvement linked
to every conversation. Rows go in by multi-row inserts of the product's models, in
batches, so 100,000 people take seconds, not minutes. The tests of
``tests/announcements`` use it too, with small ``n``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from storage import improvements
from storage.db import Database
from storage.improvements import NewImprovement
from storage.models import Answer, Conversation, ImprovementLink, Respondent, SurveyVersion
from storage.vocabulary import ConversationStatus, LinkSource

BATCH = 5_000


def seed(database: Database, n: int, *, now: datetime,
         channels: Sequence[str] = ("telegram",), prefix: str = "p") -> int:
    """Write ``n`` people who gave feedback and an improvement linked to it; return its id."""
    said = now - timedelta(days=10)
    with database.transaction() as session:
        version = session.execute(insert(SurveyVersion).values(
            key="nps", hash=f"bench-{prefix}", definition={"title": {"en": "NPS", "fr": "NPS"}},
            created_at=said).returning(SurveyVersion.id)).scalar_one()
        improvement = improvements.create(session, NewImprovement(
            you_said="Support was slow", we_did="We doubled the support team", language="en",
            created_by="bench"), now=now)
        firsts = (_top(session, Respondent), _top(session, Conversation))
    for start in range(0, n, BATCH):
        people = range(start, min(start + BATCH, n))
        with database.transaction() as session:
            _batch(session, people, firsts, version, improvement, said, channels, prefix)
    if database.is_postgres:  # ids were given here: move the sequences past them
        with database.transaction() as session:
            for table in ("respondent", "conversation"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    return improvement


def _top(session: Session, model: type[Respondent] | type[Conversation]) -> int:
    """Return the highest id of a table (0 when empty)."""
    return int(session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one())


def _batch(session: Session, people: range, firsts: tuple[int, int], version: int,
           improvement: int, said: datetime, channels: Sequence[str], prefix: str) -> None:
    """Insert one batch of people, their conversations, answers and links (ids given here)."""
    who = [firsts[0] + i + 1 for i in people]
    talks = [firsts[1] + i + 1 for i in people]
    rows = [{"id": firsts[0] + i + 1, "channel": channels[i % len(channels)],
             "external_id": f"{prefix}{i}" if channels[i % len(channels)] != "telegram"
             else str(10_000_000 + i), "language": "fr" if i % 3 == 0 else "en",
             "language_chosen": False, "internal": False,
             "consent_at": None if i % 20 == 19 else said,
             "opted_out_at": said if i % 50 == 49 else None,
             "created_at": said, "seen_at": said} for i in people]
    core = session.connection()  # Core inserts: the ORM's bulk path is slower by far
    core.execute(insert(Respondent.__table__), rows)
    chats = [{"id": talk, "public_id": f"{prefix}-c{i}", "respondent_id": person,
              "survey_version_id": version, "channel": channels[i % len(channels)],
              "language": "en", "status": ConversationStatus.COMPLETED, "step": None,
              "context": None, "values": {}, "started_at": said, "updated_at": said,
              "completed_at": said}
             for i, person, talk in zip(people, who, talks, strict=True)]
    core.execute(insert(Conversation.__table__), chats)
    answers = [{"conversation_id": talk, "survey_version_id": version, "question_id": "score",
                "question_type": "nps", "number": n % 11, "text": None, "created_at": said}
               for n, talk in enumerate(talks)]
    answers += [{"conversation_id": talk, "survey_version_id": version, "question_id": "why",
                 "question_type": "text", "number": None, "text": "The hotline kept me waiting",
                 "created_at": said} for talk in talks]
    core.execute(insert(Answer.__table__), answers)
    core.execute(insert(ImprovementLink.__table__), [
        {"improvement_id": improvement, "conversation_id": talk, "source": LinkSource.FILTER,
         "accepted": True, "created_by": "bench", "created_at": said} for talk in talks])
