"""App Home's "What changed": the public page's newest improvements, shown to every employee.

The real Bolt app publishes App Home through slack-sdk to the loopback Web API;
staff publish improvements as the console does (:func:`bot.publishing.publish`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot import publishing
from channels.slack.home import MAX_BLOCKS, public_page
from ecoute.wiring import Ecoute
from storage import improvements
from storage.improvements import NewImprovement
from storage.models import Respondent
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.announcements.conftest import improvement_for
from tests.conftest import Clock

PAGE = "https://feedback.example.com/you-said-we-did"  # the fixtures' ECOUTE_BASE_URL


def open_home(slack: SlackWorkspace, api: SlackEmulator, user: str) -> dict[str, Any]:
    """Open App Home as ``user``; return the view published for them."""
    published = len(api.calls("views.publish"))
    assert slack.home(user).status_code == 200
    call = api.wait_for("views.publish", published + 1)[-1]
    assert call.params["user_id"] == user
    return call.params["view"]


def what_changed(view: dict[str, Any]) -> list[str]:
    """Return the texts of App Home's "What changed" part, block by block."""
    blocks = view["blocks"]
    start = next(n for n, b in enumerate(blocks) if b["type"] == "header"
                 and b["text"]["text"] in ("What changed", "Ce qui a changé"))
    end = next((n for n, b in enumerate(blocks[start + 1:], start + 1)
                if b["type"] == "divider"), len(blocks))
    return [text_of(block) for block in blocks[start:end]]


def text_of(block: dict[str, Any]) -> str:
    """Return a block's visible text (a header's or section's, a context's elements')."""
    if "text" in block:
        return str(block["text"]["text"])
    return " ".join(str(e.get("text", "")) for e in block.get("elements") or [])


def write(ecoute: Ecoute, clock: Clock, we_did: str, *, you_said: str = "Support is slow",
          done_on: date | None = None, publish: bool = True) -> int:
    """Write an improvement a day after the previous one, and publish it; return its id."""
    clock.advance(days=1)
    with ecoute.db.transaction() as session:
        improvement = improvements.create(session, NewImprovement(
            you_said=you_said, we_did=we_did, language="en", created_by="staff:1",
            done_on=done_on), now=clock())
    if publish:
        publishing.publish(ecoute.db, improvement, actor="staff:1", now=clock())
    return improvement


def test_app_home_shows_the_five_newest_published_improvements_in_the_persons_language(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    for n in range(1, 7):  # published on 27 November … 2 December
        write(slack_ecoute, clock, f"Change {n}")
    write(slack_ecoute, clock, "A draft nobody sees yet", publish=False)
    write(slack_ecoute, clock, "The canteen opens at 11:30", done_on=date(2026, 11, 2),
          you_said="Lunch queues are too long")

    french = what_changed(open_home(slack_in_step, slack_api, "U2"))  # fr-FR
    assert french[:2] == ["Ce qui a changé", "Ce que nous avons changé grâce à ce que vous "
                          "nous avez dit, avis anonymes compris."]
    assert french[2:4] == ["Nous avons fait : The canteen opens at 11:30\n"
                           "Vous avez dit : Lunch queues are too long", "Fait le 2 novembre 2026"]
    assert french[4:6] == ["Nous avons fait : Change 6\nVous avez dit : Support is slow",
                           "Publié le 2 décembre 2026"]
    shown = [text.split("\n")[0] for text in french if text.startswith("Nous avons fait")]
    assert shown == ["Nous avons fait : " + t for t in (
        "The canteen opens at 11:30", "Change 6", "Change 5", "Change 4", "Change 3")]
    assert french[-1] == f"<{PAGE}?lang=fr|Tout ce que nous avons changé, sur la page publique>"

    english = what_changed(open_home(slack_in_step, slack_api, "U1"))  # en-US
    assert english[4:6] == ["We did: Change 6\nYou said: Support is slow",
                            "Published on December 2, 2026"]
    assert english[-1] == f"<{PAGE}?lang=en|Everything we changed, on the public page>"
    assert "draft" not in str(english) + str(french)


def test_an_employee_whose_feedback_was_only_anonymous_sees_what_changed_too(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    assert slack_in_step.command("U2").status_code == 200
    form = slack_api.wait_for("views.open")[-1].params["view"]
    slack_in_step.submit("U2", form, {"service": "it", "rating": "2", "comment": "VPN drops"},
                         anonymous=True)
    write(slack_ecoute, clock, "We replaced the VPN", you_said="The VPN drops")

    view = open_home(slack_in_step, slack_api, "U2")
    shown = what_changed(view)
    assert "Nous avons fait : We replaced the VPN\nVous avez dit : The VPN drops" in shown
    assert "VPN drops" not in str(view["blocks"][:6])  # their own feedback is not listed
    with slack_ecoute.db.transaction() as session:  # and App Home stored nobody
        assert session.scalar(select(func.count()).select_from(Respondent)) == 0


def test_what_changed_shows_staff_summaries_never_anyones_own_words(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    for said in ("start csat", "2", "my manager Bob shouts at me", "yes"):
        slack_in_step.dm("U1", said)
    with slack_ecoute.db.transaction() as session:
        ada = session.scalars(select(Respondent.id)).one()
    clock.advance(days=1)
    linked = improvement_for(slack_ecoute, [ada], we_did="Managers are trained")  # to her words
    publishing.publish(slack_ecoute.db, linked, actor="staff:1", now=clock())
    shown = str(what_changed(open_home(slack_in_step, slack_api, "U2")))
    assert "Managers are trained" in shown
    assert "Bob" not in shown and "shouts" not in shown


def test_long_texts_are_cut_to_slacks_limits_and_shown_as_plain_text(
        slack_in_step: SlackWorkspace, slack_api: SlackEmulator, slack_ecoute: Ecoute,
        clock: Clock) -> None:
    for n in range(5):
        write(slack_ecoute, clock, f"<!channel> & {n} " + "é" * 1990, you_said="<x>" * 166)
    view = open_home(slack_in_step, slack_api, "U1")
    changes = [b for b in view["blocks"] if b["type"] == "section"
               and b["text"]["text"].startswith("We did:")]
    assert len(changes) == 5
    for block in changes:
        text = block["text"]
        assert text["type"] == "plain_text" and len(text["text"]) <= 3000
        assert text["text"].startswith("We did: <!channel> & ") and "…\nYou said: <x>" in text[
            "text"]
    assert len(view["blocks"]) <= MAX_BLOCKS


def test_the_link_to_the_public_page_needs_a_public_base_url() -> None:
    assert public_page("https://feedback.example.com/", "fr") == f"{PAGE}?lang=fr"
    assert public_page("https://example.com/ecoute", "en") == (
        "https://example.com/ecoute/you-said-we-did?lang=en")
    for local in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", ""):
        assert public_page(local, "en") is None
