"""The daily counts equal a recount from the answers: after answers, a roll, forget, a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from bot import dashboard, metrics, small_groups
from ecoute.wiring import Ecoute
from storage import daily
from storage.filters import ResponseFilter
from storage.models import DailyScore, DailyTotal, MonthlyScore
from tests.conftest import Clock, Person


def answer_nps(ecoute: Ecoute, name: str, score: str, comment: str | None = None,
               channel: str = "test") -> Person:
    """Have someone answer the NPS survey (and its why, when given)."""
    person = Person(ecoute.engine, name, channel=channel, locale="en")
    person.says("start nps")
    person.says(score)
    if comment:
        person.says(comment)
    return person


def raw_summary(ecoute: Ecoute, since: datetime | None = None) -> metrics.Summary:
    """Return the figures counted from the answers' rows (the way stats counted before)."""
    now = ecoute.engine.clock()
    with ecoute.db.transaction() as session:
        shown = small_groups.visible(session, now, since)
        return metrics.summary(session, since, visible=shown)


EVERYTHING = ResponseFilter()


def counted(ecoute: Ecoute, wanted: ResponseFilter = EVERYTHING) -> metrics.Summary:
    """Return the dashboard's headline figures."""
    with ecoute.db.transaction() as session:
        return dashboard.summary(session, wanted, ecoute.engine.clock())


def roll(ecoute: Ecoute) -> datetime:
    """Roll the closed days up, as the worker does."""
    with ecoute.db.transaction() as session:
        dashboard.roll(session, ecoute.engine.clock())
        return daily.rolled_until(session)


def assert_counts_equal_a_recount(ecoute: Ecoute) -> None:
    with ecoute.db.transaction() as session:
        assert daily.stored(session) == daily.recount(session)
        monthly: dict[tuple[object, ...], tuple[int, ...]] = {}
        for row in session.scalars(select(DailyScore)):
            key = (row.day.replace(day=1), row.channel, row.survey, row.context, row.service,
                   row.question_type)
            counts = tuple(getattr(row, name) for name in daily.COUNTS)
            monthly[key] = tuple(map(sum, zip(monthly.get(key, (0,) * 11), counts, strict=True)))
        assert {(row.month, row.channel, row.survey, row.context, row.service, row.question_type):
                tuple(getattr(row, name) for name in daily.COUNTS)
                for row in session.scalars(select(MonthlyScore))} == monthly


def test_figures_are_the_raw_figures_before_and_after_the_days_are_rolled_up(
        ecoute: Ecoute, clock: Clock) -> None:
    for name, score in (("ana", "10"), ("bruno", "9"), ("chloe", "3"), ("dan", "7")):
        answer_nps(ecoute, name, score)
    before = counted(ecoute)
    assert before.nps == metrics.Nps(25.0, 2, 1, 1, 4)
    clock.advance(days=2)
    assert roll(ecoute) == datetime(2026, 11, 28, tzinfo=UTC)
    answer_nps(ecoute, "emma", "0")  # in the live tail, after the roll
    assert counted(ecoute) == raw_summary(ecoute)
    assert counted(ecoute).nps == metrics.Nps(0.0, 2, 1, 2, 5)
    assert_counts_equal_a_recount(ecoute)


def test_a_period_counts_whole_days_like_stats_since(ecoute: Ecoute, clock: Clock) -> None:
    answer_nps(ecoute, "ana", "10")
    clock.advance(days=3)
    answer_nps(ecoute, "bruno", "2")
    roll(ecoute)
    since = datetime(2026, 11, 29, tzinfo=UTC)
    assert counted(ecoute, ResponseFilter(since=since)) == raw_summary(ecoute, since)
    assert counted(ecoute, ResponseFilter(since=since)).nps.responses == 1
    until = ResponseFilter(until=since)
    assert counted(ecoute, until).nps == metrics.Nps(100.0, 1, 0, 0, 1)


def test_forget_takes_the_persons_scores_out_of_the_named_counts(
        ecoute: Ecoute, clock: Clock) -> None:
    ana = answer_nps(ecoute, "ana", "10", "lovely")
    answer_nps(ecoute, "bruno", "4")
    clock.advance(days=2)
    roll(ecoute)
    ana.says("forget")
    ana.says("yes")
    assert_counts_equal_a_recount(ecoute)
    # Ana's answer is linked to nobody now: the rule of five keeps it out (a group of one).
    assert counted(ecoute).nps == metrics.Nps(-100.0, 0, 0, 1, 1) == raw_summary(ecoute).nps


def test_rebuild_recounts_everything_from_the_rows(ecoute: Ecoute, clock: Clock) -> None:
    for index in range(6):
        answer_nps(ecoute, f"p{index}", str(index + 5))
        clock.advance(hours=13)
    with ecoute.db.transaction() as session:
        dashboard.rebuild(session, clock())
        assert daily.rolled_until(session) == daily.midnight(clock() - daily.MARGIN)
    assert_counts_equal_a_recount(ecoute)
    with ecoute.db.transaction() as session:
        assert sum(map(sum, daily.stored(session).values())) == 6
    assert counted(ecoute) == raw_summary(ecoute)


def test_a_roll_adds_only_the_days_closed_a_margin_ago(ecoute: Ecoute, clock: Clock) -> None:
    answer_nps(ecoute, "ana", "10")
    roll(ecoute)
    clock.now = datetime(2026, 11, 27, 0, 10, tzinfo=UTC)  # ten minutes into the next day
    assert roll(ecoute) == datetime(2026, 11, 26, tzinfo=UTC)
    clock.advance(minutes=10)
    assert roll(ecoute) == datetime(2026, 11, 27, tzinfo=UTC)
    assert_counts_equal_a_recount(ecoute)
    assert counted(ecoute).nps.responses == 1


def test_anonymous_groups_of_five_in_closed_months_count(ecoute: Ecoute, clock: Clock) -> None:
    people = [answer_nps(ecoute, f"p{index}", "9") for index in range(5)]
    for person in people:
        person.says("forget")
        person.says("yes")
    assert counted(ecoute).nps.responses == 0  # November is still open
    clock.now = datetime(2026, 12, 2, tzinfo=UTC) + timedelta(hours=1)
    roll(ecoute)
    assert counted(ecoute).nps.responses == 5 == raw_summary(ecoute).nps.responses
    december = ResponseFilter(since=datetime(2026, 12, 1, tzinfo=UTC))
    assert counted(ecoute, december).nps.responses == 0


def test_whole_months_are_read_from_the_monthly_counts(ecoute: Ecoute, clock: Clock) -> None:
    answer_nps(ecoute, "ana", "10")
    answer_nps(ecoute, "bruno", "2")
    clock.advance(days=10)  # into December: November is over and rolled up
    roll(ecoute)
    answer_nps(ecoute, "chloe", "9")
    assert counted(ecoute) == raw_summary(ecoute)
    november = ResponseFilter(since=datetime(2026, 11, 1, tzinfo=UTC),
                              until=datetime(2026, 12, 1, tzinfo=UTC))
    assert counted(ecoute, november).nps == metrics.Nps(0.0, 1, 0, 1, 2)
    assert_counts_equal_a_recount(ecoute)
    with ecoute.db.transaction() as session:  # a whole month needs only its monthly counts
        session.execute(delete(DailyScore))
        session.execute(delete(DailyTotal))
    assert counted(ecoute, november).nps == metrics.Nps(0.0, 1, 0, 1, 2)
    partial = ResponseFilter(since=datetime(2026, 11, 2, tzinfo=UTC),
                             until=datetime(2026, 12, 1, tzinfo=UTC))
    assert counted(ecoute, partial).nps.responses == 0  # a part of a month needs its days
