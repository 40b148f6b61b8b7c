"""The end of a complaint on the complainant's side: settled, not settled, unanswered, rated.

Usage::

    complaint_resolution.settle(session, settings, complaint, now=now)    # "yes"
    complaint_resolution.reopen(session, settings, complaint, now=now)    # "no"
    complaint_resolution.rate(session, settings, complaint, 4, now=now)   # handling CSAT
    complaint_resolution.close_unanswered(database, settings, now=now, window=timedelta(days=7))

- **yes**: the resolved complaint is closed, its closure ``confirmed``;
- **no**: it is reopened, which raises its priority one level
  (:func:`bot.complaint_desk.move`), and the assignee and managers are alerted
  (:data:`~bot.complaint_alerts.ComplaintAlert.REOPENED`, never with the person's words);
- **no answer** within ``window`` of the question (or of the resolution, when the
  person could not be asked): a worker closes it, closure ``unconfirmed``. The
  complaints are claimed ``FOR UPDATE SKIP LOCKED`` and moved in the same
  transaction, so two workers never close one twice.

Each change fires ``complaint.updated`` through the signed webhooks
(:func:`bot.webhook_events.emit`), keyed by the history event it made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import complaint_actions, complaint_alerts, complaint_desk, webhook_events
from bot.complaint_alerts import ComplaintAlert
from bot.context import EngineSettings
from storage import complaint_followups as followups
from storage import complaints as store
from storage.complaints import ComplaintRow
from storage.db import Database, Executor
from storage.vocabulary import ComplaintClosure, ComplaintStatus, WebhookEvent

COMPLAINANT = "respondent"  # the actor of what the complainant does in the history
SYSTEM = "system"  # the actor of the worker's automatic closure
SCORES = range(1, 6)  # the handling CSAT, 1 (not at all satisfied) to 5 (very satisfied)


def settle(session: Executor, settings: EngineSettings, complaint: ComplaintRow, *,
           now: datetime) -> None:
    """Close a resolved complaint because its author says the resolution settles it."""
    _close(session, settings, complaint, ComplaintClosure.CONFIRMED, actor=COMPLAINANT, now=now)


def reopen(session: Executor, settings: EngineSettings, complaint: ComplaintRow, *,
           now: datetime) -> None:
    """Reopen a resolved complaint its author says is not settled; alert assignee and managers."""
    complaint_desk.move(session, complaint.reference, ComplaintStatus.REOPENED,
                        actor=COMPLAINANT, now=now)
    event_id = followups.latest_event_id(session, complaint.id)
    fresh = _fresh(session, complaint.reference)
    complaint_alerts.plan(
        session, settings, fresh, ComplaintAlert.REOPENED,
        key=f"complaint-reopened:{complaint.reference}:{event_id}", now=now,
        due=fresh.resolve_due_at,
        for_staff=followups.staff_to_alert(session, complaint.id, managers=True))
    _tell_webhooks(session, settings, fresh, {"status": ComplaintStatus.REOPENED.value},
                   subject=f"{complaint.reference}:{event_id}", now=now)


def rate(session: Executor, settings: EngineSettings, complaint: ComplaintRow, score: int, *,
         now: datetime) -> bool:
    """Store the author's rating of the handling (1-5) once; False if it was given already."""
    if score not in SCORES:
        raise ValueError(f"a handling score is 1 to 5, not {score}")
    if not followups.set_handling_score(session, complaint.id, score, now):
        return False
    _tell_webhooks(session, settings, complaint, {"handling_score": score},
                   subject=f"{complaint.reference}:handling_score", now=now)
    return True


def close_unanswered(database: Database, settings: EngineSettings, *, now: datetime,
                     window: timedelta, batch: int = 100) -> int:
    """Close the resolved complaints nobody confirmed within ``window``; return how many."""
    closed = 0
    while True:
        with database.transaction() as session:
            references = followups.claim_unanswered(session, now - window, batch)
            for reference in references:
                _close(session, settings, _fresh(session, reference),
                       ComplaintClosure.UNCONFIRMED, actor=SYSTEM, now=now)
        closed += len(references)
        if len(references) < batch:
            return closed


def _close(session: Executor, settings: EngineSettings, complaint: ComplaintRow,
           closure: ComplaintClosure, *, actor: str, now: datetime) -> None:
    """Move a resolved complaint to closed, record how, and tell the webhooks."""
    complaint_desk.move(session, complaint.reference, ComplaintStatus.CLOSED, actor=actor, now=now)
    followups.set_closure(session, complaint.id, closure)
    event_id = followups.latest_event_id(session, complaint.id)
    _tell_webhooks(session, settings, _fresh(session, complaint.reference),
                   {"status": ComplaintStatus.CLOSED.value, "closure": closure.value},
                   subject=f"{complaint.reference}:{event_id}", now=now)


def _fresh(session: Executor, reference: str) -> ComplaintRow:
    """Return a complaint as it stands now in the transaction."""
    found = store.find(session, reference)
    if found is None:
        raise complaint_desk.UnknownComplaint(reference)
    return found


def _tell_webhooks(session: Executor, settings: EngineSettings, complaint: ComplaintRow,
                   change: dict[str, Any], *, subject: str, now: datetime) -> None:
    """Fire ``complaint.updated`` as staff changes do (never with the complainant's words)."""
    webhook_events.emit(session, WebhookEvent.COMPLAINT_UPDATED,
                        {**complaint_actions.payload(settings, complaint), "change": change},
                        subject=subject, now=now, about_respondent_id=complaint.respondent_id)
