"""The dashboard shows the newest published improvements, their effect and the answers to them."""

from __future__ import annotations

import re

from bot import announcements
from bot.outbox import Dispatcher
from ecoute.wiring import Ecoute
from tests.announcements.conftest import Feedback, improvement_for
from tests.conftest import Clock, Person
from tests.console.conftest import Team

WORDS = "the queue at the counter took forty minutes"


def section_of(html: str) -> str:
    """Return the text of the dashboard's improvements section, tags and spacing removed."""
    found = re.search(r'<section id="improvement-effects".*?</section>', html, re.DOTALL)
    assert found, "the dashboard has no improvements section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_dashboard_shows_an_improvement_s_effect_and_answers_in_english_and_french(
        team: Team, served: Ecoute, feedback: Feedback, dispatcher: Dispatcher,
        clock: Clock) -> None:
    people = [feedback("ana-4417", words=WORDS), feedback("bob-9023", words=WORDS)]  # NPS 3
    improvement = improvement_for(served, people, we_did="We opened a second counter")
    improvement_for(served, people, we_did="We repainted the waiting room")  # left a draft
    clock.advance(hours=1)
    team.manager.post(f"/admin/improvements/{improvement}/publish")
    clock.now = clock.now.replace(hour=12)  # outside the default quiet hours
    dispatcher.run_once()
    ref = announcements.reference(improvement)
    for name, answer in (("ana-4417", "yes"), ("bob-9023", "partly")):
        Person(served.engine, name, locale="en").send(choice_id=answer, ref=ref)
    clock.advance(days=2)
    ana = Person(served.engine, "ana-4417", locale="en")
    ana.says("start nps")
    ana.says("10")

    page = team.viewer.client.get("/admin/").get_data(as_text=True)
    shown = section_of(page)
    assert "Improvements and their effect" in shown
    assert "We opened a second counter 2026-11-26" in shown
    assert "NPS -100.0 (2) → 100.0 (1)" in shown
    assert "CSAT" not in shown and "CES" not in shown  # nobody in the group answered those
    assert "Yes 50.0 % · Partly 50.0 % · No 0.0 % (Answered: 2)" in shown
    assert "We repainted the waiting room" not in page
    link = f'href="/admin/improvements/{improvement}/announcement"'
    assert link in page and team.viewer.client.get(
        f"/admin/improvements/{improvement}/announcement").status_code == 200
    for private in (WORDS, "ana-4417", "bob-9023", "Support is slow"):
        assert private not in shown, private

    french = section_of(team.viewer.client.get(
        "/admin/", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "Améliorations et leur effet" in french
    assert "Publiée le" in french and "We opened a second counter 2026-11-26" in french
    assert "NPS -100.0 (2) → 100.0 (1)" in french
    assert "Oui 50.0 % · En partie 50.0 % · Non 0.0 % (Réponses : 2)" in french


def test_an_improvement_nobody_answered_yet_says_so_and_the_live_part_leaves_it_out(
        team: Team, served: Ecoute, feedback: Feedback, clock: Clock) -> None:
    assert "No improvement has been published yet." in section_of(
        team.viewer.client.get("/admin/").get_data(as_text=True))
    improvement = improvement_for(served, [feedback("cy-1180")], we_did="We shortened the form")
    clock.advance(hours=1)
    with served.db.transaction() as session:
        announcements.publish(session, improvement, actor="staff:1", now=clock())
    shown = section_of(team.viewer.client.get("/admin/").get_data(as_text=True))
    assert "We shortened the form" in shown
    assert "NPS -100.0 (1) → — (0)" in shown  # no survey answered since publication
    assert shown.count("No answers yet") == 1  # nobody answered "Does this answer your concern?"
    live = team.viewer.client.get("/admin/dashboard/live").get_data(as_text=True)
    assert "improvement-effects" not in live
