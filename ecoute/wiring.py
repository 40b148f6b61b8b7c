"""The composition root: builds the store, the catalog, the engine, the senders, the jobs.

This is the only module that knows every part. Channels are found in the
registry (:mod:`channels.registry`: the built-in ones and those installed
packages add); each one's facts fill the core's settings (which channels are
internal, which are pulled) and its parts (sender, services, jobs, alert
targets) are asked for here. The web app and the CLI get everything from
:func:`build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from bot import complaint_intake
from bot.context import EngineSettings
from bot.digest import digest_jobs
from bot.engine import Clock, DialogueEngine, utcnow
from bot.outbox import Dispatcher, OutboxSettings
from bot.scheduler import Job, build_scheduler, complaint_jobs, core_jobs
from bot.sending import Sender
from bot.surveys import SurveyCatalog
from bot.webhook_events import CHANNEL as WEBHOOK_CHANNEL
from channels.registry import ConfigError, Runtime, Service, registered
from channels.webhooks import WebhookSender
from ecoute.config import Settings
from storage.db import Database
from storage.installation import Keyring

__all__ = ["Ecoute", "Service", "build", "build_senders", "outbox_settings"]


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

    def runtime(self) -> Runtime:
        """Return what the channels may use of this process."""
        return Runtime(self.engine, self.settings.default_language)

    def jobs(self) -> list[Job]:
        """Return every periodic job of the worker: the core's, then each channel's."""
        jobs = core_jobs(self.engine, self.dispatcher())
        jobs += complaint_jobs(self.engine,
                               window=timedelta(days=self.settings.complaint_confirm_days))
        for name, channel in registered().items():
            jobs += channel.jobs(self.settings.channel_settings(name), self.runtime())
        jobs += digest_jobs(self.engine, self.settings.digests)
        return jobs

    def scheduler(self, *, blocking: bool) -> BaseScheduler:
        """Return the worker's scheduler with every job added (not started)."""
        return build_scheduler(self.jobs(), blocking=blocking)

    def services(self) -> list[Service]:
        """Return the background services the configured channels need (polling, Socket Mode)."""
        services: list[Service] = []
        for name, channel in registered().items():
            services += channel.services(self.settings.channel_settings(name), self.runtime())
        return services

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
    _check_complaints(settings, catalog)
    settings = _announcing(settings, catalog)
    channels = registered()
    targets = tuple(target for name, channel in channels.items()
                    for target in channel.alert_targets(settings.channel_settings(name)))
    engine = DialogueEngine(
        db,
        catalog,
        settings=EngineSettings(
            default_language=settings.default_language, idle_timeout=settings.idle_timeout,
            alert_targets=targets, console_url=settings.base_url,
            internal_channels=frozenset(n for n, c in channels.items() if c.internal),
            photo_channels=frozenset(n for n, c in channels.items() if c.photos),
            complaints=settings.complaints,
        ),
        clock=clock,
        keyring=Keyring.configured_or_stored(settings.secret_key, db),
    )
    return Ecoute(settings, db, catalog, engine, senders=build_senders(settings))


def _check_complaints(settings: Settings, catalog: SurveyCatalog) -> None:
    """Refuse a complaint dialogue the intake cannot read, or rules for unknown categories."""
    survey = catalog.complaint()
    if survey is None:
        return
    try:
        complaint_intake.check(survey)
        settings.complaints.check_categories(set(complaint_intake.categories(survey)),
                                             f"survey {survey.key!r}")
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _announcing(settings: Settings, catalog: SurveyCatalog) -> Settings:
    """Return the settings whose announcements never recall the complaint intake's dialogues."""
    intake = catalog.complaint()
    return replace(settings, announcements=replace(
        settings.announcements, left_out_surveys=(intake.key,) if intake else ()))


def build_senders(settings: Settings) -> dict[str, Sender]:
    """Return a sender per configured channel (a channel with no token has none), and webhooks'."""
    senders: dict[str, Sender] = {WEBHOOK_CHANNEL: WebhookSender(settings.webhooks)}
    for name, channel in registered().items():
        sender = channel.sender(settings.channel_settings(name))
        if sender is not None:
            senders[name] = sender
    return senders


def outbox_settings(settings: Settings) -> OutboxSettings:
    """Return the outbox's rates per channel (counted where ``ECOUTE_RATE_LIMIT_STORAGE`` says)."""
    return OutboxSettings(
        channel_rates={"telegram": settings.telegram.rate, "slack": settings.slack.rate,
                       WEBHOOK_CHANNEL: "100/second"},
        respondent_rates={"telegram": settings.telegram.per_chat_rate,
                          WEBHOOK_CHANNEL: settings.webhooks.rate},  # per webhook
        storage_uri=settings.rate_limit_storage,
        in_flight=settings.outbox_in_flight,
        pull_channels=frozenset(n for n, c in registered().items() if c.pull),
        announcements=settings.announcements,
    )
