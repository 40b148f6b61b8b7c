"""Staff alerts about a complaint: to every alert target once, in the staff's language, no words."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot import complaint_alerts
from bot.complaint_alerts import ComplaintAlert
from ecoute.wiring import Ecoute
from storage import complaints as store
from storage.models import Delivery
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Person


def escalate(ecoute: Ecoute, key: str = "complaint-escalation:R-2026-0001:resolve") -> int:
    """Plan an escalation of Ana's complaint, as the deadline scan would."""
    with ecoute.db.transaction() as session:
        complaint = store.find(session, "R-2026-0001")
        assert complaint is not None
        return complaint_alerts.plan(session, ecoute.engine.settings, complaint,
                                     ComplaintAlert.ESCALATION, key=key,
                                     now=ecoute.engine.clock(), due=complaint.resolve_due_at,
                                     for_staff=("lea@example.com",))


def alerts(ecoute: Ecoute) -> list[Delivery]:
    """Return the planned staff alerts."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == "alert")))


def test_an_escalation_goes_to_each_alert_target_once_and_names_no_words(
        ana: Person, ecoute: Ecoute) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings,
                                     alert_targets=(("test", "room-a"), ("test", "room-b")))
    file_billing_complaint(ana)
    assert escalate(ecoute) == 2
    assert escalate(ecoute) == 0, "a second scan plans nothing twice"
    sent = alerts(ecoute)
    assert sorted(d.address for d in sent) == ["room-a", "room-b"]
    payload = sent[0].payload
    assert payload["text"] == "Complaint R-2026-0001: a deadline was missed."
    assert payload["link"].endswith("/admin/complaints/R-2026-0001")
    assert ("For", "lea@example.com") in [tuple(f) for f in payload["fields"]]
    complaint = store_row(ecoute)
    assert complaint.description and complaint.description not in str(payload)
    assert sent[0].about_respondent_id == complaint.respondent_id


def test_the_alert_speaks_the_staffs_default_language(ana: Person, ecoute: Ecoute) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings, default_language="fr",
                                     alert_targets=(("test", "room-a"),))
    file_billing_complaint(ana)
    escalate(ecoute)
    [alert] = alerts(ecoute)
    assert alert.payload["text"] == "Réclamation R-2026-0001 : une échéance est dépassée."
    assert [tuple(f) for f in alert.payload["fields"]][:3] == [
        ("Priorité", "critique"), ("Catégorie", "billing"), ("Statut", "reçue")]


def store_row(ecoute: Ecoute) -> store.ComplaintRow:
    """Return Ana's complaint as the core reads it."""
    with ecoute.db.transaction() as session:
        found = store.find(session, "R-2026-0001")
        assert found is not None
        return found
