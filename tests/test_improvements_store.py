"""Improvements as stored: a draft, links that never double, the audience behind them."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage import improvements
from storage.improvements import NewImprovement
from storage.models import Complaint, Conversation
from storage.vocabulary import LinkSource
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Person


def test_the_audience_is_each_person_behind_the_accepted_links_once(
        ana: Person, ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    now = ecoute.engine.clock()
    with ecoute.db.transaction() as session:
        conversations = list(session.scalars(select(Conversation.id)))
        complaints = list(session.scalars(select(Complaint.id)))
        improvement = improvements.create(session, NewImprovement(
            you_said="Invoices were wrong", we_did="We fixed the invoices", language="en",
            created_by="staff:1"), now=now)
        assert improvements.link(session, improvement, source=LinkSource.HAND, actor="staff:1",
                                 now=now, conversations=conversations,
                                 complaints=complaints) == len(conversations) + 1
        assert improvements.link(session, improvement, source=LinkSource.FILTER,
                                 actor="staff:1", now=now, complaints=complaints) == 0
        people = list(session.scalars(improvements.audience(improvement)))
        found = improvements.find(session, improvement)
    assert len(people) == 1, "Ana linked twice (her conversation, her complaint) is one person"
    assert found is not None and found.status == "draft" and found.concerns == {}
