"""Fixtures of the announcement tests: people who gave feedback, an improvement linked to it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select

from ecoute.config import Settings
from ecoute.wiring import Ecoute, build
from storage import improvements
from storage.db import Database
from storage.improvements import NewImprovement
from storage.models import Conversation, Respondent
from storage.vocabulary import LinkSource
from tests.conftest import Clock, Person
from tests.console.conftest import quick_hashes, team  # noqa: F401  # fixtures used here
from web import create_app

Feedback = Callable[..., int]


@pytest.fixture
def ecoute(settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return Écoute on the test store with a secret key (the console needs one)."""
    return build(replace(settings, secret_key=os.urandom(32).hex()), database=db, clock=clock)


@pytest.fixture
def served(ecoute: Ecoute) -> Ecoute:
    """Return the Écoute the web app serves (the same one)."""
    return ecoute


@pytest.fixture
def app(served: Ecoute) -> Flask:
    """Return the web app serving the test Écoute."""
    return create_app(served)


@pytest.fixture
def feedback(ecoute: Ecoute) -> Feedback:
    """Return a helper: a person answers NPS (score, words) and is left in the given state."""

    def give(name: str, *, channel: str = "test", locale: str = "en", words: str = "slow",
             consent: bool = True, stopped: bool = False, unreachable: bool = False) -> int:
        person = Person(ecoute.engine, name, channel=channel, locale=locale)
        person.says("start nps")
        person.says("3")
        person.says(words)
        now = ecoute.engine.clock()
        with ecoute.db.transaction() as session:
            row = session.scalars(select(Respondent).where(
                Respondent.channel == channel, Respondent.external_id == name)).one()
            row.consent_at = now if consent else None
            row.opted_out_at = now if stopped else None
            if unreachable:
                row.unreachable_at, row.unreachable_reason = now, "blocked"
            return row.id

    return give


def improvement_for(ecoute: Ecoute, people: list[int], *, we_did: str = "We hired two agents",
                    language: str = "en") -> int:
    """Create an improvement linked to every conversation of ``people``; return its id."""
    now = ecoute.engine.clock()
    with ecoute.db.transaction() as session:
        improvement = improvements.create(session, NewImprovement(
            you_said="Support is slow", we_did=we_did, language=language,
            created_by="staff:1"), now=now)
        chats = list(session.scalars(select(Conversation.id)
                                     .where(Conversation.respondent_id.in_(people))))
        improvements.link(session, improvement, source=LinkSource.HAND, actor="staff:1",
                          now=now, conversations=chats)
    return improvement
