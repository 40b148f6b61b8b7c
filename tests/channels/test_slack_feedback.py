"""``/feedback``: a modal to rate an internal service, under one's name or anonymously."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from bot import small_groups
from bot.messages import Identity
from bot.outbox import Dispatcher
from bot.submissions import Submission
from ecoute.wiring import Ecoute
from storage import reports
from storage.models import (
    Answer,
    Base,
    Conversation,
    Delivery,
    InboundEvent,
    Respondent,
)
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.conftest import Clock

RATING = {"service": "it", "rating": "2", "comment": "The VPN drops every hour"}


def open_modal(slack: SlackWorkspace, api: SlackEmulator, user: str = "U1") -> dict:
    """Run /feedback and return the modal the bot opened."""
    assert slack.command(user).status_code == 200
    call = api.wait_for("views.open")[-1]
    assert call.params["trigger_id"].startswith("trigger")
    return call.params["view"]


def stored_times(session: Session) -> set[datetime]:
    """Return every time stored about the feedback: its conversation, answers, turn, alert."""
    times: set[datetime] = set()
    for conversation in session.scalars(select(Conversation)):
        times |= {conversation.started_at, conversation.updated_at, conversation.completed_at}
    times |= set(session.scalars(select(Answer.created_at)))
    times |= set(session.scalars(select(InboundEvent.created_at)))
    times |= set(session.scalars(select(Delivery.created_at)))
    return {t.astimezone(UTC) for t in times if t is not None}


def tables_holding(session: Session, needle: str) -> list[str]:
    """Return every table with a row whose any column contains ``needle``."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [cast(column, String).contains(needle) for column in table.columns]
        if session.scalar(select(func.count()).select_from(table).where(or_(*columns))):
            found.append(table.name)
    return found


def test_feedback_opens_a_modal_with_the_services_in_the_persons_language(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    view = open_modal(slack, slack_api, "U2")
    assert view["title"]["text"] == "Votre avis"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    services = [o["text"]["text"] for o in blocks["service"]["element"]["options"]]
    assert services[:2] == ["Informatique", "Ressources humaines"]
    assert [o["value"] for o in blocks["rating"]["element"]["options"]] == list("12345")
    assert blocks["comment"]["optional"] is True
    assert blocks["ecoute_anonymous"]["element"]["options"][0]["text"]["text"] == (
        "Envoyer anonymement")


def test_a_submitted_modal_is_stored_and_confirmed_by_dm(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    view = open_modal(slack, slack_api)
    response = slack.submit("U1", view, {**RATING, "rating": "4"})
    assert response.status_code == 200 and response.get_data() == b""
    thanks = slack_api.wait_for("chat.postMessage")[0].params
    assert thanks["channel"] == "D1"
    assert thanks["text"] == "Thank you, your feedback will reach the service."
    with slack_ecoute.db.transaction() as session:
        records = list(reports.conversations(session))
        named = session.scalar(select(Conversation.respondent_id))
    assert records[0]["survey"] == "internal" and records[0]["status"] == "completed"
    assert records[0]["answers"] == {"service": "it", "rating": 4,
                                     "comment": "The VPN drops every hour"}
    assert named is not None


def test_a_missing_answer_comes_back_beside_its_field_and_nothing_is_stored(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    view = open_modal(slack, slack_api)
    response = slack.submit("U1", view, {"service": "hr"})
    assert response.status_code == 200
    assert response.get_json() == {"response_action": "errors",
                                   "errors": {"rating": "Please answer this question."}}
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_anonymous_feedback_leaves_no_trace_of_the_employee(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        slack_outbox: Dispatcher, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock.advance(minutes=17, seconds=23)  # 09:17:23
    slack_api.add_user("UZQX7", locale="en-GB")
    view = open_modal(slack, slack_api, "UZQX7")
    thanks = slack.submit("UZQX7", view, RATING, anonymous=True, view_id="VZQX7").get_json()
    assert "sent anonymously" in str(thanks["view"])  # in the modal, not in the DM
    assert slack_outbox.run_once().sent == 0  # the alert's time must not point at its author
    clock.advance(minutes=43)  # 10:00:23
    assert slack_outbox.run_once().sent == 0  # due 15 to 45 minutes after the hour's end
    clock.advance(minutes=46)
    assert slack_outbox.run_once().sent == 1  # the staff alert for a 2/5
    assert [c.params["channel"] for c in slack_api.calls("chat.postMessage")] == ["CALERTS"]
    alert = slack_api.calls("chat.postMessage")[-1].params
    assert alert["channel"] == "CALERTS" and "ZQX7" not in str(alert)
    assert "slack (anonymous)" in str(alert["blocks"])
    with slack_ecoute.db.transaction() as session:
        assert tables_holding(session, "ZQX7") == []  # user, DM channel and view ids
        assert session.scalar(select(Conversation.respondent_id)) is None
        assert stored_times(session) == {datetime(2026, 11, 26, 9, 0, tzinfo=UTC)}
        records = list(reports.conversations(session))
    assert "ZQX7" not in caplog.text and "VPN" not in caplog.text
    assert records[0]["answers"]["comment"] == "The VPN drops every hour"


def test_the_scan_would_find_a_named_employee(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack_api.add_user("UZQX7", locale="en-GB")
    slack.submit("UZQX7", open_modal(slack, slack_api, "UZQX7"), RATING, view_id="VZQX7")
    slack_api.wait_for("chat.postMessage")
    with slack_ecoute.db.transaction() as session:
        # only the person: the form's event id (its view id) is stored as a keyed hash
        assert sorted(tables_holding(session, "ZQX7")) == ["respondent"]


def test_a_resubmitted_modal_is_stored_once(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    view = open_modal(slack_in_step, slack_api)
    first = slack_in_step.submit("U1", view, RATING, anonymous=True).get_json()
    again = slack_in_step.submit("U1", view, RATING, anonymous=True).get_json()
    assert first == again and first["response_action"] == "update"  # thanked both times
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
    assert slack_api.calls("chat.postMessage") == []  # the thanks are in the modal


def test_app_home_lists_named_feedback_but_never_anonymous_feedback(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack.submit("U1", open_modal(slack, slack_api), {**RATING, "service": "hr",
                                                      "comment": "Fast answers"})
    slack_api.wait_for("chat.postMessage")
    slack.submit("U1", open_modal(slack, slack_api), {**RATING, "comment": "Secret gripe"},
                 anonymous=True, view_id="VANON")
    slack.home("U1")
    home = slack_api.wait_for("views.publish")[0].params
    assert home["user_id"] == "U1"
    text = str(home["view"]["blocks"])
    assert "Rate an internal service" in text and "HR · 2/5 · Fast answers" in text
    assert "Secret gripe" not in text


def test_a_services_results_are_withheld_below_five_anonymous_answers(
        slack_ecoute: Ecoute, clock) -> None:
    engine = slack_ecoute.engine
    for _n in range(4):
        engine.submit(Submission("slack", "internal", {"service": "hr", "rating": "2"}))
        engine.submit(Submission("slack", "internal", {"service": "it", "rating": "4"}))
    engine.submit(Submission("slack", "internal", {"service": "it", "rating": "5"}))
    for n in range(3):
        engine.submit(Submission("slack", "internal", {"service": "logistics", "rating": "5"},
                                 sender=Identity("slack", f"UN{n}")))
    since, month_over = clock() - timedelta(days=1), datetime(2026, 12, 1, tzinfo=UTC)
    with slack_ecoute.db.transaction() as session:
        results = {r.service: r for r in small_groups.service_results(
            session, since, clock() + timedelta(seconds=1), now=month_over).rows}
        later = small_groups.service_results(session, month_over,
                                             datetime(2030, 1, 1, tzinfo=UTC), now=month_over)
    assert (results["hr"].withheld, results["hr"].average) == ("fewer_than_five", None)
    assert results["hr"].anonymous == 0
    assert (results["it"].withheld, results["it"].average, results["it"].anonymous) == (
        None, 4.2, 5)
    assert not results["logistics"].withheld and results["logistics"].satisfied == 100.0
    assert later.rows == []
    with slack_ecoute.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 4  # hr alerts


def test_feedback_with_a_word_is_a_command_answered_in_the_dm(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    slack.command("U2", text="nps")
    question = slack_api.wait_for("chat.postMessage")[0].params
    assert question["channel"] == "D2" and question["text"].startswith("Quelle est la probabilit")
    slack.command("U2", text="stop")
    stopped = slack_api.wait_for("chat.postMessage", 2)[1].params
    assert stopped["text"].startswith("C'est fait")
    assert slack_api.calls("views.open") == []
    with slack_ecoute.db.transaction() as session:
        person = session.scalars(select(Respondent)).one()
        assert person.opted_out_at is not None and person.internal
