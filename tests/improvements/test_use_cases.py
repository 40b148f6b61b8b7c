"""Improvements' use cases: a draft checked, feedback linked three ways, the audience behind it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot import improvements
from bot.improvements import Concerns, Draft, ImprovementError, Known, Refusal
from ecoute.wiring import Ecoute
from storage import improvements as stored
from storage.filters import Band, ResponseFilter
from storage.models import AuditEntry, Complaint, ImprovementLink
from storage.vocabulary import LinkTarget
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person
from tests.improvements.conftest import STAFF
from tests.test_responses import nps, rate

LATE = Draft("Parcels arrived late", "We changed carrier", "en", date(2026, 11, 20))


def new(ecoute: Ecoute, known: Known, draft: Draft = LATE) -> int:
    """Store a draft as staff would."""
    return improvements.create(ecoute.db, draft, known, actor=STAFF, now=ecoute.engine.clock())


def detail(ecoute: Ecoute, improvement_id: int) -> improvements.Detail:
    """Return the improvement as staff see it now."""
    return improvements.detail(ecoute.db, improvement_id, now=ecoute.engine.clock())


def audience(ecoute: Ecoute, improvement_id: int) -> list[int]:
    """Return the respondents an announcement would reach."""
    with ecoute.db.reading() as connection:
        return list(connection.execute(stored.audience(improvement_id)).scalars())


def test_a_draft_is_stored_with_its_concerns_and_audited(ecoute: Ecoute, known: Known) -> None:
    draft = Draft(" Parcels arrived late ", "We changed carrier", "fr", None,
                  Concerns(channels=("telegram",), surveys=("nps",), categories=("billing",)))
    improvement_id = new(ecoute, known, draft)
    found = detail(ecoute, improvement_id).improvement
    assert (found.you_said, found.language, found.status) == ("Parcels arrived late", "fr", "draft")
    assert found.concerns == {"channels": ["telegram"], "surveys": ["nps"],
                              "categories": ["billing"]}
    with ecoute.db.reading() as connection:
        actions = list(connection.execute(select(AuditEntry.action, AuditEntry.target)))
    assert ("improvement_created", str(improvement_id)) in actions


@pytest.mark.parametrize("draft, refusal", [
    (Draft("", "done"), Refusal.BAD_SUMMARY),
    (Draft("x" * 501, "done"), Refusal.BAD_SUMMARY),
    (Draft("said", "  "), Refusal.BAD_ACTION),
    (Draft("said", "done", "de"), Refusal.BAD_LANGUAGE),
    (Draft("said", "done", concerns=Concerns(surveys=("no-such-survey",))),
     Refusal.UNKNOWN_CONCERN),
    (Draft("said", "done", concerns=Concerns(contexts=("shop-never-seen",))),
     Refusal.UNKNOWN_CONCERN),
])
def test_a_bad_draft_is_refused_and_nothing_is_stored(
        ecoute: Ecoute, known: Known, draft: Draft, refusal: Refusal) -> None:
    with pytest.raises(ImprovementError) as raised:
        new(ecoute, known, draft)
    assert raised.value.refusal is refusal
    assert improvements.listing(ecoute.db) == []


def test_concerns_of_another_shape_are_refused() -> None:
    for raw in ({"planets": ["mars"]}, {"surveys": "nps"}, ["nps"], {"surveys": [1]}):
        with pytest.raises(ImprovementError) as raised:
            Concerns.read(raw)
        assert raised.value.refusal is Refusal.BAD_CONCERNS
    assert Concerns.read({"surveys": ["nps", "nps"]}) == Concerns(surveys=("nps",))


def test_a_context_seen_in_a_conversation_may_be_a_concern(ecoute: Ecoute, known: Known) -> None:
    nps(ecoute, "ana", "3", "late again", context="shop-12")
    improvement_id = new(ecoute, known, Draft("late", "fixed", concerns=Concerns(
        contexts=("shop-12",))))
    assert detail(ecoute, improvement_id).improvement.concerns == {
        "contexts": ["shop-12"]}


def test_only_a_draft_is_edited(ecoute: Ecoute, known: Known) -> None:
    improvement_id = new(ecoute, known)
    improvements.edit(ecoute.db, improvement_id, Draft("Late parcels", "New carrier", "en"),
                      known, actor=STAFF, now=ecoute.engine.clock())
    assert detail(ecoute, improvement_id).improvement.we_did == "New carrier"
    with pytest.raises(ImprovementError) as raised:
        improvements.edit(ecoute.db, 999, LATE, known, actor=STAFF, now=ecoute.engine.clock())
    assert raised.value.refusal is Refusal.UNKNOWN


def test_linking_by_hand_takes_public_ids_and_references_and_refuses_any_unknown(
        ecoute: Ecoute, known: Known, ana: Person) -> None:
    file_billing_complaint(ana, "My parcel came two weeks late")
    conversation = nps(ecoute, "bob", "2", "parcel late")
    with ecoute.db.reading() as connection:
        reference = connection.execute(select(Complaint.reference)).scalar_one()
    improvement_id = new(ecoute, known)
    now = ecoute.engine.clock()
    with pytest.raises(ImprovementError) as raised:
        improvements.link_by_hand(ecoute.db, improvement_id, conversations=[conversation],
                                  complaints=["C-NOPE"], actor=STAFF, now=now)
    assert raised.value.refusal is Refusal.UNKNOWN_FEEDBACK and "C-NOPE" in str(raised.value)
    assert detail(ecoute, improvement_id).linked == 0, "nothing stored half"
    added = improvements.link_by_hand(ecoute.db, improvement_id, conversations=[conversation],
                                      complaints=[reference.lower()], actor=STAFF, now=now)
    again = improvements.link_by_hand(ecoute.db, improvement_id, conversations=[conversation],
                                      actor=STAFF, now=now)
    found = detail(ecoute, improvement_id)
    assert (added, again, found.linked) == (2, 0, 2)
    assert {link.excerpt for link in found.links} == {"parcel late",
                                                      "My parcel came two weeks late"}
    assert len(audience(ecoute, improvement_id)) == 2


def test_linking_by_filter_is_one_statement_and_anonymous_answers_count_but_are_never_an_audience(
        ecoute: Ecoute, known: Known, clock: Clock) -> None:
    for name in ("ana", "bob"):
        nps(ecoute, name, "2", "too slow")
    nps(ecoute, "cy", "10", "great")
    for _ in range(5):
        rate(ecoute, "it", "1", comment="VPN drops")  # anonymous
    rate(ecoute, "it", "1", by="U7", comment="VPN drops")
    improvement_id = new(ecoute, known)
    now = ecoute.engine.clock()
    detractors = improvements.link_by_filter(
        ecoute.db, improvement_id, ResponseFilter(band=Band.DETRACTOR, survey="nps"),
        actor=STAFF, now=now)
    internal = improvements.link_by_filter(ecoute.db, improvement_id,
                                           ResponseFilter(service="it"), actor=STAFF, now=now)
    assert (detractors, internal) == (2, 1), "this month's anonymous answers wait for its end"
    clock.advance(days=31)
    later = improvements.link_by_filter(ecoute.db, improvement_id, ResponseFilter(service="it"),
                                        actor=STAFF, now=ecoute.engine.clock())
    again = improvements.link_by_filter(ecoute.db, improvement_id,
                                        ResponseFilter(service="it"), actor=STAFF,
                                        now=ecoute.engine.clock())
    assert (later, again) == (5, 0)
    counts = {c.channel: c for c in detail(ecoute, improvement_id).counts}
    assert (counts["slack"].conversations, counts["slack"].anonymous) == (1, 5)
    assert all(link.excerpt is None for link in detail(
        ecoute, improvement_id).links if link.anonymous), "an anonymous answer is never shown"
    assert len(audience(ecoute, improvement_id)) == 3, "ana, bob and U7: never the anonymous"


def test_a_filter_that_filters_nothing_is_refused(ecoute: Ecoute, known: Known) -> None:
    with pytest.raises(ImprovementError) as raised:
        improvements.link_by_filter(ecoute.db, new(ecoute, known), ResponseFilter(),
                                    actor=STAFF, now=ecoute.engine.clock())
    assert raised.value.refusal is Refusal.NOTHING_CHOSEN


def test_someone_erased_after_linking_leaves_the_audience(
        ecoute: Ecoute, known: Known) -> None:
    bob = Person(ecoute.engine, "bob", locale="en")
    bob.send(command="start", argument="nps")
    bob.says("2")
    bob.says("late parcels")
    improvement_id = new(ecoute, known)
    improvements.link_by_filter(ecoute.db, improvement_id, ResponseFilter(survey="nps"),
                                actor=STAFF, now=ecoute.engine.clock())
    assert len(audience(ecoute, improvement_id)) == 1
    bob.says("forget")
    bob.taps("forget:yes")
    assert audience(ecoute, improvement_id) == []
    found = detail(ecoute, improvement_id)
    assert (found.linked, found.links) == (0, ()), "linked to nobody now: a group of one, withheld"


def test_suggestions_rank_close_feedback_and_a_rejected_one_is_not_proposed_again(
        ecoute: Ecoute, known: Known, ana: Person) -> None:
    late = nps(ecoute, "bob", "2", "Mon colis est arrivé en retard")
    nps(ecoute, "cy", "3", "The cashier was rude")
    file_billing_complaint(ana, "The parcel was delivered a week late")
    improvement_id = new(ecoute, known, Draft("Parcels arrived late", "New carrier"))
    now = ecoute.engine.clock()
    proposed = improvements.suggest(ecoute.db, improvement_id, now=now)
    assert {p.text for p in proposed[:2]} == {"The parcel was delivered a week late",
                                              "Mon colis est arrivé en retard"}
    assert "The cashier was rude" not in [p.text for p in proposed[:2]]
    improvements.decide(ecoute.db, improvement_id, LinkTarget.CONVERSATION, late,
                        accepted=False, actor=STAFF, now=now)
    complaint = next(p.reference for p in proposed if p.target is LinkTarget.COMPLAINT)
    improvements.decide(ecoute.db, improvement_id, LinkTarget.COMPLAINT, complaint,
                        accepted=True, actor=STAFF, now=now)
    after = [p.reference for p in improvements.suggest(ecoute.db, improvement_id, now=now)]
    assert late not in after and complaint not in after
    with ecoute.db.reading() as connection:
        kept = connection.execute(select(func.count()).select_from(ImprovementLink).where(
            ImprovementLink.accepted.is_(False))).scalar()
    assert kept == 1, "the rejection is recorded"
    assert detail(ecoute, improvement_id).linked == 1
    improvements.link_by_hand(ecoute.db, improvement_id, conversations=[late], actor=STAFF,
                              now=now)
    assert detail(ecoute, improvement_id).linked == 2, "chosen by hand after all"


def test_a_comment_is_suggested_once_though_a_complaint_offer_holds_a_copy_of_it(
        ecoute: Ecoute, known: Known) -> None:
    survey = nps(ecoute, "bob", "2", "Mon colis est arrivé en retard")
    offered = Person(ecoute.engine, "bob", locale="en").says("yes")  # agrees to hear back
    assert "handle this as a complaint" in offered.messages[-1].text  # left unanswered
    improvement_id = new(ecoute, known, Draft("Parcels arrived late", "New carrier"))
    proposed = improvements.suggest(ecoute.db, improvement_id, now=ecoute.engine.clock(),
                                    catalog=ecoute.catalog)
    assert [(p.reference, p.text) for p in proposed] == [
        (survey, "Mon colis est arrivé en retard")]


def test_unlinking_removes_one_link(ecoute: Ecoute, known: Known) -> None:
    conversation = nps(ecoute, "bob", "2", "late")
    improvement_id = new(ecoute, known)
    now = ecoute.engine.clock()
    improvements.link_by_hand(ecoute.db, improvement_id, conversations=[conversation],
                              actor=STAFF, now=now)
    link = detail(ecoute, improvement_id).links[0]
    improvements.unlink(ecoute.db, improvement_id, link.link_id, actor=STAFF, now=now)
    assert detail(ecoute, improvement_id).linked == 0
    with pytest.raises(ImprovementError):
        improvements.unlink(ecoute.db, improvement_id, link.link_id, actor=STAFF, now=now)


def test_feedback_given_after_the_improvement_was_done_is_not_suggested(
        ecoute: Ecoute, known: Known) -> None:
    nps(ecoute, "bob", "2", "My parcel was late")  # on 26 November, LATE was done on the 20th
    proposed = improvements.suggest(ecoute.db, new(ecoute, known), now=ecoute.engine.clock())
    assert proposed == []
