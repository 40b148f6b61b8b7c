"""The deadline scan with real parts: two workers at once, and Slack's alert channel."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import complaint_deadlines, complaint_desk
from bot.complaint_deadlines import ScanReport
from bot.complaint_desk import Intake
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from storage.db import Database
from storage.models import ComplaintBreach, Delivery
from storage.vocabulary import Urgency
from testkit.emulators.slack import SlackEmulator
from tests.channels.conftest import (  # noqa: F401  # the Slack fixtures
    slack_api,
    slack_ecoute,
    slack_outbox,
    slack_settings,
)
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Clock, Person, RecordingSender

COMPLAINTS = 40  # two escalations each, within the test outbox's 100 per second


def file_many(ecoute: Ecoute, clock: Clock, count: int) -> None:
    """File ``count`` complaints at the clock's time, as the dialogue would."""
    policy = ecoute.engine.settings.complaints
    with ecoute.db.transaction() as session:
        for n in range(count):
            complaint_desk.file(session, policy, Intake(
                respondent_id=None, conversation_id=None, channel="test", language="en",
                category="billing", description=f"complaint {n}", urgency=Urgency.MINOR,
                contact_consent=False), now=clock(), actor="respondent")


def test_two_workers_scanning_at_once_send_each_alert_once(
        ecoute: Ecoute, clock: Clock, sender: RecordingSender, dispatcher: Dispatcher) -> None:
    ecoute.engine.settings = replace(ecoute.engine.settings, alert_targets=(("test", "room-a"),))
    file_many(ecoute, clock, COMPLAINTS)
    clock.advance(days=30)  # both deadlines of every complaint are missed
    start = threading.Barrier(2)
    reports: list[ScanReport] = []

    def worker() -> None:
        database = Database(ecoute.db.url)  # a worker process has its own connections
        try:
            start.wait()
            reports.append(complaint_deadlines.scan(database, ecoute.engine.settings, clock(),
                                                    batch=7))
        finally:
            database.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(reports, ScanReport())
    assert total == ScanReport(looked_at=COMPLAINTS, escalations=2 * COMPLAINTS,
                               breaches=2 * COMPLAINTS), "no complaint was looked at twice"
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ComplaintBreach)) == 2 * COMPLAINTS
    while dispatcher.run_once().sent:
        pass
    assert len(sender.sent) == 2 * COMPLAINTS
    assert len(set(sender.sent)) == COMPLAINTS, "two escalations per complaint, each sent once"


def test_the_escalation_reaches_the_slack_alert_channel_once(
        slack_ecoute: Ecoute, slack_api: SlackEmulator,  # noqa: F811
        slack_outbox: Dispatcher, clock: Clock) -> None:  # noqa: F811
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    file_billing_complaint(Person(slack_ecoute.engine, "ana", locale="en"))
    clock.advance(hours=2)  # critical: acknowledgement due in 2 business hours, 09:00-11:00
    for _ in range(2):
        complaint_deadlines.scan(slack_ecoute.db, slack_ecoute.engine.settings, clock())
        while slack_outbox.run_once().sent:
            pass
    posts = slack_api.calls("chat.postMessage")
    assert [(p.params["channel"], p.params["text"].split("\n")[0]) for p in posts] == [
        ("CALERTS", "Complaint R-2026-0001: a deadline was missed.")]
    assert "Due: 2026-11-26 11:00 UTC" in posts[0].params["text"]
    with slack_ecoute.db.transaction() as session:
        assert session.scalars(select(Delivery.status)).all() == ["sent"]
