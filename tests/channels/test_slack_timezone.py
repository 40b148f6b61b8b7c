"""A Slack employee's timezone: read from ``users.info`` once, kept, and used for quiet hours.

The real Bolt app and slack-sdk talk to the loopback Web API, whose users have
Slack's ``tz`` field. The timezone rides on the profile look-up the language hint
already makes (no Slack call of its own), is stored once while the person's row
has none, and an announcement due in the quiet hours of *their* zone waits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import String, cast, func, or_, select

from bot import publishing
from channels.slack.setup import slack_channel
from ecoute.wiring import Ecoute
from storage.models import Base, Delivery, Respondent
from storage.vocabulary import DeliveryKind, DeliveryStatus
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.announcements.conftest import improvement_for
from tests.channels.conftest import SLACK_SECRET
from tests.conftest import Clock


def timezone_of(ecoute: Ecoute, user: str) -> str | None:
    """Return the timezone stored for a Slack user."""
    with ecoute.db.transaction() as session:
        return session.scalars(select(Respondent.timezone).where(
            Respondent.channel == "slack", Respondent.external_id == user)).one()


def gives_feedback(slack: SlackWorkspace, user: str) -> None:
    """Answer CSAT in the DM with a comment, and agree to hear back."""
    for said in ("start csat", "2", "the printers jam", "yes"):
        assert slack.dm(user, said).status_code == 200


def announced(slack_api: SlackEmulator) -> list[str]:
    """Return the DMs the improvement's announcement was posted to, in order."""
    return [c.params["channel"] for c in slack_api.calls("chat.postMessage")
            if "We fixed the printers" in c.params["text"]]


def test_the_timezone_slack_gives_is_stored_when_the_person_is_first_seen(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("U3", tz="America/Los_Angeles")
    for said in ("hello", "help", "language fr"):
        slack_in_step.dm("U3", said)
    assert timezone_of(slack_ecoute, "U3") == "America/Los_Angeles"
    assert len(slack_api.calls("users.info")) == 1  # the language hint's look-up, nothing more


def test_a_stored_timezone_is_not_replaced_by_a_later_profile(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("U3", tz="America/Los_Angeles")
    slack_in_step.dm("U3", "hello")
    slack_api.add_user("U3", tz="Asia/Tokyo")  # they moved; another process reads it
    restarted = slack_channel(slack_ecoute.settings.slack, slack_ecoute.engine,
                              process_before_response=True)
    handler = SlackRequestHandler(restarted.app)
    app = Flask(__name__)
    app.post("/slack/events")(lambda: handler.handle(request))
    SlackWorkspace(app.test_client(), slack_api, SLACK_SECRET).dm("U3", "help")
    assert len(slack_api.calls("users.info")) == 2  # the new process read the profile
    assert timezone_of(slack_ecoute, "U3") == "America/Los_Angeles"


def test_a_timezone_zoneinfo_does_not_know_is_not_stored(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("U3", tz="Mars/Olympus_Mons")
    slack_api.add_user("U4", tz="../../etc/passwd")
    slack_api.add_user("U5", tz=None)
    for user in ("U3", "U4", "U5"):
        slack_in_step.dm(user, "hello")
        assert timezone_of(slack_ecoute, user) is None
    slack_api.add_user("U6", tz="Europe/Paris")
    slack_in_step.dm("U6", "hello")
    assert timezone_of(slack_ecoute, "U6") == "Europe/Paris"  # the same path stores a valid one


def test_a_named_form_stores_the_timezone_and_an_anonymous_one_does_not(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("U3", tz="Asia/Kolkata")
    slack_api.add_user("U4", tz="Asia/Kolkata")
    rating = {"service": "it", "rating": "4", "comment": "ok"}
    for user, anonymous in (("U3", False), ("U4", True)):
        slack_in_step.command(user)
        view = slack_api.calls("views.open")[-1].params["view"]
        slack_in_step.submit(user, view, rating, anonymous=anonymous, view_id=f"V{user}")
    assert timezone_of(slack_ecoute, "U3") == "Asia/Kolkata"
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Respondent).where(
            Respondent.external_id == "U4")) == 0  # anonymous: no row to hold it


def test_an_announcement_waits_for_the_end_of_the_quiet_hours_of_the_persons_own_zone(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    assert clock() == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 01:00 in Los Angeles
    slack_api.add_user("U3", tz="America/Los_Angeles")
    gives_feedback(slack_in_step, "U1")  # Europe/Paris: 10:00
    gives_feedback(slack_in_step, "U3")
    with slack_ecoute.db.transaction() as session:
        people = list(session.scalars(select(Respondent.id)))
    improvement = improvement_for(slack_ecoute, people, we_did="We fixed the printers")
    publishing.publish(slack_ecoute.db, improvement, actor="staff:1", now=clock())
    slack_ecoute.dispatcher().run_once()
    assert announced(slack_api) == ["D1"]  # Paris: 10:00; Los Angeles: 01:00, quiet
    with slack_ecoute.db.transaction() as session:
        waiting = session.scalars(select(Delivery).where(
            Delivery.kind == DeliveryKind.ANNOUNCEMENT,
            Delivery.status == DeliveryStatus.PENDING)).one()
        assert waiting.next_attempt_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 08:00 LA
    clock.now = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    slack_ecoute.dispatcher().run_once()
    assert announced(slack_api) == ["D1", "D3"]

def test_forget_erases_the_stored_timezone(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("U3", tz="Pacific/Chatham")
    slack_in_step.dm("U3", "hello")
    assert timezone_of(slack_ecoute, "U3") == "Pacific/Chatham"
    slack_in_step.dm("U3", "forget")
    slack_in_step.tap("U3", slack_api.calls("chat.postMessage")[-1], "forget:yes")
    assert "erased" in slack_api.calls("chat.postMessage")[-1].params["text"]
    with slack_ecoute.db.transaction() as session:
        holding = [table.name for table in Base.metadata.sorted_tables
                   if session.scalar(select(func.count()).select_from(table).where(or_(
                       *[cast(c, String).contains("Chatham") for c in table.columns])))]
    assert holding == []

