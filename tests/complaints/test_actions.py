"""Staff changes to a complaint (complaint_actions.apply): events, audit, webhooks, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import complaint_actions, complaint_desk, staff, webhooks
from bot.complaint_actions import ChangeError, Refusal, StaffChange
from bot.complaint_desk import Intake
from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Complaint, Delivery
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import Importance, RejectionReason, Urgency
from tests.complaints.conftest import complaints, events
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person

PASSWORD = "a long enough password"


def file_one(ecoute: Ecoute, *, category: str = "delivery", description: str = "Late parcel",
             urgency: Urgency = Urgency.MINOR, channel: str = "telegram") -> str:
    """File a complaint as the intake would (nobody linked); return its reference."""
    with ecoute.db.transaction() as session:
        return complaint_desk.file(session, ecoute.engine.settings.complaints, Intake(
            respondent_id=None, conversation_id=None, channel=channel, language="en",
            category=category, description=description, urgency=urgency,
            contact_consent=True), now=ecoute.engine.clock(), actor="respondent").reference


def account(ecoute: Ecoute, email: str, role: str = "manager") -> int:
    """Create a staff account; return its id."""
    return staff.create_account(ecoute.db, email, PASSWORD, role, actor=staff.CLI,
                                now=ecoute.engine.clock()).id


def apply(ecoute: Ecoute, reference: str, actor: str = "staff:1",
          **change: Any) -> complaint_actions.ChangeResult:
    """Apply a change in a transaction of its own."""
    with ecoute.db.transaction() as session:
        return complaint_actions.apply(session, ecoute.engine.settings, reference,
                                       StaffChange(**change), actor=actor,
                                       now=ecoute.engine.clock())


def refusal(ecoute: Ecoute, reference: str, **change: Any) -> Refusal:
    """Return why a change is refused (failing if it is not)."""
    with pytest.raises(ChangeError) as refused:
        apply(ecoute, reference, **change)
    return refused.value.refusal


def test_a_status_move_with_a_visible_note_is_one_event(ecoute: Ecoute, clock: Clock) -> None:
    reference = file_one(ecoute)
    clock.advance(hours=1)
    result = apply(ecoute, reference, status=S.ACKNOWLEDGED, note="  We are on it ",
                   visible=True)
    assert (result.status, len(result.event_ids)) == (S.ACKNOWLEDGED, 1)
    [complaint] = complaints(ecoute)
    last = events(ecoute, complaint.id)[-1]
    assert (last.id, last.kind, last.status_from, last.status_to, last.note, last.visible,
            last.actor) == (result.event_ids[0], "status", "received", "acknowledged",
                            "We are on it", True, "staff:1")
    assert complaint.acknowledged_at == clock.now


def test_assignment_adjustment_and_note_are_each_an_event_in_order(ecoute: Ecoute) -> None:
    reference = file_one(ecoute, urgency=Urgency.MINOR, category="delivery")  # medium
    bea = account(ecoute, "bea@example.com")
    result = apply(ecoute, reference, assignee=bea, urgency=Urgency.BLOCKING,
                   note="Customer called twice")
    [complaint] = complaints(ecoute)
    kinds = [(e.kind, e.assignee_id, e.urgency, e.priority, e.note, e.visible)
             for e in events(ecoute, complaint.id)[1:]]
    assert kinds == [("assignment", bea, None, None, None, False),
                     ("priority", None, "blocking", "critical", None, False),
                     ("note", None, None, None, "Customer called twice", False)]
    assert len(result.event_ids) == 3
    assert (complaint.assignee_id, complaint.urgency, complaint.priority) == (
        bea, "blocking", "critical")
    unassigned = apply(ecoute, reference, unassign=True)
    assert unassigned.assignee is None and complaints(ecoute)[0].assignee_id is None


def test_a_higher_priority_brings_open_deadlines_earlier_and_a_lower_never_later(
        ecoute: Ecoute) -> None:
    reference = file_one(ecoute, urgency=Urgency.MINOR, category="other")  # low: 16 h / 80 h
    [before] = complaints(ecoute)
    apply(ecoute, reference, urgency=Urgency.BLOCKING, importance=Importance.HIGH)  # critical
    [raised] = complaints(ecoute)
    assert raised.priority == "critical"
    assert raised.acknowledge_due_at < before.acknowledge_due_at
    assert raised.resolve_due_at < before.resolve_due_at
    apply(ecoute, reference, urgency=Urgency.MINOR, importance=Importance.LOW)
    [lowered] = complaints(ecoute)
    assert lowered.priority == "low"
    assert (lowered.acknowledge_due_at, lowered.resolve_due_at) == (
        raised.acknowledge_due_at, raised.resolve_due_at), "a promise is never postponed"


def test_each_change_is_audited_without_the_note(ecoute: Ecoute) -> None:
    reference = file_one(ecoute)
    result = apply(ecoute, reference, note="Private: the customer is Mr Dupont")
    with ecoute.db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "complaint_updated")).one()
        assert (entry.actor, entry.target) == ("staff:1", reference)
        assert entry.detail["events"] == list(result.event_ids)
        assert "Dupont" not in str(entry.detail)


def test_bad_changes_are_refused_and_leave_nothing(ecoute: Ecoute) -> None:
    reference = file_one(ecoute)
    viewer = account(ecoute, "vic@example.com", "viewer")
    assert refusal(ecoute, "R-2026-9999", note="x") is Refusal.UNKNOWN_COMPLAINT
    assert refusal(ecoute, reference) is Refusal.EMPTY
    assert refusal(ecoute, reference, status=S.REJECTED) is Refusal.NEEDS_REASON
    assert refusal(ecoute, reference, status=S.RESOLVED,
                   reason=RejectionReason.OUT_OF_SCOPE) is Refusal.STRAY_REASON
    assert refusal(ecoute, reference, assignee=99999) is Refusal.UNKNOWN_ASSIGNEE
    assert refusal(ecoute, reference, assignee=viewer) is Refusal.UNKNOWN_ASSIGNEE
    assert refusal(ecoute, reference, note=" ", visible=True) is Refusal.EMPTY_NOTE
    assert refusal(ecoute, reference, note="x" * 4001) is Refusal.LONG_NOTE
    assert refusal(ecoute, reference, status=S.CLOSED, note="n") is Refusal.FORBIDDEN_MOVE
    with pytest.raises(ChangeError) as bad:
        StaffChange.parse({"urgency": "extreme"})
    assert bad.value.refusal is Refusal.BAD_VALUE and bad.value.status == 400
    [complaint] = complaints(ecoute)
    assert len(events(ecoute, complaint.id)) == 1, "only the filing"


def test_closing_a_rejected_complaint_is_a_forbidden_move(ecoute: Ecoute) -> None:
    reference = file_one(ecoute)
    apply(ecoute, reference, status=S.REJECTED, reason=RejectionReason.NOT_A_COMPLAINT)
    with pytest.raises(ChangeError) as refused:
        apply(ecoute, reference, status=S.CLOSED)
    assert (refused.value.refusal, refused.value.status) == (Refusal.FORBIDDEN_MOVE, 409)
    assert "rejected → closed" in str(refused.value)


def test_a_refused_move_undoes_the_assignment_asked_with_it(ecoute: Ecoute) -> None:
    reference = file_one(ecoute)
    bea = account(ecoute, "bea@example.com")
    assert refusal(ecoute, reference, assignee=bea, status=S.CLOSED) is Refusal.FORBIDDEN_MOVE
    [complaint] = complaints(ecoute)
    assert complaint.assignee_id is None and len(events(ecoute, complaint.id)) == 1


def test_the_form_and_json_values_are_read_alike() -> None:
    assert StaffChange.parse({"status": "acknowledged", "note": "n", "visible": "on",
                              "assignee": "3"}) == StaffChange(
        status=S.ACKNOWLEDGED, note="n", visible=True, assignee=3)
    assert StaffChange.parse({"assignee": None}).unassign
    assert StaffChange.parse({"assignee": "none"}).unassign
    assert not StaffChange.parse({"assignee": ""}).unassign


def webhook_deliveries(ecoute: Ecoute) -> list[dict[str, Any]]:
    """Return the payloads of the planned webhook deliveries, oldest first."""
    with ecoute.db.transaction() as session:
        return [d.payload for d in session.scalars(
            select(Delivery).where(Delivery.kind == "webhook").order_by(Delivery.id))]


def test_filing_and_each_change_fire_the_complaint_webhooks(ana: Person, ecoute: Ecoute,
                                                            clock: Clock) -> None:
    webhooks.create(ecoute.db, "http://127.0.0.1:9/hook",
                    ["complaint.created", "complaint.updated"], actor=staff.CLI,
                    allow_private=True, now=clock.now)
    file_billing_complaint(ana, "Charged twice, Mr Dupont here")
    apply(ecoute, "R-2026-0001", status=S.ACKNOWLEDGED, note="Secret staff note")
    created, updated = webhook_deliveries(ecoute)
    assert created["type"] == "complaint.created"
    assert {k: created["data"][k] for k in ("reference", "category", "status", "priority")} == {
        "reference": "R-2026-0001", "category": "billing", "status": "received",
        "priority": "critical"}
    assert created["data"]["link"].endswith("/admin/complaints/R-2026-0001")
    assert updated["type"] == "complaint.updated"
    assert updated["data"]["status"] == "acknowledged"
    assert updated["data"]["change"]["status_from"] == "received"
    assert "Dupont" not in str(created) and "Secret" not in str(updated)
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Complaint.status)) == "acknowledged"

