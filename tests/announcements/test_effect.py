"""The effect: the linked group's satisfaction before and after publication, and the answers."""

from __future__ import annotations

from sqlalchemy import select, update

from bot import announcement_effect, announcements
from ecoute.wiring import Ecoute
from storage import improvements
from storage.models import Conversation, Respondent
from storage.vocabulary import LinkSource
from tests.announcements.conftest import Feedback, improvement_for
from tests.conftest import Clock, Person


def test_the_group_s_scores_are_split_at_publication_and_strangers_do_not_count(
        ecoute: Ecoute, feedback: Feedback, clock: Clock) -> None:
    ana = feedback("ana")  # NPS 3 before: a detractor
    improvement = improvement_for(ecoute, [ana])
    with ecoute.db.transaction() as session:
        assert announcement_effect.effect(session, improvement) is None  # a draft
    clock.advance(days=1)
    with ecoute.db.transaction() as session:
        announcements.publish(session, improvement, actor="staff:1", now=clock())
    clock.advance(days=1)
    for name, score in (("ana", "10"), ("zed", "0")):  # Zed is not in the linked group
        person = Person(ecoute.engine, name, locale="en")
        person.says("start nps")
        person.says(score)
    with ecoute.db.transaction() as session:
        found = announcement_effect.effect(session, improvement)
    assert found is not None
    assert (found.before.nps.score, found.before.nps.responses) == (-100.0, 1)
    assert (found.after.nps.score, found.after.nps.responses) == (100.0, 1)
    assert found.shares == {"yes": None, "partly": None, "no": None}


def test_an_anonymous_link_does_not_choose_which_of_the_group_s_scores_count(
        ecoute: Ecoute, feedback: Feedback, clock: Clock) -> None:
    ana = feedback("ana")  # NPS, by name
    improvement = improvement_for(ecoute, [ana])  # links Ana's NPS
    ana_rates = Person(ecoute.engine, "ana", locale="en")
    ana_rates.says("start csat")  # CSAT, by name but not linked
    ana_rates.says("2")
    ana_rates.says("queues")
    zed = Person(ecoute.engine, "zed", locale="en")  # CSAT, left anonymous, linked
    zed.says("start csat")
    zed.says("1")
    zed.says("queues")
    with ecoute.db.transaction() as session:
        zed_chat = session.scalars(select(Conversation.id).join(Respondent).where(
            Respondent.external_id == "zed")).one()
        session.execute(update(Conversation).where(Conversation.id == zed_chat)
                        .values(respondent_id=None))
        improvements.link(session, improvement, source=LinkSource.HAND, actor="staff:1",
                          now=clock(), conversations=[zed_chat])
    clock.advance(days=1)
    with ecoute.db.transaction() as session:
        announcements.publish(session, improvement, actor="staff:1", now=clock())
    with ecoute.db.transaction() as session:
        found = announcement_effect.effect(session, improvement)
    assert found is not None
    assert found.before.nps.responses == 1, "Ana's linked NPS counts"
    assert found.before.csat.responses == 0, (
        "Ana's CSAT would tell that an anonymous CSAT answer was linked")
