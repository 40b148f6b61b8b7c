"""Deadlines count in business hours: across a weekend, a public holiday, in the calendar's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.business_hours import Calendar
from bot.complaint_policy import ComplaintPolicy, Deadline, PolicyError
from storage.vocabulary import Priority

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """Return a moment of 2026 in Paris."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def test_hours_left_on_friday_go_on_on_monday() -> None:
    calendar = Calendar(timezone="Europe/Paris")
    # Friday 4 December 2026, 15:30: 1.5 h that day, 2.5 h on Monday 7th
    assert calendar.add(paris(4, 15, 30), 4) == paris(7, 11, 30)


def test_a_holiday_counts_as_no_working_day() -> None:
    calendar = Calendar(timezone="Europe/Paris", country="FR")
    # Thursday 24 December 16:00: 1 h; Christmas Friday, the weekend; Monday 28th 9-12
    assert calendar.add(paris(24, 16), 4) == paris(28, 12)
    assert Calendar(timezone="Europe/Paris").add(paris(24, 16), 4) == paris(25, 12), (
        "without the holidays, Christmas is a working day")


def test_a_complaint_filed_at_night_or_on_sunday_counts_from_opening_time() -> None:
    calendar = Calendar(timezone="Europe/Paris", country="FR")
    assert calendar.add(paris(8, 22), 2) == paris(9, 11)  # Tuesday night -> Wednesday 11:00
    assert calendar.add(paris(6, 10), 2) == paris(7, 11)  # Sunday -> Monday 11:00


def test_the_result_is_in_the_zone_of_the_start_and_respects_the_calendar_zone() -> None:
    calendar = Calendar(timezone="Europe/Paris")
    start = datetime(2026, 12, 4, 14, 30, tzinfo=UTC)  # 15:30 in Paris
    due = calendar.add(start, 4)
    assert due.tzinfo is UTC and due == paris(7, 11, 30)


def test_business_hours_between_two_moments_skip_nights_weekends_and_holidays() -> None:
    calendar = Calendar(timezone="Europe/Paris", country="FR")
    assert calendar.business_hours_between(paris(24, 16), paris(28, 12)) == 4
    assert calendar.business_hours_between(paris(28, 12), paris(24, 16)) == 0


def test_deadlines_follow_the_priority() -> None:
    policy = ComplaintPolicy(calendar=Calendar(timezone="Europe/Paris", country="FR"))
    acknowledge, resolve = policy.due(Priority.CRITICAL, paris(24, 16))  # 2 h, 16 h
    assert acknowledge == paris(28, 10)  # Thursday 1 h, Monday 1 h
    assert resolve == paris(29, 16)  # Thursday 1 h, Monday 8 h, Tuesday 7 h


def test_the_policy_reads_its_file_and_the_calendar_from_the_environment(
        tmp_path: Path) -> None:
    file = tmp_path / "complaints.yaml"
    file.write_text("importance: {delivery: high}\n"
                    "deadlines: {low: {acknowledge: 24, resolve: 120}}\n"
                    "calendar: {timezone: Europe/London, hours: '08:30-18:00'}\n")
    policy = ComplaintPolicy.from_env({
        "ECOUTE_COMPLAINTS_FILE": str(file), "ECOUTE_TIMEZONE": "Europe/Paris",
        "ECOUTE_WORKING_DAYS": "mon-sat", "ECOUTE_HOLIDAYS_COUNTRY": "fr"})
    assert policy.importance_of("delivery") == "high"
    assert policy.importance_of("anything else") == "medium"
    assert policy.deadlines[Priority.LOW] == Deadline(24, 120)
    assert policy.deadlines[Priority.CRITICAL] == Deadline(2, 16), "the others keep defaults"
    calendar = policy.calendar
    assert (calendar.timezone, calendar.country) == ("Europe/Paris", "FR"), "env wins"
    assert (calendar.opens, calendar.closes) == (time(8, 30), time(18, 0))
    assert calendar.working_days == frozenset(range(6))


@pytest.mark.parametrize(("env", "message"), [
    ({"ECOUTE_TIMEZONE": "Mars/Olympus"}, "ECOUTE_TIMEZONE must be a timezone"),
    ({"ECOUTE_WORKING_DAYS": "monday"}, "ECOUTE_WORKING_DAYS must name days"),
    ({"ECOUTE_WORKING_HOURS": "9-17"}, "ECOUTE_WORKING_HOURS must read like 09:00-17:00"),
    ({"ECOUTE_WORKING_HOURS": "18:00-09:00"}, "must open before it closes"),
    ({"ECOUTE_HOLIDAYS_COUNTRY": "XX"}, "ECOUTE_HOLIDAYS_COUNTRY must be a country code"),
    ({"ECOUTE_HOLIDAYS_COUNTRY": "FR-ZZ"}, "FR has no subdivision 'ZZ'"),
    ({"ECOUTE_COMPLAINTS_FILE": "/nonexistent/c.yaml"}, "cannot read /nonexistent/c.yaml"),
])
def test_bad_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        ComplaintPolicy.from_env(env)


@pytest.mark.parametrize(("text", "message"), [
    ("importance: {delivery: huge}", "importance.delivery: 'huge' is not one of"),
    ("deadlines: {urgent: {acknowledge: 1, resolve: 2}}", "'urgent' was unexpected"),
    ("deadlines: {low: {acknowledge: 0, resolve: 2}}", "deadlines.low.acknowledge"),
    ("deadlines: {low: {acknowledge: 9, resolve: 2}}", "acknowledge \\(9 h\\) comes after"),
    ("importance: [", "is not valid YAML"),
])
def test_a_bad_policy_file_is_named_with_the_key(tmp_path: Path, text: str,
                                                 message: str) -> None:
    file = tmp_path / "complaints.yaml"
    file.write_text(text)
    with pytest.raises(PolicyError, match=message):
        ComplaintPolicy.from_env({"ECOUTE_COMPLAINTS_FILE": str(file)})
