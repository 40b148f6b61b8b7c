"""The deadline scan on a French calendar: reminders at 80 %, escalations, breaches, each once.

Ana files a critical billing complaint on Friday 3 April 2026 at 16:00 in Paris,
before Easter Monday (a public holiday in France). Acknowledgement is due in 2
business hours (Friday 16:00-17:00, then Tuesday 09:00-10:00), resolution in 16.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot import complaint_deadlines, complaint_desk
from bot.complaint_deadlines import ScanReport
from bot.complaint_policy import ComplaintPolicy, PolicyError
from bot.outbox import Dispatcher
from ecoute.config import Settings
from ecoute.wiring import Ecoute
from storage import complaint_deadlines as store
from storage import staff
from storage.db import Database
from storage.models import Complaint, ComplaintBreach, Delivery
from storage.vocabulary import ComplaintStatus, Priority
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person, RecordingSender

PARIS = ZoneInfo("Europe/Paris")
REF = "R-2026-0001"


def paris(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    """Return a moment of 2026 in Paris, as the UTC the store keeps."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def settings(db: Database) -> Settings:
    """Return settings on the French business calendar (Paris, Monday-Friday 9-17, FR)."""
    env = {"ECOUTE_TIMEZONE": "Europe/Paris", "ECOUTE_HOLIDAYS_COUNTRY": "FR"}
    return replace(Settings.from_env(env), database_url=db.url)


@pytest.fixture
def friday(ecoute: Ecoute, clock: Clock) -> Ecoute:
    """Return the app with Ana's critical complaint filed Friday 16:00, alerts to room-a."""
    ecoute.engine.settings = replace(ecoute.engine.settings, alert_targets=(("test", "room-a"),))
    clock.now = paris(3, 16)
    file_billing_complaint(Person(ecoute.engine, "ana", locale="en"))
    return ecoute


def scan_at(ecoute: Ecoute, clock: Clock, moment: datetime) -> ScanReport:
    """Move the clock to ``moment`` and run the scan as the worker does."""
    clock.now = moment
    return complaint_deadlines.scan(ecoute.db, ecoute.engine.settings, clock())


def alerts(ecoute: Ecoute) -> list[tuple[str, str, str]]:
    """Return the planned alerts as (headline, due field, for field), oldest first."""
    with ecoute.db.transaction() as session:
        rows = session.scalars(select(Delivery).where(Delivery.kind == "alert")
                               .order_by(Delivery.id)).all()
    found = []
    for row in rows:
        fields = dict(tuple(f) for f in row.payload["fields"])
        found.append((row.payload["text"], fields.get("Due", ""), fields.get("For", "")))
    return found


def breaches(ecoute: Ecoute) -> list[tuple[str, datetime, int | None]]:
    """Return the recorded breaches as (deadline, due, assignee id)."""
    with ecoute.db.transaction() as session:
        return [tuple(r) for r in session.execute(  # type: ignore[misc]
            select(ComplaintBreach.deadline, ComplaintBreach.due_at, ComplaintBreach.assignee_id)
            .order_by(ComplaintBreach.id))]


def test_the_due_dates_skip_the_weekend_and_easter_monday(friday: Ecoute) -> None:
    with friday.db.transaction() as session:
        row = session.scalars(select(Complaint)).one()
    assert (row.acknowledge_due_at, row.resolve_due_at) == (paris(7, 10), paris(8, 16))
    assert row.acknowledge_remind_at == paris(7, 9, 36), "80 % of 2 h: 1 h Friday, 36 min Tuesday"
    assert row.resolve_remind_at == paris(8, 12, 48), "80 % of 16 h: 1 + 8 + 3.8 h"
    assert row.deadline_check_at == row.acknowledge_remind_at


def test_the_reminder_comes_at_80_percent_once_and_the_escalation_at_the_deadline_once(
        friday: Ecoute, clock: Clock) -> None:
    assert scan_at(friday, clock, paris(6, 12)) == ScanReport(), "Easter Monday: nothing yet"
    assert scan_at(friday, clock, paris(7, 9, 35)) == ScanReport()
    assert scan_at(friday, clock, paris(7, 9, 36)) == ScanReport(looked_at=1, reminders=1)
    assert scan_at(friday, clock, paris(7, 9, 50)) == ScanReport(), "sent once"
    assert scan_at(friday, clock, paris(7, 10)) == ScanReport(looked_at=1, escalations=1,
                                                              breaches=1)
    assert scan_at(friday, clock, paris(7, 10, 5)) == ScanReport()
    assert alerts(friday) == [
        ("Complaint R-2026-0001: a deadline is near.", "2026-04-07 08:00 UTC", ""),
        ("Complaint R-2026-0001: a deadline was missed.", "2026-04-07 08:00 UTC", ""),
    ]
    assert breaches(friday) == [("acknowledge", paris(7, 10), None)]


def test_the_resolution_deadline_is_watched_once_acknowledged(friday: Ecoute,
                                                              clock: Clock) -> None:
    clock.now = paris(7, 9, 30)
    with friday.db.transaction() as session:
        complaint_desk.move(session, REF, ComplaintStatus.ACKNOWLEDGED, actor="staff:1",
                            now=clock())
    assert scan_at(friday, clock, paris(7, 10)) == ScanReport(looked_at=1), "acknowledged in time"
    assert scan_at(friday, clock, paris(8, 12, 48)) == ScanReport(looked_at=1, reminders=1)
    assert scan_at(friday, clock, paris(8, 16)).breaches == 1
    assert [b[:2] for b in breaches(friday)] == [("resolve", paris(8, 16))]
    with friday.db.transaction() as session:
        assert session.scalar(select(Complaint.deadline_check_at)) is None, "nothing left to watch"


def test_a_late_scan_escalates_without_a_stale_reminder(friday: Ecoute, clock: Clock) -> None:
    report = scan_at(friday, clock, paris(9, 9))  # the worker was down since Friday
    assert report == ScanReport(looked_at=1, escalations=2, breaches=2)
    assert [b[0] for b in breaches(friday)] == ["acknowledge", "resolve"]
    assert scan_at(friday, clock, paris(9, 10)) == ScanReport()


def test_reminders_name_the_assignee_and_escalations_the_managers(friday: Ecoute,
                                                                  clock: Clock) -> None:
    with friday.db.transaction() as session:
        lea = staff.add_account(session, "lea@example.com", "x", "viewer", clock())
        staff.add_account(session, "max@example.com", "x", "manager", clock())
        staff.add_account(session, "ada@example.com", "x", "admin", clock())
        session.execute(update(Complaint).values(assignee_id=lea.id))
    scan_at(friday, clock, paris(7, 9, 40))
    scan_at(friday, clock, paris(7, 10))
    assert [a[2] for a in alerts(friday)] == ["lea@example.com",
                                              "ada@example.com, max@example.com"]
    assert breaches(friday) == [("acknowledge", paris(7, 10), lea.id)], "who had it then"


def test_a_closed_complaint_is_no_longer_watched_and_a_reopened_one_is_again(
        friday: Ecoute, clock: Clock) -> None:
    clock.now = paris(7, 9)
    with friday.db.transaction() as session:
        complaint_desk.move(session, REF, ComplaintStatus.RESOLVED, actor="staff:1", now=clock())
        complaint_desk.move(session, REF, ComplaintStatus.CLOSED, actor="staff:1", now=clock())
    assert scan_at(friday, clock, paris(9, 9)) == ScanReport(looked_at=1)
    assert scan_at(friday, clock, paris(10, 9)) == ScanReport(), "no longer looked at"
    with friday.db.transaction() as session:
        complaint_desk.move(session, REF, ComplaintStatus.REOPENED, actor="respondent",
                            now=clock())
    report = scan_at(friday, clock, paris(10, 9, 1))
    assert report == ScanReport(looked_at=1, escalations=1, breaches=1), "open after its due date"


def test_a_complaint_without_stored_reminder_points_gets_them_from_the_calendar(
        friday: Ecoute, clock: Clock) -> None:
    with friday.db.transaction() as session:  # as migrated from before the reminders existed
        session.execute(update(Complaint).values(acknowledge_remind_at=None,
                                                 resolve_remind_at=None,
                                                 deadline_check_at=paris(3, 16)))
    assert scan_at(friday, clock, paris(7, 9, 35)) == ScanReport(looked_at=1)
    assert scan_at(friday, clock, paris(7, 9, 36)).reminders == 1


def test_new_due_dates_get_new_reminders(friday: Ecoute, clock: Clock) -> None:
    clock.now = paris(6, 12)
    with friday.db.transaction() as session:  # staff gave it a day more to be acknowledged
        session.execute(update(Complaint).values(acknowledge_due_at=paris(8, 10)))
        complaint_id = session.scalar(select(Complaint.id))
        store.due_dates_changed(session, complaint_id, clock())
    assert scan_at(friday, clock, paris(7, 10)) == ScanReport(looked_at=1), "the old dates pass"
    assert scan_at(friday, clock, paris(7, 15, 59)) == ScanReport()
    assert scan_at(friday, clock, paris(7, 16)).reminders == 1, "80 % of the new 10 hours"


def test_the_worker_runs_the_scan_every_minute(friday: Ecoute, clock: Clock) -> None:
    [job] = [job for job in friday.jobs() if job.id == "complaint_deadlines"]
    assert (job.trigger, job.trigger_args) == ("interval", {"minutes": 1})
    clock.now = paris(7, 9, 36)
    job.func(*job.args)
    assert [a[0] for a in alerts(friday)] == ["Complaint R-2026-0001: a deadline is near."]


def test_the_alerts_reach_the_alert_channel_once(friday: Ecoute, clock: Clock,
                                                 sender: RecordingSender,
                                                 dispatcher: Dispatcher) -> None:
    scan_at(friday, clock, paris(7, 9, 36))
    scan_at(friday, clock, paris(7, 10))
    scan_at(friday, clock, paris(7, 10))
    while dispatcher.run_once().sent:
        pass
    assert sender.sent == [("room-a", "Complaint R-2026-0001: a deadline is near."),
                           ("room-a", "Complaint R-2026-0001: a deadline was missed.")]


def test_a_breach_is_recorded_once_however_often_it_is_seen(friday: Ecoute,
                                                            clock: Clock) -> None:
    scan_at(friday, clock, paris(7, 10))
    with friday.db.transaction() as session:  # as a second worker that read the row earlier
        session.execute(update(Complaint).values(deadline_check_at=paris(7, 10)))
    assert scan_at(friday, clock, paris(7, 10)) == ScanReport(looked_at=1)
    assert len(breaches(friday)) == 1


def test_forget_leaves_the_breach_as_a_record_of_nobody(friday: Ecoute, clock: Clock) -> None:
    scan_at(friday, clock, paris(7, 10))
    ana = Person(friday.engine, "ana", locale="en")
    ana.says("forget")
    ana.taps("forget:yes")
    assert len(breaches(friday)) == 1, "the workflow record stays for the statistics"
    with friday.db.transaction() as session:
        complaint = session.scalars(select(Complaint)).one()
        assert (complaint.respondent_id, complaint.description) == (None, None)
        assert session.scalars(select(Delivery).where(Delivery.kind == "alert")).all() == [], \
            "unsent alerts about her go with her"


def test_the_reminder_share_is_configurable_and_checked() -> None:
    policy = ComplaintPolicy.from_env({"ECOUTE_COMPLAINT_REMIND_AT": "0.5"})
    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday, UTC calendar 09:00-17:00
    assert policy.reminders(Priority.CRITICAL, start) == (
        datetime(2026, 11, 26, 10, 0, tzinfo=UTC), datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    for wrong in ("1.5", "0", "eighty"):
        with pytest.raises(PolicyError, match="ECOUTE_COMPLAINT_REMIND_AT must be a share"):
            ComplaintPolicy.from_env({"ECOUTE_COMPLAINT_REMIND_AT": wrong})
