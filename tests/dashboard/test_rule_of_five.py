"""The rule of five on the dashboard: anonymous feedback shows only in whole groups of at least
five, once their calendar month is over, whether counted live or from the monthly counts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot import dashboard
from storage import daily
from storage.filters import ResponseFilter
from tests.conftest import Clock, Person
from tests.console.conftest import Team


def forgotten(team: Team, count: int, score: str) -> None:
    """Have ``count`` people answer NPS then ask to be forgotten (linked to nobody)."""
    for index in range(count):
        person = Person(team.served.engine, f"p{score}-{index}", locale="en")
        person.says("start nps")
        person.says(score)
        person.says("forget")
        person.says("yes")


def nps_answers(team: Team, query: str = "") -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", team.viewer.client.get(
        f"/admin/?{query}").get_data(as_text=True)))
    found = re.search(r"NPS \S+ (\d+) answers", text)
    assert found
    return found.group(1)


def test_groups_under_five_and_open_months_are_withheld(team: Team, clock: Clock) -> None:
    clock.now = datetime(2026, 10, 10, tzinfo=UTC)
    forgotten(team, 4, "9")  # a group of four: never shown
    clock.now = datetime(2026, 10, 20, tzinfo=UTC)
    named = Person(team.served.engine, "named", locale="en")
    named.says("start nps")
    named.says("7")
    assert nps_answers(team) == "1"
    clock.now = datetime(2026, 11, 26, tzinfo=UTC)  # October is over
    assert nps_answers(team) == "1"
    clock.now = datetime(2026, 10, 25, tzinfo=UTC)
    forgotten(team, 1, "9")  # now five
    assert nps_answers(team) == "1", "October is still open"
    clock.now = datetime(2026, 11, 26, tzinfo=UTC)
    assert nps_answers(team) == "6"
    with team.served.db.transaction() as session:
        live = dashboard.summary(session, ResponseFilter(), clock())
        dashboard.roll(session, clock())
        assert daily.unlinked_pending(session) == datetime(2026, 11, 1).date()
        assert dashboard.summary(session, ResponseFilter(), clock()) == live
    assert nps_answers(team) == "6"
    # The week view of October shows the named answer only; the month view all six.
    assert nps_answers(team, "from=2026-10-01&to=2026-10-31") == "6"
    assert "NPS by week" in team.viewer.client.get("/admin/").get_data(as_text=True)


def test_a_forget_after_the_roll_joins_its_group_at_once(team: Team, clock: Clock) -> None:
    clock.now = datetime(2026, 10, 10, tzinfo=UTC)
    forgotten(team, 5, "0")
    late = Person(team.served.engine, "late", locale="en")
    late.says("start nps")
    late.says("10")
    clock.now = datetime(2026, 11, 26, tzinfo=UTC)
    with team.served.db.transaction() as session:
        dashboard.roll(session, clock())
    assert nps_answers(team) == "6"
    late.says("forget")
    late.says("yes")
    assert nps_answers(team) == "6", "linked to nobody now, counted in its group of six"
    with team.served.db.transaction() as session:
        assert daily.unlinked_pending(session) == datetime(2026, 10, 1).date()
        dashboard.roll(session, clock())
        assert daily.unlinked_pending(session) == datetime(2026, 11, 1).date()
        assert daily.stored(session) == daily.recount(session)
    assert nps_answers(team) == "6"
