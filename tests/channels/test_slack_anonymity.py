"""Anonymous feedback stays anonymous: nothing stored, exported or sent orders it or dates it.

Someone who can read the database, the exports and the Slack traffic knows the
named answers given just before and just after an anonymous one, to the second.
None of the anonymous answer's ids, times, language or messages may place it
between them or say which language its author speaks.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import small_groups
from bot.messages import Identity
from bot.outbox import Dispatcher
from bot.submissions import Submission
from ecoute.cli import cli
from ecoute.output import write_export, write_stats
from ecoute.wiring import Ecoute, outbox_settings
from storage import reports
from storage.models import Answer, Conversation, Delivery, InboundEvent
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.conftest import Clock

LOW = {"service": "it", "rating": "2", "comment": "The VPN drops every hour"}
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


def submit(slack: SlackWorkspace, api: SlackEmulator, user: str, *, anonymous: bool) -> Any:
    """Open /feedback as ``user`` and send a low rating; return Slack's response."""
    opened = len(api.calls("views.open"))
    assert slack.command(user).status_code == 200
    view = api.wait_for("views.open", opened + 1)[-1].params["view"]
    return slack.submit(user, view, LOW, anonymous=anonymous, view_id=f"V{user}")


def rows_by_kind(session: Session) -> dict[str, tuple[list[Any], list[Any]]]:
    """Return each table's (anonymous rows, named rows) among those a submission writes."""
    anonymous = session.scalars(
        select(Conversation).where(Conversation.respondent_id.is_(None))).one()
    split: dict[str, tuple[list[Any], list[Any]]] = {}
    tests = {
        Conversation: lambda row: row.id == anonymous.id,
        Answer: lambda row: row.conversation_id == anonymous.id,
        InboundEvent: lambda row: row.respondent_id is None,  # its id is a keyed hash
        Delivery: lambda row: anonymous.public_id in row.idempotency_key,
    }
    for model, is_anonymous in tests.items():
        rows = list(session.scalars(select(model)))
        split[model.__tablename__] = ([r for r in rows if is_anonymous(r)],
                                      [r for r in rows if not is_anonymous(r)])
    return split


def datetimes(row: Any) -> dict[str, datetime]:
    """Return every date-time column of a row that holds a value."""
    values = {c.name: getattr(row, c.key) for c in row.__table__.columns}
    return {name: value for name, value in values.items() if isinstance(value, datetime)}


def exported(ecoute: Ecoute, fmt: str, now: datetime) -> str:
    """Return the export as the command writes it."""
    out = io.StringIO()
    with ecoute.db.transaction() as session:
        write_export(session, out, fmt, None, now=now)
    return out.getvalue()


def test_nothing_orders_an_anonymous_answer_between_two_named_ones(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    settings = replace(outbox_settings(slack_ecoute.settings), respondent_rates={},
                       default_respondent_rate="100/second")
    slack_outbox = Dispatcher(slack_ecoute.db, slack_ecoute.senders, settings=settings,
                              clock=clock)  # the test's minutes pass in less than a second
    for user, locale in (("UA", "en-US"), ("UZQX7", "fr-FR"), ("UB", "en-US")):
        slack_api.add_user(user, locale=locale)
    clock.advance(minutes=17, seconds=20)  # 09:17:20, 09:17:25 and 09:17:30
    for user in ("UA", "UZQX7", "UB"):
        response = submit(slack, slack_api, user, anonymous=user == "UZQX7")
        assert response.status_code == 200
        slack_outbox.run_once()  # the worker sends what is due at once
        clock.advance(seconds=5)
    clock.now = datetime(2026, 11, 26, 9, 18, tzinfo=UTC)
    while clock.now < datetime(2026, 11, 26, 11, 0, tzinfo=UTC):  # the worker keeps running
        clock.advance(minutes=1)
        slack_outbox.run_once()

    with slack_ecoute.db.transaction() as session:
        tables = rows_by_kind(session)
        assert {name: len(rows[0]) for name, rows in tables.items()} == {
            "conversation": 1, "answer": 3, "inbound_event": 1, "delivery": 1}
        for name, (anonymous, named) in tables.items():
            ids = sorted(row.id for row in named)
            assert ids == list(range(ids[0], ids[0] + len(ids))), name  # no id skipped for it
            assert not [r.id for r in anonymous if ids[0] < r.id < ids[-1]], name
            for row in anonymous:  # the hour it was given, or random times after that hour
                for column, moment in datetimes(row).items():
                    assert moment == datetime(2026, 11, 26, 9, tzinfo=UTC) or (
                        moment >= datetime(2026, 11, 26, 10, 15, tzinfo=UTC)), (name, column)
        conversation = tables["conversation"][0][0]
        assert conversation.language == ""
        assert "fr" not in str(tables["inbound_event"][0][0].reply)
        assert tables["delivery"][0][0].status == "sent"

    for fmt in ("jsonl", "csv"):  # one anonymous answer in an open month: not exported
        text = exported(slack_ecoute, fmt, clock())
        assert conversation.public_id not in text and text.count("VPN") == 2

    assert {c.params["channel"] for c in slack_api.calls("chat.postMessage")} == {
        "DA", "DB", "CALERTS"}  # nothing in the anonymous author's DM
    alerts = [c.params for c in slack_api.calls("chat.postMessage")
              if c.params["channel"] == "CALERTS"]
    assert ["(anonymous)" in str(a["blocks"]) for a in alerts] == [False, False, True]
    assert "Merci" not in str(alerts) and "Informatique" not in str(alerts)


def test_a_named_row_after_only_anonymous_ones_takes_the_first_id(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    engine = slack_ecoute.engine
    engine.submit(Submission("slack", "internal", LOW, event_id="anon:1"))
    clock.advance(seconds=5)
    engine.submit(Submission("slack", "internal", LOW, sender=Identity("slack", "U1"),
                             event_id="view:2"))
    with slack_ecoute.db.transaction() as session:
        for name, (anonymous, named) in rows_by_kind(session).items():
            assert [row.id for row in named] == list(range(1, len(named) + 1)), name
            assert all(row.id < 0 for row in anonymous), name


def test_the_anonymous_alerts_due_time_says_nothing_of_the_minute(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    for minute, second in ((0, 1), (59, 59), (30, 0)):
        clock.now = datetime(2026, 11, 26, 9, minute, second, tzinfo=UTC)
        slack_ecoute.engine.submit(Submission("slack", "internal", LOW))
    with slack_ecoute.db.transaction() as session:
        due = list(session.scalars(select(Delivery.next_attempt_at)))
        created = set(session.scalars(select(Delivery.created_at)))
    assert created == {datetime(2026, 11, 26, 9, tzinfo=UTC)}
    for moment in due:
        assert datetime(2026, 11, 26, 10, 15, tzinfo=UTC) <= moment <= datetime(
            2026, 11, 26, 10, 45, tzinfo=UTC)
        assert moment.second == moment.microsecond == 0


def test_an_anonymous_form_is_thanked_in_the_form_not_in_the_dm(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    for user, thanks in (("U2", "Merci ! Votre avis a été envoyé anonymement."),
                         ("U1", "Thank you! Your feedback was sent anonymously.")):
        response = submit(slack, slack_api, user, anonymous=True)
        answer = response.get_json()
        assert answer["response_action"] == "update"
        text = json.dumps(answer["view"], ensure_ascii=False)
        assert thanks in text
        assert "VPN" not in text and "2/5" not in text and "IT" not in text
    assert slack_api.calls("chat.postMessage") == []


def anonymous_month(ecoute: Ecoute, clock: Clock, ratings: dict[str, int]) -> None:
    """Store, through November, anonymous ratings (count by service) and named ones."""
    clock.now = datetime(2026, 11, 3, 9, tzinfo=UTC)
    for service, count in ratings.items():
        for n in range(count):
            clock.advance(hours=20)
            ecoute.engine.submit(Submission("slack", "internal",
                                            {"service": service, "rating": str(2 + n % 3)}))
    for n in range(2):
        clock.advance(hours=3)
        ecoute.engine.submit(Submission("slack", "internal", {"service": "it", "rating": "5"},
                                        sender=Identity("slack", f"UN{n}")))


def test_results_count_anonymous_answers_only_in_closed_months_of_five(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    anonymous_month(slack_ecoute, clock, {"it": 5, "hr": 4})
    late = datetime(2026, 11, 20, tzinfo=UTC)  # any range inside November is November
    with slack_ecoute.db.transaction() as session:
        during = small_groups.service_results(session, late, late + timedelta(days=3),
                                              now=datetime(2026, 11, 30, tzinfo=UTC))
        after = small_groups.service_results(session, late, late + timedelta(days=3),
                                             now=DECEMBER)
    assert (during.start, during.end) == (after.start, after.end) == (NOVEMBER, DECEMBER)
    live = {row.service: row for row in during.rows}
    assert (live["it"].answers, live["it"].average, live["it"].anonymous) == (2, 5.0, 0)
    assert live["it"].withheld == live["hr"].withheld == "period_not_over"
    assert live["hr"].answers == 0
    closed = {row.service: row for row in after.rows}
    assert (closed["it"].answers, closed["it"].anonymous, closed["it"].average) == (7, 5, 3.43)
    assert closed["it"].withheld is None
    assert closed["hr"].withheld == "fewer_than_five" and closed["hr"].average is None
    assert closed["hr"].anonymous == 0 and closed["hr"].answers == 0


def test_the_results_command_says_it_counts_whole_months(slack_ecoute: Ecoute,
                                                         clock: Clock) -> None:
    anonymous_month(slack_ecoute, clock, {"it": 5, "hr": 1})
    done = CliRunner().invoke(cli, ["slack", "results", "--since", "2026-11-20", "--until",
                                    "2026-11-21"], env={"DATABASE_URL": slack_ecoute.db.url})
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert "2026-11-01 to 2026-12-01" in lines[0] and "calendar months" in lines[0]
    assert [line.split()[:6] for line in lines[2:]] == [
        ["2026-11", "hr", "0", "0", "-", "-"], ["2026-11", "it", "7", "5", "3.43", "43%"]]
    assert "fewer than 5 anonymous answers" in lines[2]


def test_the_export_holds_anonymous_answers_only_of_closed_months_of_five(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    anonymous_month(slack_ecoute, clock, {"it": 5, "hr": 4})  # four HR ones: kept out too
    clock.now = datetime(2026, 10, 30, 9, tzinfo=UTC)  # October: one anonymous answer
    slack_ecoute.engine.submit(Submission("slack", "internal", {"service": "hr", "rating": "1"},
                                          language="fr"))
    records = [json.loads(line) for line in exported(slack_ecoute, "jsonl", DECEMBER).splitlines()]
    anonymous = [r for r in records if r["anonymous"]]
    assert len(records) == 7 and len(anonymous) == 5
    assert records[:5] == anonymous  # ids order them apart from the named ones, not in time
    assert {(r["started_at"], r["completed_at"], r["language"]) for r in anonymous} == {
        ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "")}
    rows = list(csv.DictReader(io.StringIO(exported(slack_ecoute, "csv", DECEMBER))))
    assert [row["anonymous"] for row in rows] == ["true"] * 5 + ["false"] * 2
    assert {row["started_at"] for row in rows[:5]} == {"2026-11-01T00:00:00Z"}
    open_month = exported(slack_ecoute, "jsonl", datetime(2026, 11, 29, tzinfo=UTC))
    assert len(open_month.splitlines()) == 2


def test_statistics_count_the_same_anonymous_answers_as_every_other_output(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    anonymous_month(slack_ecoute, clock, {"it": 5, "hr": 4})  # named ones on November 11

    def responses(since: datetime | None, now: datetime) -> int:
        out = io.StringIO()
        with slack_ecoute.db.transaction() as session:
            write_stats(session, out, "json", since, now=now)
        return int(json.loads(out.getvalue())["csat"]["responses"])

    assert responses(None, datetime(2026, 11, 30, tzinfo=UTC)) == 2  # the month is not over
    assert responses(None, DECEMBER) == 7  # HR's four stay out
    assert responses(datetime(2026, 11, 5, tzinfo=UTC), DECEMBER) == 7  # November, whole
    assert responses(datetime(2026, 11, 12, tzinfo=UTC), DECEMBER) == 5
    assert responses(DECEMBER, DECEMBER) == 0


def test_the_export_pages_through_mixed_ids_and_yields_every_conversation_once(
        slack_ecoute: Ecoute, clock: Clock) -> None:
    for n in range(7):
        sender = Identity("slack", f"UN{n}") if n % 2 else None
        slack_ecoute.engine.submit(Submission("slack", "internal", LOW, sender=sender))
        clock.advance(minutes=1)
    with slack_ecoute.db.transaction() as session:
        stored = set(session.scalars(select(Conversation.public_id)))
        paged = [record["id"] for record in reports.conversations(session, batch=2)]
    assert len(paged) == len(stored) == 7 and set(paged) == stored


def test_the_commands_say_that_periods_are_whole_months(slack_ecoute: Ecoute,
                                                        clock: Clock) -> None:
    anonymous_month(slack_ecoute, clock, {"it": 5})
    env = {"DATABASE_URL": slack_ecoute.db.url}
    export = CliRunner().invoke(cli, ["export", "responses", "--since", "2026-11-20"], env=env)
    assert export.exit_code == 0, export.output
    assert "from 2026-11-01, the start of the calendar month of --since" in export.stderr
    assert len(export.stdout.splitlines()) == 7  # November's, whole (the named ones too)
    results = CliRunner().invoke(cli, ["slack", "results", "--since", "2026-11-20",
                                       "--format", "json"], env=env)
    found = json.loads(results.stdout)
    assert (found["start"], found["grid"]) == ("2026-11-01T00:00:00+00:00", "month")
    assert found["rows"][0] == {"bucket": "2026-11-01", "service": "it", "answers": 7,
                                "anonymous": 5, "average": 3.43, "satisfied": 42.9,
                                "withheld": None}
