"""The worker's periodic jobs on APScheduler: the outbox, idle-conversation expiry, more later.

Jobs are module-level functions (importable, as a persistent job store would
need) that take what they work on as arguments: senders and the engine are
injected by the wiring, so the core imports no channel. Each job is safe to run
in several workers at once: the outbox claims rows with ``SKIP LOCKED`` and
expiry takes a cluster-wide advisory lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot import complaint_deadlines, complaint_notices, complaint_resolution, dashboard
from bot.engine import DialogueEngine
from bot.outbox import Dispatcher
from storage.locks import try_cluster_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: a function, its arguments and an APScheduler trigger."""

    id: str
    func: Callable[..., Any]
    trigger: str
    trigger_args: dict[str, Any]
    args: tuple[Any, ...] = field(default_factory=tuple)


def dispatch_outbox(dispatcher: Dispatcher) -> None:
    """Send the due proactive messages until none is due."""
    while True:
        report = dispatcher.run_once()
        if report.sent or report.failed or report.skipped or report.retried:
            log.info("outbox: %s", report)
        if not (report.sent or report.failed or report.skipped):
            return  # nothing due, or only deferrals and retries: wait for the next tick


def expire_idle(engine: DialogueEngine) -> None:
    """Mark idle conversations abandoned (their answers stay)."""
    count = engine.expire_idle()
    if count:
        log.info("marked %d idle conversation(s) abandoned", count)


def roll_daily_counts(engine: DialogueEngine) -> None:
    """Add the closed days to the dashboard's daily counts (the live tail stays short)."""
    with engine.db.transaction() as session:
        if try_cluster_lock(session, "roll_daily_counts"):
            dashboard.roll(session, engine.clock())


def watch_complaint_deadlines(engine: DialogueEngine) -> None:
    """Remind staff before complaint deadlines, escalate and record the missed ones."""
    report = complaint_deadlines.scan(engine.db, engine.settings, engine.clock())
    if report.reminders or report.escalations or report.breaches:
        log.info("complaint deadlines: %s", report)


def core_jobs(engine: DialogueEngine, dispatcher: Dispatcher, *,
              outbox_seconds: float = 1.0, expiry_seconds: float = 60.0) -> list[Job]:
    """Return the jobs every worker runs."""
    return [
        Job("outbox", dispatch_outbox, "interval", {"seconds": outbox_seconds}, (dispatcher,)),
        Job("expire_idle", expire_idle, "interval", {"seconds": expiry_seconds}, (engine,)),
        Job("roll_daily_counts", roll_daily_counts, "interval", {"minutes": 5}, (engine,)),
        Job("complaint_deadlines", watch_complaint_deadlines, "interval", {"minutes": 1},
            (engine,)),
    ]


def complaint_followups(engine: DialogueEngine, window: timedelta) -> None:
    """Close the resolved complaints nobody confirmed in ``window``; mark the notices sent."""
    now = engine.clock()
    closed = complaint_resolution.close_unanswered(engine.db, engine.settings, now=now,
                                                   window=window)
    if closed:
        log.info("closed %d resolved complaint(s) without confirmation", closed)
    complaint_notices.record_sent(engine.db, now)


def complaint_jobs(engine: DialogueEngine, *, window: timedelta,
                   seconds: float = 60.0) -> list[Job]:
    """Return the jobs of the complainant's side (each safe on several workers)."""
    return [Job("complaint_followups", complaint_followups, "interval", {"seconds": seconds},
                (engine, window))]


def build_scheduler(jobs: Sequence[Job], *, blocking: bool) -> BaseScheduler:
    """Return a scheduler (blocking for ``ecoute worker``, background for ``serve``)."""
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    start = datetime.now(UTC)  # a fresh worker catches up at once, then keeps the interval
    for job in jobs:
        scheduler.add_job(
            job.func, job.trigger, args=job.args, id=job.id, max_instances=1, coalesce=True,
            misfire_grace_time=30, next_run_time=start, **job.trigger_args,
        )
    return scheduler
