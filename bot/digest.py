"""The weekly voice-of-the-customer digest: what it holds, for whom, when, sent once per week.

:func:`build` reads one week (whole UTC days: the 7 days before the run's day, in
the configured time zone) for one scope: every service, or one internal service.
Its figures are the dashboard's (:func:`bot.dashboard.summary` over the same
:class:`~storage.filters.ResponseFilter`), so the digest and the console agree.
Quotes come from named free-text answers only (never an anonymous one, whatever
its group's size). A service's digest holds only that service's data: its
ratings and comments, the ideas and improvements about it; complaints (which
come from customers, not about an internal service) appear only in the digest
of everything.

Configuration (:class:`DigestSettings`)::

    ECOUTE_DIGESTS="C0GENERAL=all;C0ITTEAM=service:it"   # Slack channel id = scope, ";"-separated
    ECOUTE_DIGEST_DAY=mon        ECOUTE_DIGEST_HOUR=9
    ECOUTE_DIGEST_TIMEZONE=Europe/Paris   ECOUTE_DIGEST_LANGUAGE=fr

:func:`plan_digests` puts one delivery per target and week in the outbox, keyed
``digest:{address}:{scope}:{week's first day}``: every worker may run it, the
week is sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent
from sqlalchemy.orm import Session

from bot import dashboard, themes, timezones
from bot.engine import DialogueEngine
from bot.i18n import gettext_for
from bot.ideas import service_label
from bot.messages import Kind, Outbound
from bot.metrics import Summary
from bot.outbox import enqueue
from bot.scheduler import Job
from bot.surveys import SurveyCatalog
from storage import digests, reports
from storage import ideas as idea_store
from storage.db import Database
from storage.filters import ResponseFilter
from storage.vocabulary import DeliveryKind

log = logging.getLogger(__name__)
DOMAIN = "messages"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUOTES = 3
QUOTE_LENGTH = 140
TOP_THEMES = 3
SIGNED = "+#,##0.###;-#,##0.###"  # a change, its sign always shown (Babel's pattern syntax)
CHANNEL = "slack"


class DigestConfigError(ValueError):
    """The digest's configuration cannot be used (the message says which variable and why)."""


@dataclass(frozen=True)
class Scope:
    """What a digest covers: everything (``service`` None) or one internal service."""

    service: str | None = None

    @classmethod
    def parse(cls, raw: str) -> Scope:
        """Read ``all`` or ``service:<id>``."""
        text = raw.strip()
        if text == "all":
            return cls()
        kind, _, value = text.partition(":")
        if kind == "service" and value.strip() and " " not in value.strip():
            return cls(value.strip())
        raise DigestConfigError(f"a digest's scope is 'all' or 'service:<id>', not {raw!r}")

    def __str__(self) -> str:
        return "all" if self.service is None else f"service:{self.service}"


@dataclass(frozen=True)
class Target:
    """Where one digest goes (a Slack channel id) and what it covers."""

    address: str
    scope: Scope


def parse_targets(raw: str) -> tuple[Target, ...]:
    """Read ``ADDRESS=SCOPE;ADDRESS=SCOPE`` (empty: no digest)."""
    targets = []
    for part in raw.split(";"):
        if not part.strip():
            continue
        address, equals, scope = part.partition("=")
        address = address.strip()
        if not equals or not address or " " in address:
            raise DigestConfigError(
                f"ECOUTE_DIGESTS: each entry is CHANNEL=SCOPE (e.g. C0ITTEAM=service:it), "
                f"not {part.strip()!r}")
        targets.append(Target(address, Scope.parse(scope)))
    return tuple(targets)


@dataclass(frozen=True)
class DigestSettings:
    """Which channels get a digest, on which day and hour, in which zone and language."""

    targets: tuple[Target, ...] = ()
    day: str = "mon"
    hour: int = 9
    timezone: str = "UTC"
    language: str | None = None  # None: the default language

    @classmethod
    def from_env(cls, env: Mapping[str, str], languages: Sequence[str]) -> DigestSettings:
        """Read the ``ECOUTE_DIGEST*`` variables, or raise :class:`DigestConfigError`."""
        day = (env.get("ECOUTE_DIGEST_DAY") or "mon").strip().lower()[:3]
        if day not in DAYS:
            raise DigestConfigError(f"ECOUTE_DIGEST_DAY must be one of {', '.join(DAYS)}")
        hour = (env.get("ECOUTE_DIGEST_HOUR") or "9").strip()
        if not hour.isdecimal() or int(hour) > 23:
            raise DigestConfigError(f"ECOUTE_DIGEST_HOUR must be 0 to 23, not {hour!r}")
        zone = (env.get("ECOUTE_DIGEST_TIMEZONE") or "UTC").strip()
        try:
            timezones.zone(zone)
        except ValueError:
            raise DigestConfigError(f"ECOUTE_DIGEST_TIMEZONE: unknown time zone {zone!r}") from None
        language = (env.get("ECOUTE_DIGEST_LANGUAGE") or "").strip().lower() or None
        if language is not None and language not in languages:
            raise DigestConfigError(
                f"ECOUTE_DIGEST_LANGUAGE must be one of {', '.join(languages)}, not {language!r}")
        return cls(parse_targets(env.get("ECOUTE_DIGESTS") or ""), day, int(hour), zone,
                   language)

    def trigger_args(self) -> dict[str, object]:
        """Return the APScheduler ``cron`` arguments of the weekly run."""
        return {"day_of_week": self.day, "hour": self.hour, "minute": 0,
                "timezone": self.timezone}


@dataclass(frozen=True)
class Week:
    """A digest's period [since, until) and the one before it, in whole UTC days."""

    since: datetime
    until: datetime

    @property
    def previous(self) -> Week:
        """Return the week before."""
        return Week(self.since - timedelta(days=7), self.since)


def week_before(now: datetime, timezone: str = "UTC") -> Week:
    """Return the 7 whole days before the day ``now`` falls on in ``timezone``."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    until = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return Week(until - timedelta(days=7), until)


@dataclass(frozen=True)
class ThemeQuotes:
    """A theme of the week's comments: its words, how many comments it leads, short quotes."""

    words: tuple[str, ...]
    texts: int
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class ImprovementNews:
    """An improvement published this week and the reactions to it (yes, partly, no)."""

    we_did: str
    reactions: Mapping[str, int]


@dataclass(frozen=True)
class Digest:
    """One week of the voice of the customer, for one scope."""

    scope: Scope
    week: Week
    answers: int
    figures: Summary
    before: Summary
    themes: tuple[ThemeQuotes, ...] = ()
    complaints: Mapping[str, int] = field(default_factory=dict)
    missed_deadlines: int = 0
    improvements: tuple[ImprovementNews, ...] = ()
    ideas: int = 0


def scope_filter(scope: Scope, week: Week) -> ResponseFilter:
    """Return the dashboard's filter for a scope and a week."""
    return ResponseFilter(since=week.since, until=week.until, service=scope.service)


def build(session: Session, scope: Scope, week: Week, now: datetime,
          default_language: str = "en") -> Digest:
    """Read one week's digest for ``scope``."""
    wanted = scope_filter(scope, week)
    figures = dashboard.summary(session, wanted, now)
    before = dashboard.summary(session, scope_filter(scope, week.previous), now)
    everything = scope.service is None
    return Digest(
        scope=scope, week=week, answers=_responses(figures), figures=figures, before=before,
        themes=tuple(_themes(session, wanted, default_language)),
        complaints=digests.new_complaints(session, week.since, week.until) if everything else {},
        missed_deadlines=digests.missed_deadlines(session, now) if everything else 0,
        improvements=tuple(
            ImprovementNews(p.we_did, p.reactions)
            for p in digests.published(session, week.since, week.until)
            if everything or scope.service in (p.concerns.get("services") or [])),
        ideas=sum(idea_store.received(session, week.since, week.until, scope.service).values()),
    )


def _responses(figures: Summary) -> int:
    """Return how many scores the figures count (the dashboard's "responses")."""
    return figures.nps.responses + figures.csat.responses + figures.ces.responses


def _themes(session: Session, wanted: ResponseFilter,
            default_language: str) -> list[ThemeQuotes]:
    """Return the week's top themes with a few short quotes each (named answers only)."""
    texts = reports.comment_texts(session, wanted, themes.MAX_TEXTS)
    found = themes.themes(texts, default_language)[:TOP_THEMES]
    return [ThemeQuotes(theme.words, theme.texts, tuple(_quotes(theme.words, texts, theme.language,
                                                               default_language)))
            for theme in found]


def _quotes(words: Sequence[str], texts: Sequence[tuple[str, str]], language: str,
            default_language: str) -> list[str]:
    """Return up to :data:`QUOTES` short texts of the theme's language using its leading word."""
    if not words:
        return []
    lead = words[0].casefold()
    picked: list[str] = []
    for text, written_in in texts:
        if (written_in if written_in in themes.LANGUAGES else default_language) != language:
            continue
        line = " ".join(text.split())
        if lead in line.casefold() and line not in picked:
            picked.append(line)
        if len(picked) == QUOTES:
            break
    return [q if len(q) <= QUOTE_LENGTH else q[:QUOTE_LENGTH - 1] + "…" for q in picked]


# -- in words ----------------------------------------------------------------------------------


def _moved(now: float | None, before: float | None, language: str, _: Callable[[str], str],
           *, percent: bool = False) -> str:
    """Return a figure and how it moved since the week before, written as ``language`` does."""
    if now is None:
        return _("no answers")
    shown = format_percent(Decimal(str(now)) / 100, locale=language,
                           decimal_quantization=False) if percent \
        else format_decimal(now, locale=language)
    if before is None:
        return _("{figure} (no answers the week before)").format(figure=shown)
    change = round(now - before, 1)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    return _("{figure} ({arrow} {change} since the week before)").format(
        figure=shown, arrow=arrow, change=format_decimal(change, SIGNED, locale=language))


def to_outbound(digest: Digest, language: str, scope_label: str) -> Outbound:
    """Return the digest as one message in sections (Slack lays them out; text falls back)."""
    _ = gettext_for(language, DOMAIN)
    now, before = digest.figures, digest.before
    title = _("Voice of the customer, {since} to {until}: {scope}").format(
        since=f"{digest.week.since:%Y-%m-%d}",
        until=f"{digest.week.until - timedelta(days=1):%Y-%m-%d}", scope=scope_label)
    scores = "\n".join((
        _("NPS: {figure}").format(figure=_moved(now.nps.score, before.nps.score, language, _)),
        _("CSAT: {figure}").format(figure=_moved(now.csat.score, before.csat.score, language, _,
                                                 percent=True)),
        _("CES: {figure}").format(figure=_moved(now.ces.mean, before.ces.mean, language, _))))
    sections = [(_("Answers"), _("Scores given: {count}").format(count=digest.answers)),
                (_("Scores"), scores)]
    if digest.themes:
        sections.append((_("Top themes"), "\n".join(_theme_lines(digest.themes, _))))
    if digest.scope.service is None:
        listed = ", ".join(f"{name} {count}" for name, count in sorted(digest.complaints.items()))
        said = _("New: {count}{detail}; past a deadline: {missed}")
        sections.append((_("Complaints"), said.format(
            count=sum(digest.complaints.values()), detail=f" ({listed})" if listed else "",
            missed=digest.missed_deadlines)))
    if digest.improvements:
        sections.append((_("Improvements published"), "\n".join(
            _("• {we_did}: yes {yes} · partly {partly} · no {no}").format(
                we_did=news.we_did, yes=news.reactions.get("yes", 0),
                partly=news.reactions.get("partly", 0), no=news.reactions.get("no", 0))
            for news in digest.improvements)))
    sections.append((_("Ideas"), _("Ideas received: {count}").format(count=digest.ideas)))
    return Outbound(title, Kind.DIGEST, language=language, fields=tuple(sections))


def _theme_lines(found: Sequence[ThemeQuotes], _: Callable[[str], str]) -> list[str]:
    """Return each theme as a line, its quotes below it."""
    lines = []
    for theme in found:
        lines.append(_("• {words} (comments: {count})").format(
            words=", ".join(theme.words), count=theme.texts))
        lines += [f"   “{quote}”" for quote in theme.quotes]
    return lines


def as_text(message: Outbound) -> str:
    """Return a digest as plain text (the terminal's preview)."""
    parts = [message.text, ""]
    for heading, body in message.fields:
        parts += [heading, *("  " + line for line in body.splitlines()), ""]
    return "\n".join(parts)


# -- once a week -------------------------------------------------------------------------------


Label = Callable[[Scope, str], str]


def digest_key(target: Target, week: Week) -> str:
    """Return the outbox key of one target's digest for one week."""
    return f"digest:{target.address}:{target.scope}:{week.since:%Y-%m-%d}"


def plan_digests(db: Database, settings: DigestSettings, *, now: datetime, label: Label,
                 default_language: str = "en", channel: str = CHANNEL) -> int:
    """Plan this week's digest of every target in the outbox; return how many are new.

    Run by every worker at the configured hour: the key makes each week's digest
    of a target one delivery, whoever plans it first.
    """
    week = week_before(now, settings.timezone)
    language = settings.language or default_language
    planned = 0
    for target in settings.targets:
        with db.transaction() as session:
            digest = build(session, target.scope, week, now, language)
        message = to_outbound(digest, language, label(target.scope, language))
        planned += int(enqueue(db, key=digest_key(target, week), kind=DeliveryKind.DIGEST,
                               channel=channel, message=message, address=target.address,
                               now=now))
    return planned


def labeller(catalog: SurveyCatalog) -> Label:
    """Return how a scope is named: "All services", or the service's label."""
    def label(scope: Scope, language: str) -> str:
        if scope.service is None:
            return gettext_for(language, DOMAIN)("All services")
        return service_label(catalog, scope.service, language)

    return label


def send_weekly(engine: DialogueEngine, settings: DigestSettings) -> None:
    """The worker's weekly job: plan the week's digests (the outbox sends them)."""
    planned = plan_digests(engine.db, settings, now=engine.clock(),
                           label=labeller(engine.catalog),
                           default_language=engine.settings.default_language)
    if planned:
        log.info("digest: %d planned", planned)


def digest_jobs(engine: DialogueEngine, settings: DigestSettings) -> list[Job]:
    """Return the weekly digest's job when a target is configured."""
    if not settings.targets:
        return []
    return [Job("weekly_digest", send_weekly, "cron", settings.trigger_args(),
                (engine, settings))]
