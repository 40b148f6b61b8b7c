"""An employee complains about an internal service on Slack: ``/feedback complaint`` or App Home.

The Bolt app runs against the loopback Slack Web API; the complaint is filed in
the person's DM, under their name (the dialogue says so before anything is asked
when it is offered; asked for, it is theirs by definition).
"""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import Complaint
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.channels.test_slack_dm import buttons, posted


def answer_in_dm(slack: SlackWorkspace, api: SlackEmulator, user: str, first: int) -> str:
    """Answer the complaint dialogue whose first question is the ``first``-th post."""
    slack.tap(user, api.calls("chat.postMessage")[first - 1], "service")
    posted(api, first + 1)
    slack.dm(user, "The VPN has been down all morning")
    posted(api, first + 2)
    slack.tap(user, api.calls("chat.postMessage")[first + 1], "answer:skip")
    posted(api, first + 3)
    slack.tap(user, api.calls("chat.postMessage")[first + 2], "blocking")
    contact = posted(api, first + 4)[-1]
    assert contact["text"].startswith("May we contact you here about this complaint?"), (
        "no photo question on Slack")
    slack.tap(user, api.calls("chat.postMessage")[first + 3], "yes")
    return str(posted(api, first + 5)[-1]["text"])


def test_feedback_complaint_files_a_named_complaint_in_the_dm(
        slack: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute) -> None:
    assert slack.command("U1", text="complaint").status_code == 200
    question = posted(slack_api, 1)[0]
    assert question["channel"] == "D1"
    assert question["text"].startswith("What is your complaint about?")
    assert buttons(question)["Service"] == "service"
    filed = answer_in_dm(slack, slack_api, "U1", 1)
    assert filed.startswith("Your complaint is registered under the reference R-2026-0001.")
    with slack_ecoute.db.transaction() as session:
        complaint = session.scalars(select(Complaint)).one()
    assert (complaint.channel, complaint.category, complaint.respondent_id) == (
        "slack", "service", 1)


def test_app_homes_button_starts_the_complaint_in_french(
        slack: SlackWorkspace, slack_api: SlackEmulator) -> None:
    slack.home("U2")
    view = slack_api.wait_for("views.publish")[0].params["view"]
    actions = next(b for b in view["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["action_id"] == "ecoute_open_complaint")
    assert button["text"]["text"] == "Déposer une réclamation"
    assert slack.tap_view("U2", view, "ecoute_open_complaint").status_code == 200
    question = posted(slack_api, 1)[0]
    assert question["channel"] == "D2"
    assert question["text"].startswith("Sur quoi porte votre réclamation ?")
