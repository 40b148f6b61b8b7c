"""The composition root: builds the store, the catalog, the engine, the senders, the jobs.

This is the only module that knows every part. The core (``bot/``) gets its
channel senders by injection from here; the web app and the CLI get everything
from :func:`build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler

from bot.context import EngineSettings
from bot.engine import Clock, DialogueEngine, utcnow
from bot.outbox import Dispatcher, OutboxSettings, Sender
from bot.scheduler import Job, build_scheduler, core_jobs
from bot.surveys import SurveyCatalog
from channels.slack_setup import slack_alert_targets, slack_jobs, slack_sender, slack_services
from channels.telegram_runtime import telegram_sender, telegram_services
from ecoute.config import Settings
from storage.db import Database


class Service(Protocol):
    """A long-running part started by ``serve`` and ``worker`` (polling, Socket Mode)."""

    def start(self) -> None:
        """Start in the background."""

    def stop(self) -> None:
        """Stop and release resources."""


@dataclass
class Ecoute:
    """Everything one process needs, built once from the settings."""

    settings: Settings
    db: Database
    catalog: SurveyCatalog
    engine: DialogueEngine
    senders: dict[str, Sender] = field(default_factory=dict)

    def dispatcher(self) -> Dispatcher:
        """Return an outbox dispatcher over the configured senders."""
        return Dispatcher(self.db, self.senders, settings=outbox_settings(self.settings),
                          clock=self.engine.clock)

    def jobs(self) -> list[Job]:
        """Return every periodic job of the worker."""
        return core_jobs(self.engine, self.dispatcher()) + slack_jobs(self)

    def scheduler(self, *, blocking: bool) -> BaseScheduler:
        """Return the worker's scheduler with every job added (not started)."""
        return build_scheduler(self.jobs(), blocking=blocking)

    def services(self) -> list[Service]:
        """Return the background services the configured channels need (Slack's Socket Mode)."""
        return [*slack_services(self), *telegram_services(
            self.settings.telegram, self.engine, self.settings.default_language)]

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


def build(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock = utcnow,
) -> Ecoute:
    """Build the application's parts from ``settings`` (the environment by default)."""
    settings = settings or Settings.from_env()
    db = database or Database(settings.database_url)
    catalog = SurveyCatalog.from_directory(settings.surveys_dir)
    engine = DialogueEngine(
        db,
        catalog,
        settings=EngineSettings(
            default_language=settings.default_language, idle_timeout=settings.idle_timeout,
            alert_targets=slack_alert_targets(settings.slack),
            console_url=settings.base_url,
        ),
        clock=clock,
    )
    return Ecoute(settings, db, catalog, engine, senders=build_senders(settings))


def build_senders(settings: Settings) -> dict[str, Sender]:
    """Return a sender per configured channel (a channel with no token has none)."""
    senders: dict[str, Sender] = {}
    if (slack := slack_sender(settings.slack)) is not None:
        senders["slack"] = slack
    if (telegram := telegram_sender(settings.telegram)) is not None:
        senders["telegram"] = telegram
    return senders


def outbox_settings(settings: Settings) -> OutboxSettings:
    """Return the outbox's rates per channel (counted where ``ECOUTE_RATE_LIMIT_STORAGE`` says)."""
    return OutboxSettings(
        channel_rates={"telegram": settings.telegram.rate, "slack": settings.slack.rate},
        respondent_rates={"telegram": settings.telegram.per_chat_rate},
        storage_uri=settings.rate_limit_storage,
    )
