"""The personal announcement, decided and written when the outbox sends it.

At send time, for each announcement delivery the outbox asks :func:`prepare`: the
weekly cap (``ECOUTE_ANNOUNCEMENTS_PER_WEEK``, skipped as ``capped``), quiet hours in
the person's timezone where it is known, else the installation's
(``ECOUTE_QUIET_HOURS=21:00-08:00``: deferred to their end, never dropped), then the
message in the person's language: when and what they said (a short excerpt of their
own words, or the survey and their score), what was done, thanks, and "Does this
answer your concern?" with yes / partly / no.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from babel.dates import format_date

from bot import timezones
from bot.announcements import reference
from bot.i18n import choose_language, gettext_for, pick
from bot.messages import Choice, InputHint, Kind, Outbound
from storage import deliveries, improvements
from storage.db import Executor
from storage.deliveries import Claimed
from storage.improvements import Recall
from storage.vocabulary import DeliveryKind, ReactionAnswer

CAPPED = "capped"
EXCERPT = 90  # characters of the person's own words recalled


@dataclass(frozen=True)
class AnnouncementSettings:
    """Quiet hours (local start and end; None: none), the weekly cap, the default timezone.

    ``left_out_surveys`` names the complaint intake (the wiring sets it from the
    catalog): its dialogues are never what the message recalls.
    """

    quiet: tuple[time, time] | None = (time(21, 0), time(8, 0))
    per_week: int = 2
    timezone: str = "UTC"
    left_out_surveys: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AnnouncementSettings:
        """Read the quiet hours, the weekly cap and the timezone; ValueError on a bad value.

        ``ECOUTE_QUIET_HOURS`` is ``21:00-08:00`` (the default) or ``off``;
        ``ECOUTE_ANNOUNCEMENTS_PER_WEEK`` is 2 by default; ``ECOUTE_TIMEZONE`` is UTC.
        """
        raw = (env.get("ECOUTE_QUIET_HOURS") or "21:00-08:00").strip().lower()
        quiet = None if raw in ("off", "none", "") else _window(raw)
        cap = (env.get("ECOUTE_ANNOUNCEMENTS_PER_WEEK") or "2").strip()
        if not cap.isdecimal():
            raise ValueError(f"ECOUTE_ANNOUNCEMENTS_PER_WEEK must be a whole number, not {cap!r}")
        zone = (env.get("ECOUTE_TIMEZONE") or "UTC").strip()
        timezones.zone(zone)
        return cls(quiet, int(cap), zone)


def _window(raw: str) -> tuple[time, time]:
    """Parse ``HH:MM-HH:MM``."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ValueError(f"ECOUTE_QUIET_HOURS must look like 21:00-08:00 or be off, "
                         f"not {raw!r}") from None
    return start, end


@dataclass(frozen=True)
class Prepared:
    """What to do with one announcement now: send ``message``, skip it, or wait ``until``."""

    message: Outbound | None = None
    skip: str | None = None
    until: datetime | None = None


def quiet_until(now: datetime, settings: AnnouncementSettings,
                timezone: str | None) -> datetime | None:
    """Return when the person's quiet hours end, or None when it is not quiet for them now."""
    if settings.quiet is None:
        return None
    try:
        zone = timezones.zone(timezone) if timezone else timezones.zone(settings.timezone)
    except ValueError:
        zone = timezones.zone(settings.timezone)
    local = now.astimezone(zone)
    start, end = settings.quiet
    clock = local.time()
    quiet = start <= clock < end if start <= end else (clock >= start or clock < end)
    if not quiet:
        return None
    ending = datetime.combine(local.date(), end, tzinfo=zone)
    if ending <= local:
        ending = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return ending.astimezone(now.tzinfo)


def applies(delivery: Claimed) -> bool:
    """Say whether a delivery is an improvement's announcement, written at send time."""
    return delivery.kind == DeliveryKind.ANNOUNCEMENT and "improvement" in delivery.payload


def prepare(session: Executor, delivery: Claimed, now: datetime,
            settings: AnnouncementSettings, *, quiet: bool = True) -> Prepared:
    """Decide one announcement delivery at send time (``quiet``: apply quiet hours)."""
    return prepare_batch(session, [delivery], now, settings, quiet=quiet)[delivery.id]


def prepare_batch(session: Executor, batch: Sequence[Claimed], now: datetime,
                  settings: AnnouncementSettings, *, quiet: bool = True) -> dict[int, Prepared]:
    """Decide a batch of announcement deliveries at once: a few queries, not a few per person.

    Per person: skipped when the improvement is gone or the weekly cap is reached
    (counting what this batch admits), deferred to the end of their quiet hours, or
    the message written in their language.
    """
    people = [d.respondent_id for d in batch if d.respondent_id is not None]
    counts = deliveries.sent_counts(session, people, DeliveryKind.ANNOUNCEMENT,
                                    now - timedelta(days=7))
    decided: dict[int, Prepared] = {}
    by_improvement: dict[int, list[Claimed]] = {}
    for delivery in batch:
        by_improvement.setdefault(int(delivery.payload.get("improvement") or 0),
                                  []).append(delivery)
    for improvement_id, group in by_improvement.items():
        row = improvements.find(session, improvement_id)
        said = improvements.recalls(session, improvement_id,
                                    [d.respondent_id for d in group if d.respondent_id],
                                    left_out_surveys=settings.left_out_surveys)
        for delivery in group:
            person = delivery.respondent_id
            if row is None or person is None:
                decided[delivery.id] = Prepared(skip="improvement deleted")
                continue
            if counts.get(person, 0) >= settings.per_week:
                decided[delivery.id] = Prepared(skip=CAPPED)
                continue
            until = quiet_until(now, settings, delivery.timezone) if quiet else None
            if until is not None:
                decided[delivery.id] = Prepared(until=until)
                continue
            counts[person] = counts.get(person, 0) + 1
            language = choose_language(delivery.language, None, row.language)
            decided[delivery.id] = Prepared(message=compose(
                improvement_id, row.we_did, said.get(person), language))
    return decided


def compose(improvement_id: int, we_did: str, said: Recall | None, language: str) -> Outbound:
    """Write the personal message in ``language``, with its three answers."""
    _ = gettext_for(language)
    lines = [_recalled(said, language), _("Here is what we did: {we_did}").format(we_did=we_did),
             _("Thank you for telling us."), _("Does this answer your concern?")]
    labels = {ReactionAnswer.YES: _("Yes"), ReactionAnswer.PARTLY: _("Partly"),
              ReactionAnswer.NO: _("No")}
    return Outbound("\n\n".join(lines), Kind.ANNOUNCEMENT,
                    choices=tuple(Choice(a.value, label) for a, label in labels.items()),
                    ref=reference(improvement_id), expects=InputHint.CHOICE, language=language)


def _recalled(said: Recall | None, language: str) -> str:
    """Say when and what the person said: their words, else the survey and their score."""
    _ = gettext_for(language)
    if said is None:
        return _("You shared your feedback with us.")
    when = format_date(said.said_at.date(), format="long", locale=language)
    if said.words:
        words = " ".join(said.words.split())
        excerpt = words if len(words) <= EXCERPT else words[:EXCERPT - 1].rstrip() + "…"
        return _("On {date} you told us: “{words}”").format(date=when, words=excerpt)
    title = pick((said.survey or {}).get("title") or {"en": "?"}, language) \
        if isinstance((said.survey or {}).get("title"), dict) else str(
            (said.survey or {}).get("title") or "")
    if said.score is not None:
        return _("On {date} you answered our survey “{survey}” with a score of {score}.").format(
            date=when, survey=title, score=said.score)
    return _("On {date} you answered our survey “{survey}”.").format(date=when, survey=title)
