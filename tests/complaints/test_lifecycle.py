"""A complaint's lifecycle, the data part: allowed moves, reasons, history, the owner's status."""

from __future__ import annotations

import pytest

from bot import complaint_desk
from bot.complaint_desk import UnknownComplaint
from bot.complaints import LifecycleError
from ecoute.wiring import Ecoute
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import RejectionReason
from tests.complaints.conftest import complaints, events
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person


def move(ecoute: Ecoute, status: S, **fields: object) -> None:
    """Move Ana's complaint R-2026-0001 as staff member 3 would."""
    with ecoute.db.transaction() as session:
        complaint_desk.move(session, "R-2026-0001", status, actor="staff:3",
                            now=ecoute.engine.clock(), **fields)  # type: ignore[arg-type]


def test_every_move_is_an_event_with_who_when_the_note_and_its_visibility(
        ana: Person, ecoute: Ecoute, clock: Clock) -> None:
    file_billing_complaint(ana)
    clock.advance(hours=1)
    move(ecoute, S.ACKNOWLEDGED, note="We are looking into it", visible=True)
    assert ana.says("status R-2026-0001").messages[-1].text == (
        "Complaint R-2026-0001: acknowledged. Next step by Friday 27 November 2026, "
        "17:00 (UTC)."), "once acknowledged, the resolution date is next"
    move(ecoute, S.IN_PROGRESS, note="Refund asked to finance")
    move(ecoute, S.RESOLVED, note="Refunded", visible=True)
    assert ana.says("status R-2026-0001").messages[-1].text == (
        "Complaint R-2026-0001: resolved.")

    [complaint] = complaints(ecoute)
    history = [(e.actor, e.status_from, e.status_to, e.note, e.visible)
               for e in events(ecoute, complaint.id)]
    assert history == [
        ("respondent", None, "received", None, False),
        ("staff:3", "received", "acknowledged", "We are looking into it", True),
        ("staff:3", "acknowledged", "in_progress", "Refund asked to finance", False),
        ("staff:3", "in_progress", "resolved", "Refunded", True),
    ]
    assert complaint.acknowledged_at == clock() and complaint.resolved_at == clock()


def test_reopening_raises_the_priority(ana: Person, ecoute: Ecoute) -> None:
    ana.says("complaint")
    ana.taps("other")
    ana.says("The form lost my answers")
    ana.taps("answer:skip")
    ana.taps("minor")
    ana.taps("no")
    assert complaints(ecoute)[0].priority == "low"
    move(ecoute, S.RESOLVED)
    move(ecoute, S.REOPENED, note="Not settled")
    assert complaints(ecoute)[0].priority == "medium"


def test_a_rejection_needs_its_reason_and_a_rejected_complaint_cannot_be_closed(
        ana: Person, ecoute: Ecoute) -> None:
    file_billing_complaint(ana)
    with pytest.raises(LifecycleError, match="a rejection needs a reason"):
        move(ecoute, S.REJECTED)
    move(ecoute, S.REJECTED, reason=RejectionReason.NOT_A_COMPLAINT, note="A question")
    with pytest.raises(LifecycleError, match="that is rejected cannot become closed"):
        move(ecoute, S.CLOSED)
    [complaint] = complaints(ecoute)
    assert complaint.status == "rejected"
    assert [(e.status_to, e.reason) for e in events(ecoute, complaint.id)] == [
        ("received", None), ("rejected", "not_a_complaint")], "refused moves store nothing"


def test_an_unknown_reference_cannot_be_moved(ecoute: Ecoute) -> None:
    with pytest.raises(UnknownComplaint):
        move(ecoute, S.ACKNOWLEDGED)
