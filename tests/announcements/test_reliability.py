"""Scale and reliability: concurrent publishes, two workers, 429 and 403, planned at 10,000.

The SIGKILL test is in ``test_kill.py``. Quiet hours are off here (the clock is real
for the workers) unless a test is about them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import pytest
from sqlalchemy import func, select

from bot import announcements
from bot.announcement_message import AnnouncementSettings, quiet_until
from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings
from ecoute.config import Settings
from ecoute.wiring import Ecoute, build, outbox_settings
from storage.db import Database
from storage.models import AuditEntry, Campaign, Delivery, Respondent
from storage.vocabulary import DeliveryStatus
from testkit.announce_seed import seed
from testkit.emulators.telegram import TelegramEmulator
from tests.announcements.conftest import improvement_for
from tests.channels.conftest import telegram_api  # noqa: F401
from tests.conftest import Clock

LOUD = AnnouncementSettings(quiet=None, per_week=5)
FAST = OutboxSettings(default_rate="100000/second", default_respondent_rate="100/second",
                      announcements=LOUD, batch=25)


@dataclass
class Platform:
    """A channel that records every message it is handed, from any thread."""

    sent: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, address: str, message: Outbound) -> None:
        with self.lock:
            self.sent.append(address)


def publish(db: Database, improvement: int, clock: Clock) -> announcements.Published:
    with db.transaction() as session:
        return announcements.publish(session, improvement, actor="staff:1", now=clock())


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_staff_pressing_publish_at_once_plan_one_announcement(
        ecoute: Ecoute, clock: Clock) -> None:
    improvement = seed(ecoute.db, 400, now=clock(), channels=("test",))
    start = threading.Barrier(2)
    outcomes: list[announcements.Published] = []

    def press() -> None:
        start.wait()
        outcomes.append(publish(ecoute.db, improvement, clock))

    pressing = [threading.Thread(target=press) for _ in range(2)]
    for thread in pressing:
        thread.start()
    for thread in pressing:
        thread.join()
    assert sorted(o.first for o in outcomes) == [False, True]
    with ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 1
        assert session.scalar(select(func.count()).select_from(Delivery)) == 400
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "improvement_published")) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_share_one_announcement_without_sending_twice(
        ecoute: Ecoute, clock: Clock) -> None:
    improvement = seed(ecoute.db, 600, now=clock(), channels=("test",))
    planned = publish(ecoute.db, improvement, clock).planned
    platform = Platform()

    def work() -> None:
        worker = Dispatcher(ecoute.db, {"test": platform}, settings=FAST, clock=clock)
        while worker.run_once().sent:
            pass

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    with ecoute.db.transaction() as session:
        status = announcements.status(session, improvement)
    assert planned == 600 and status.progress.pending == 0
    assert len(platform.sent) == len(set(platform.sent)) == status.progress.sent
    assert status.progress.sent == 564  # stopped: every 50th (12); no consent: 20th (24 more)


def test_the_weekly_cap_skips_a_third_announcement_and_quiet_hours_defer(
        ecoute: Ecoute, clock: Clock) -> None:
    capped = OutboxSettings(default_rate="1000/second", default_respondent_rate="1000/second",
                            announcements=AnnouncementSettings(quiet=None, per_week=2))
    platform = Platform()
    worker = Dispatcher(ecoute.db, {"test": platform}, settings=capped, clock=clock)
    first = seed(ecoute.db, 1, now=clock(), channels=("test",))
    with ecoute.db.transaction() as session:
        person = session.scalars(select(Respondent.id)).one()
    for improvement in (first, improvement_for(ecoute, [person]),
                        improvement_for(ecoute, [person])):  # three, to the same person
        publish(ecoute.db, improvement, clock)
        worker.run_once()
        clock.advance(seconds=2)
    with ecoute.db.transaction() as session:
        reasons = list(session.scalars(select(Delivery.last_error).where(
            Delivery.status == DeliveryStatus.SKIPPED)))
    assert len(platform.sent) == 2 and reasons == ["capped"]
    late = clock.now.replace(hour=22)
    wait = quiet_until(late, AnnouncementSettings(), "Europe/Paris")  # 23:00 in Paris
    assert wait is not None and wait.hour == 7  # 08:00 in Paris, in UTC
    assert quiet_until(late.replace(hour=12), AnnouncementSettings(), None) is None


def test_429_pauses_the_channel_and_403_marks_the_person_unreachable(
        settings: Settings, db: Database, clock: Clock,
        telegram_api: TelegramEmulator) -> None:  # noqa: F811
    telegram = replace(settings.telegram, token=telegram_api.token,
                       api_base_url=telegram_api.url)
    served = build(replace(settings, telegram=telegram), database=db, clock=clock)
    improvement = seed(served.db, 6, now=clock(), channels=("telegram",))
    publish(served.db, improvement, clock)  # 6 people, all consenting
    worker = Dispatcher(served.db, served.senders, clock=clock, settings=replace(
        outbox_settings(served.settings), announcements=LOUD,  # per chat: counted in real time
        respondent_rates={"telegram": "100/second"}, in_flight=2))
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    first = worker.run_once()  # one wave of two goes out together: one 429, one sent
    assert (first.retried, first.sent) == (1, 1) and first.deferred == 4  # the next waves wait
    clock.advance(seconds=6)
    telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    for _ in range(5):  # drain: the 429's channel pause is over, one second per chat
        worker.run_once()
        clock.advance(seconds=2)
    with served.db.transaction() as session:
        status = announcements.status(session, improvement)
        gone = session.scalar(select(func.count()).select_from(Respondent).where(
            Respondent.unreachable_at.is_not(None)))
    worker.close()
    assert status.progress.sent == 5 and gone == 1
    assert status.progress.failed == {"telegram: Forbidden: bot was blocked by the user": 1}
    assert len(telegram_api.calls_to("sendMessage")) == 7  # 429 + 403 + 5 sent
    served.senders["telegram"].close()  # type: ignore[attr-defined]


def test_planning_ten_thousand_is_one_statement_and_counts_everyone(
        ecoute: Ecoute, clock: Clock) -> None:
    improvement = seed(ecoute.db, 10_000, now=clock(), channels=("test",))
    published = publish(ecoute.db, improvement, clock)
    with ecoute.db.transaction() as session:
        progress = announcements.status(session, improvement).progress
    assert published.planned == progress.planned == 10_000
    assert progress.skipped == {"no consent": 400, "opted out": 200}  # stop is said first
    assert progress.pending == 9_400
