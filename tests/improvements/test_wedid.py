"""Slack's ``/wedid``: staff who write improvements save a draft from a modal; others are told no.

Through Bolt against the loopback Slack Web API: the staff account is found by the
email ``users.info`` gives (Slack's ``profile.email``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot import improvements, staff
from ecoute.wiring import Ecoute
from storage.models import AuditEntry
from testkit.emulators.slack import SlackEmulator, SlackWorkspace


def with_email(api: SlackEmulator, user: str, email: str) -> None:
    """Give a Slack user the email of their profile."""
    api.state.users[user]["profile"] = {"email": email}


def account(ecoute: Ecoute, email: str, role: str) -> int:
    """Create a staff account as the command line would."""
    return staff.create_account(ecoute.db, email, "a long enough password", role,
                                actor=staff.CLI, now=ecoute.engine.clock()).id


def open_modal(slack: SlackWorkspace, api: SlackEmulator, user: str) -> dict[str, Any]:
    """Run /wedid and return the modal the bot opened."""
    assert slack.command(user, "/wedid").status_code == 200
    return api.wait_for("views.open")[-1].params["view"]


def test_a_manager_saves_a_draft_from_the_modal(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    manager = account(slack_ecoute, "lea@example.com", "manager")
    with_email(slack_api, "U2", "Lea@Example.com")
    view = open_modal(slack_in_step, slack_api, "U2")
    assert view["title"]["text"] == "Vous avez dit, on a fait"
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels[0].startswith("Vous avez dit")
    submitted = slack_in_step.submit("U2", view, {
        "you_said": "Le VPN coupait toutes les heures", "we_did": "Nouveau VPN",
        "language": "fr"})
    answer = json.loads(submitted.get_data(as_text=True))
    assert answer["response_action"] == "update"
    saved = improvements.listing(slack_ecoute.db)
    assert [(i.you_said, i.language, i.created_by) for i in saved] == [
        ("Le VPN coupait toutes les heures", "fr", f"staff:{manager}")]
    assert f"nº {saved[0].id}" in answer["view"]["blocks"][0]["text"]["text"]
    with slack_ecoute.db.reading() as connection:
        assert connection.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "improvement_created")).scalar_one() == f"staff:{manager}"


def test_a_refused_draft_shows_beside_its_field(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    account(slack_ecoute, "max@example.com", "admin")
    with_email(slack_api, "U1", "max@example.com")
    view = open_modal(slack_in_step, slack_api, "U1")
    submitted = slack_in_step.submit("U1", view, {"you_said": "VPN drops", "we_did": "  ",
                                                  "language": "en"})
    answer = json.loads(submitted.get_data(as_text=True))
    assert answer == {"response_action": "errors", "errors": {
        "we_did": "Write what was done, in 1 to 2000 characters."}}
    assert improvements.listing(slack_ecoute.db) == []


def test_a_viewer_or_a_stranger_is_told_no_and_no_modal_opens(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    account(slack_ecoute, "vic@example.com", "viewer")
    with_email(slack_api, "U1", "vic@example.com")
    slack_api.add_user("U3")  # no email at all
    for user in ("U1", "U3"):
        assert slack_in_step.command(user, "/wedid").status_code == 200
    replies = slack_api.calls("response_url")
    assert len(replies) == 2 and all(r.params["response_type"] == "ephemeral" for r in replies)
    assert "/wedid is for staff" in replies[0].params["text"]
    assert slack_api.calls("views.open") == []


def test_an_account_disabled_after_the_modal_opened_saves_nothing(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    manager = account(slack_ecoute, "lea@example.com", "manager")
    account(slack_ecoute, "boss@example.com", "admin")
    with_email(slack_api, "U1", "lea@example.com")
    view = open_modal(slack_in_step, slack_api, "U1")
    staff.disable_account(slack_ecoute.db, manager, actor=staff.CLI,
                          now=slack_ecoute.engine.clock())
    answer = json.loads(slack_in_step.submit("U1", view, {
        "you_said": "VPN drops", "we_did": "New VPN", "language": "en"}).get_data(as_text=True))
    assert answer["response_action"] == "errors"
    assert improvements.listing(slack_ecoute.db) == []
