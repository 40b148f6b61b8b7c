"""A worker process for the SIGKILL test: drains the outbox into a file, as a platform would.

Usage::

    python -m tests.announcements.kill_worker DATABASE_URL RECEIVED_FILE

Each message handed to the "platform" is one line (the address) appended and
flushed to ``RECEIVED_FILE`` before the dispatcher records it sent, so a kill at
any moment leaves the file saying exactly what the platform received. The worker
leases its claims for one second (so a restart takes over a dead worker's batch
quickly) and exits once nothing is pending.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from sqlalchemy import func, select

from bot.announcement_message import AnnouncementSettings
from bot.engine import utcnow
from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings
from storage.db import Database
from storage.models import Delivery
from storage.vocabulary import DeliveryStatus

SETTINGS = OutboxSettings(default_rate="100000/second", default_respondent_rate="100/second",
                          lease=1.0, batch=50,
                          announcements=AnnouncementSettings(quiet=None, per_week=5))


class FileSender:
    """The platform: what it received, one address a line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def send(self, address: str, message: Outbound) -> None:
        self.out.write(address + "\n")
        self.out.flush()


def pending(db: Database) -> int:
    """Count the deliveries still to send."""
    with db.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.PENDING)).scalar_one())


def main() -> None:
    """Drain the outbox until nothing is pending."""
    db = Database(sys.argv[1])
    with open(sys.argv[2], "a", encoding="utf-8") as out:
        worker = Dispatcher(db, {"test": FileSender(out)}, settings=SETTINGS, clock=utcnow)
        while True:
            report = worker.run_once()
            if not (report.sent or report.skipped or report.failed) and not pending(db):
                return
            if not report.sent:
                time.sleep(0.2)  # a dead worker's lease is running out


if __name__ == "__main__":
    main()
