"""The deadline scan: remind staff before a complaint's deadline, escalate and record a miss.

Every complaint has two deadlines, in business hours (:mod:`bot.complaint_policy`):
a human's acknowledgement (while it is ``received``) and its resolution (while it
is open). Before each one, at ``ECOUTE_COMPLAINT_REMIND_AT`` of its business
hours (80 % by default), the scan plans a :attr:`ComplaintAlert.REMINDER` naming
the assignee; once a deadline is missed it records a breach (who had the
complaint then) and plans an :attr:`ComplaintAlert.ESCALATION` naming the
managers. Both go to the alert targets through the outbox (:mod:`bot.complaint_alerts`).

The scan reads only the complaints due a look (``deadline_check_at`` reached),
then moves each one's check to its next point. Nothing is sent twice, however
many workers scan at once: rows are claimed with ``SKIP LOCKED`` on PostgreSQL,
every alert has an idempotency key naming the deadline and its due date, and a
breach is unique per (complaint, deadline, due date).

Usage::

    report = complaint_deadlines.scan(db, engine.settings, now)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

from bot import complaint_alerts
from bot.business_hours import Calendar
from bot.complaint_alerts import ComplaintAlert
from bot.complaints import AWAITING_ACKNOWLEDGEMENT, OPEN
from bot.context import EngineSettings
from storage import complaint_deadlines as store
from storage.complaint_deadlines import DueComplaint
from storage.db import Database, Executor
from storage.vocabulary import ComplaintDeadline, ComplaintStatus

BATCH = 200


@dataclass(frozen=True)
class Point:
    """A moment the scan acts on: a reminder before a deadline, or the deadline itself."""

    at: datetime
    deadline: ComplaintDeadline
    alert: ComplaintAlert
    due: datetime


@dataclass(frozen=True)
class ScanReport:
    """What one scan did: complaints looked at, alerts planned, breaches recorded."""

    looked_at: int = 0
    reminders: int = 0
    escalations: int = 0
    breaches: int = 0

    def __add__(self, other: ScanReport) -> ScanReport:
        return ScanReport(self.looked_at + other.looked_at, self.reminders + other.reminders,
                          self.escalations + other.escalations, self.breaches + other.breaches)


def remind_point(calendar: Calendar, start: datetime, due: datetime, share: float) -> datetime:
    """Return the moment ``share`` of the business hours from ``start`` to ``due`` have gone."""
    return calendar.add(start, calendar.business_hours_between(start, due) * share)


def scan(db: Database, settings: EngineSettings, now: datetime, *,
         batch: int = BATCH) -> ScanReport:
    """Look at every complaint due a look at ``now``, a batch per transaction."""
    report = ScanReport()
    with db.reading() as connection:  # the usual case, nothing due, takes no write turn
        if not store.any_due(connection, now):
            return report
    while True:
        with db.connection() as connection:
            due = store.claim_due(connection, now, limit=batch)
            managers = cache(partial(store.manager_emails, connection))  # asked once, if needed
            nexts = []
            for item in due:
                looked, later = _look(connection, settings, item, now, managers)
                report += looked
                nexts.append((item.complaint.id, later))
            store.look_again_all(connection, nexts)
        if len(due) < batch:
            return report


def points(item: DueComplaint, settings: EngineSettings) -> list[Point]:
    """Return the reminder and deadline points that matter for the complaint's status."""
    complaint, policy = item.complaint, settings.complaints
    status = ComplaintStatus(complaint.status)
    found: list[Point] = []
    watched = ((ComplaintDeadline.ACKNOWLEDGE, AWAITING_ACKNOWLEDGEMENT,
                complaint.acknowledge_due_at, item.acknowledge_remind_at),
               (ComplaintDeadline.RESOLVE, OPEN, complaint.resolve_due_at, item.resolve_remind_at))
    for deadline, statuses, due, remind in watched:
        if status not in statuses:
            continue
        if remind is None:  # filed before reminders were stored, or its due date was changed
            remind = remind_point(policy.calendar, complaint.created_at, due, policy.remind_at)
        found.append(Point(remind, deadline, ComplaintAlert.REMINDER, due))
        found.append(Point(due, deadline, ComplaintAlert.ESCALATION, due))
    return found


def _look(session: Executor, settings: EngineSettings, item: DueComplaint, now: datetime,
          managers: Callable[[], tuple[str, ...]]) -> tuple[ScanReport, datetime | None]:
    """Act on the complaint's points that are reached; return what was done and when next."""
    report = ScanReport(looked_at=1)
    found = points(item, settings)
    for point in found:
        if point.at > now:
            continue
        if point.alert is ComplaintAlert.ESCALATION:
            report += _escalate(session, settings, item, point, now, managers)
        elif now < point.due:  # a reminder after the deadline would say less than the escalation
            report += _remind(session, settings, item, point, now)
    later = [point.at for point in found if point.at > now]
    return report, min(later) if later else None


def _remind(session: Executor, settings: EngineSettings, item: DueComplaint, point: Point,
            now: datetime) -> ScanReport:
    """Plan a reminder naming the assignee (the alert targets alone when nobody has it)."""
    complaint = item.complaint
    planned = complaint_alerts.plan(
        session, settings, complaint, ComplaintAlert.REMINDER,
        key=f"complaint-reminder:{complaint.reference}:{point.deadline}:{_stamp(point.due)}",
        now=now, due=point.due, for_staff=(item.assignee_email,) if item.assignee_email else (),
    )
    return ScanReport(reminders=planned)


def _escalate(session: Executor, settings: EngineSettings, item: DueComplaint, point: Point,
              now: datetime, managers: Callable[[], tuple[str, ...]]) -> ScanReport:
    """Record the breach once and plan the escalation naming the managers."""
    complaint = item.complaint
    new = store.record_breach(session, complaint.id, deadline=point.deadline, due_at=point.due,
                              detected_at=now, assignee_id=item.assignee_id)
    planned = complaint_alerts.plan(
        session, settings, complaint, ComplaintAlert.ESCALATION,
        key=f"complaint-escalation:{complaint.reference}:{point.deadline}:{_stamp(point.due)}",
        now=now, due=point.due, for_staff=managers(),
    )
    return ScanReport(escalations=planned, breaches=int(new))


def _stamp(moment: datetime) -> str:
    """Return a due date as it appears in idempotency keys (UTC, to the second)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
