"""The effect: the linked group's satisfaction before and after publication, and the answers."""

from __future__ import annotations

from bot import announcement_effect, announcements
from ecoute.wiring import Ecoute
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
