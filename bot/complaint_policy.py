"""The complaint policy: importance per category, deadlines per priority, the business calendar.

Defaults work as shipped; an installation changes them with a YAML file named by
``ECOUTE_COMPLAINTS_FILE`` and, for the calendar, with environment variables
(which win over the file)::

    importance: {delivery: medium, billing: high}   # category id: high | medium | low
    default_importance: medium                      # for a category with no rule
    deadlines:                                      # business hours, per priority
      critical: {acknowledge: 2, resolve: 16}
    calendar: {timezone: Europe/Paris, working_days: [mon, tue, wed, thu, fri],
               hours: "09:00-17:00", holidays: FR}

    ECOUTE_TIMEZONE=Europe/Paris  ECOUTE_WORKING_DAYS=mon-fri
    ECOUTE_WORKING_HOURS=09:00-17:00  ECOUTE_HOLIDAYS_COUNTRY=FR (or FR-75: a subdivision)

The categories themselves, with their French and English labels, are the options
of the ``category`` question of the complaint dialogue (``surveys/complaint.yaml``);
:meth:`ComplaintPolicy.check_categories` refuses a rule for a category it lacks.
Every problem is a :class:`PolicyError` naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

import holidays
import yaml
from jsonschema import Draft202012Validator

from bot import timezones
from bot.business_hours import WEEKDAYS, Calendar
from storage.vocabulary import Importance, Priority

HOURS = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
DEADLINE = {"type": "object", "properties": {
    "acknowledge": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000},
    "resolve": {"type": "number", "exclusiveMinimum": 0, "maximum": 10000}},
    "required": ["acknowledge", "resolve"], "additionalProperties": False}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "importance": {"type": "object",
                       "additionalProperties": {"enum": [i.value for i in Importance]}},
        "default_importance": {"enum": [i.value for i in Importance]},
        "deadlines": {"type": "object",
                      "properties": {p.value: DEADLINE for p in Priority},
                      "additionalProperties": False},
        "calendar": {"type": "object", "properties": {
            "timezone": {"type": "string"}, "hours": {"type": "string"},
            "working_days": {"type": "array", "items": {"enum": list(WEEKDAYS)},
                             "minItems": 1},
            "holidays": {"type": ["string", "null"]}}, "additionalProperties": False},
    },
    "additionalProperties": False,
}


class PolicyError(ValueError):
    """A complaint setting Écoute cannot use; the message names it."""


@dataclass(frozen=True)
class Deadline:
    """Business hours allowed to acknowledge a complaint (a human's first answer) and resolve it."""

    acknowledge: float
    resolve: float


DEFAULT_DEADLINES = {
    Priority.CRITICAL: Deadline(2, 16),
    Priority.HIGH: Deadline(4, 24),
    Priority.MEDIUM: Deadline(8, 40),
    Priority.LOW: Deadline(16, 80),
}
DEFAULT_IMPORTANCE = {"delivery": Importance.MEDIUM, "product_quality": Importance.HIGH,
                      "billing": Importance.HIGH, "service": Importance.MEDIUM,
                      "other": Importance.LOW}


@dataclass(frozen=True)
class ComplaintPolicy:
    """How complaints are prioritised and by when they are due."""

    importance: Mapping[str, Importance] = field(default_factory=lambda: DEFAULT_IMPORTANCE)
    default_importance: Importance = Importance.MEDIUM
    deadlines: Mapping[Priority, Deadline] = field(default_factory=lambda: DEFAULT_DEADLINES)
    calendar: Calendar = field(default_factory=Calendar)
    remind_at: float = 0.8  # share of a deadline's business hours after which staff are reminded

    def importance_of(self, category: str) -> Importance:
        """Return the importance the rules give a category."""
        return self.importance.get(category, self.default_importance)

    def due(self, priority: Priority, start: datetime) -> tuple[datetime, datetime]:
        """Return when a complaint filed at ``start`` must be acknowledged and resolved."""
        deadline = self.deadlines[Priority(priority)]
        return (self.calendar.add(start, deadline.acknowledge),
                self.calendar.add(start, deadline.resolve))

    def reminders(self, priority: Priority, start: datetime) -> tuple[datetime, datetime]:
        """Return when to remind staff before the acknowledgement and the resolution deadlines."""
        deadline = self.deadlines[Priority(priority)]
        return (self.calendar.add(start, deadline.acknowledge * self.remind_at),
                self.calendar.add(start, deadline.resolve * self.remind_at))

    def check_categories(self, categories: set[str], source: str) -> None:
        """Refuse an importance rule for a category the complaint dialogue does not offer."""
        unknown = sorted(set(self.importance) - categories)
        if unknown and self.importance is not DEFAULT_IMPORTANCE:
            raise PolicyError(f"ECOUTE_COMPLAINTS_FILE: importance names no category of "
                              f"{source}: {', '.join(unknown)}")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ComplaintPolicy:
        """Read the policy from ``ECOUTE_COMPLAINTS_FILE`` and the calendar's variables."""
        data = _read_file(env.get("ECOUTE_COMPLAINTS_FILE") or None)
        policy = cls()
        if "importance" in data:
            policy = replace(policy, importance={k: Importance(v)
                                                 for k, v in data["importance"].items()})
        if "default_importance" in data:
            policy = replace(policy, default_importance=Importance(data["default_importance"]))
        deadlines = {**DEFAULT_DEADLINES, **{Priority(k): Deadline(v["acknowledge"], v["resolve"])
                                             for k, v in data.get("deadlines", {}).items()}}
        for level, deadline in deadlines.items():
            if deadline.acknowledge > deadline.resolve:
                raise PolicyError(f"ECOUTE_COMPLAINTS_FILE: deadlines.{level}: acknowledge "
                                  f"({deadline.acknowledge} h) comes after resolve "
                                  f"({deadline.resolve} h)")
        return replace(policy, deadlines=deadlines,
                       calendar=_calendar(data.get("calendar", {}), env),
                       remind_at=_remind_at(env.get("ECOUTE_COMPLAINT_REMIND_AT") or "0.8"))


def _read_file(path: str | None) -> dict[str, Any]:
    """Return the policy file's validated mapping (empty without a file)."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise PolicyError(f"ECOUTE_COMPLAINTS_FILE: cannot read {path}: {error.strerror}") \
            from error
    except yaml.YAMLError as error:
        raise PolicyError(f"ECOUTE_COMPLAINTS_FILE: {path} is not valid YAML") from error
    errors = list(Draft202012Validator(SCHEMA).iter_errors(data))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise PolicyError(f"ECOUTE_COMPLAINTS_FILE: {path}: {where}: {errors[0].message}")
    return data  # type: ignore[no-any-return]


def _calendar(data: Mapping[str, Any], env: Mapping[str, str]) -> Calendar:
    """Build the business calendar: the environment first, then the file, then defaults."""
    zone = env.get("ECOUTE_TIMEZONE") or data.get("timezone") or "UTC"
    try:
        timezones.zone(zone)
    except ValueError as error:
        raise PolicyError(f"ECOUTE_TIMEZONE must be a timezone such as Europe/Paris, "
                          f"not {zone!r}") from error
    days = env.get("ECOUTE_WORKING_DAYS") or data.get("working_days") or "mon-fri"
    hours = env.get("ECOUTE_WORKING_HOURS") or data.get("hours") or "09:00-17:00"
    country = env.get("ECOUTE_HOLIDAYS_COUNTRY") or data.get("holidays") or None
    opens, closes = _hours(hours)
    code, subdivision = _country(country)
    return Calendar(timezone=zone, working_days=_days(days), opens=opens, closes=closes,
                    country=code, subdivision=subdivision)


def _days(raw: str | list[str]) -> frozenset[int]:
    """Read working days: ``mon-fri``, ``mon,tue,thu`` or a list of day names."""
    names = raw if isinstance(raw, list) else [p.strip() for p in raw.casefold().split(",")]
    days: set[int] = set()
    for name in names:
        first, _, last = name.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise PolicyError(f"ECOUTE_WORKING_DAYS must name days as mon-fri or "
                              f"mon,tue,wed, not {name!r}")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7),
                                                               *range(end + 1)])
    return frozenset(days)


def _hours(raw: str) -> tuple[time, time]:
    """Read opening hours ``09:00-17:00``."""
    found = HOURS.fullmatch(raw.strip())
    try:
        if found is None:
            raise ValueError(raw)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError as error:
        raise PolicyError(f"ECOUTE_WORKING_HOURS must read like 09:00-17:00, "
                          f"not {raw!r}") from error
    if not opens < closes:
        raise PolicyError(f"ECOUTE_WORKING_HOURS must open before it closes, not {raw!r}")
    return opens, closes


def _country(raw: str | None) -> tuple[str | None, str | None]:
    """Read a holidays country (``FR``) with an optional subdivision (``FR-75``)."""
    if raw is None:
        return None, None
    code, _, subdivision = raw.strip().upper().partition("-")
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise PolicyError(f"ECOUTE_HOLIDAYS_COUNTRY must be a country code the holidays "
                          f"library knows, such as FR or GB, not {raw!r}")
    if subdivision and subdivision not in supported[code]:
        raise PolicyError(f"ECOUTE_HOLIDAYS_COUNTRY: {code} has no subdivision {subdivision!r}")
    return code, subdivision or None


def _remind_at(raw: str) -> float:
    """Read the share of a deadline after which staff are reminded (0 < share < 1)."""
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 < share < 1:
        raise PolicyError(f"ECOUTE_COMPLAINT_REMIND_AT must be a share between 0 and 1 "
                          f"such as 0.8, not {raw!r}")
    return share
