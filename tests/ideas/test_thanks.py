"""An idea made an improvement: author and supporters hear back once; stop and forget hold."""

from __future__ import annotations

from sqlalchemy import select

from bot import ideas
from bot.ideas import NewIdea
from bot.messages import Identity
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage import erasure
from storage.models import Delivery, Idea, IdeaSupport, Respondent
from testkit.emulators.slack import SlackEmulator
from tests.conftest import Clock
from tests.test_privacy import every_value


def employee(user: str) -> Identity:
    """Return a Slack employee's identity."""
    return Identity("slack", user)


def respondent_id(ecoute: Ecoute, user: str) -> int:
    """Return the stored id of a Slack user."""
    with ecoute.db.transaction() as session:
        return int(session.scalar(select(Respondent.id).where(Respondent.external_id == user)))


def test_the_author_and_supporters_hear_back_once_each(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, slack_outbox: Dispatcher,
        clock: Clock) -> None:
    engine = slack_ecoute.engine
    for user in ("U3", "U4", "U5", "U6"):
        slack_api.add_user(user)
    sms = ideas.submit(engine, NewIdea("slack", "Track deliveries by SMS", "logistics",
                                       employee("U1"))).idea_id
    twin = ideas.submit(engine, NewIdea("slack", "SMS tracking please", "logistics",
                                        employee("U3"))).idea_id
    hidden = ideas.submit(engine, NewIdea("slack", "SMS when it ships", "logistics")).idea_id
    assert sms and twin and hidden
    for user, idea in (("U2", sms), ("U1", sms), ("U4", twin), ("U2", twin), ("U5", sms),
                       ("U6", sms), ("U4", hidden)):
        ideas.support(engine, employee(user), idea)
    ideas.merge(slack_ecoute.db, twin, sms, actor="quality@example.com", now=clock())
    ideas.merge(slack_ecoute.db, hidden, sms, actor="quality@example.com", now=clock())
    stopped, forgotten = respondent_id(slack_ecoute, "U5"), respondent_id(slack_ecoute, "U6")
    with slack_ecoute.db.transaction() as session:  # U5 said stop, U6 asked to be forgotten
        session.get(Respondent, stopped).opted_out_at = clock()  # type: ignore[union-attr]
        erasure.forget_respondent(session, engine.keyring, forgotten, clock())
    improvement = ideas.to_improvement(slack_ecoute.db, sms, actor="quality@example.com",
                                       now=clock(), language="en")

    with slack_ecoute.db.transaction() as session:
        audience = ideas.to_thank(session, improvement)
    assert sorted(p.respondent_id for p in audience.people) == sorted(
        respondent_id(slack_ecoute, u) for u in ("U1", "U2", "U3", "U4", "U5"))
    first = ideas.plan_thanks(slack_ecoute.db, improvement, now=clock())
    again = ideas.plan_thanks(slack_ecoute.db, improvement, now=clock())
    assert (first.planned, dict(first.skipped)) == (4, {"opted out": 1})
    assert (again.planned, dict(again.skipped)) == (0, {})
    while slack_outbox.run_once().sent:
        pass
    posted = [c.params["channel"] for c in slack_api.calls("chat.postMessage")]
    assert sorted(posted) == ["D1", "D2", "D3", "D4"]  # each once; not U5 (stop), not U6
    assert "An idea you shared or supported has led to a change" in str(
        slack_api.calls("chat.postMessage")[0].params)
    with slack_ecoute.db.transaction() as session:
        keys = set(session.scalars(select(Delivery.idempotency_key)))
    assert f"campaign:idea-thanks:{improvement}:{respondent_id(slack_ecoute, 'U1')}" in keys


def test_forgetting_a_signed_author_keeps_the_idea_without_identity(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    engine = slack_ecoute.engine
    idea = ideas.submit(engine, NewIdea("slack", "Zoé Martin thinks invoices are late",
                                        "finance", employee("UZOE42"))).idea_id
    ideas.support(engine, employee("UZOE42"), ideas.submit(
        engine, NewIdea("slack", "Open on Saturdays", "it", employee("U1"))).idea_id or 0)
    ideas.support(engine, employee("U2"), idea or 0)
    zoe = respondent_id(slack_ecoute, "UZOE42")
    with slack_ecoute.db.transaction() as session:
        erasure.forget_respondent(session, engine.keyring, zoe, clock())
    left = " ".join(every_value(slack_ecoute.db))
    assert "UZOE42" not in left and "Zoé Martin" not in left
    with slack_ecoute.db.transaction() as session:
        kept = session.get(Idea, idea)
        assert kept is not None
        assert (kept.author_id, kept.text, kept.service, kept.signed) == (
            None, None, "finance", True)
        assert len(session.scalars(select(IdeaSupport)).all()) == 1  # U2's; Zoé's went


def test_publishing_an_improvement_made_from_an_idea_thanks_its_people_once(
        slack_ecoute: Ecoute, slack_api: SlackEmulator, slack_outbox: Dispatcher,
        clock: Clock) -> None:
    from bot import publishing

    engine = slack_ecoute.engine
    idea = ideas.submit(engine, NewIdea("slack", "Track deliveries by SMS", "logistics",
                                        employee("U1"))).idea_id
    assert idea is not None
    ideas.support(engine, employee("U2"), idea)
    improvement = ideas.to_improvement(slack_ecoute.db, idea, actor="quality@example.com",
                                       now=clock(), language="en")
    first = publishing.publish(slack_ecoute.db, improvement, actor="staff:1", now=clock())
    again = publishing.publish(slack_ecoute.db, improvement, actor="staff:2", now=clock())
    assert first.first and not again.first
    while slack_outbox.run_once().sent:
        pass
    thanked = [c.params["channel"] for c in slack_api.calls("chat.postMessage")
               if "An idea you shared or supported" in str(c.params)]
    assert sorted(thanked) == ["D1", "D2"]  # the author and the supporter, each once
