"""``/admin/``: the dashboard, for every role, with its filters in the URL."""

from __future__ import annotations

import re

from tests.conftest import Person
from tests.console.conftest import Team


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def answer(team: Team, name: str, score: str, comment: str | None = None,
           channel: str = "test") -> None:
    person = Person(team.served.engine, name, channel=channel, locale="en")
    person.says("start nps")
    person.says(score)
    if comment:
        person.says(comment)


def test_every_role_sees_the_headline_figures_first(team: Team) -> None:
    for name, score in (("ana", "10"), ("bruno", "9"), ("chloe", "3"), ("dan", "7")):
        answer(team, name, score)
    for member in (team.viewer, team.manager, team.admin):
        page = member.client.get("/admin/")
        assert page.status_code == 200
        text = text_of(page.get_data(as_text=True))
        assert "NPS 25.0 4 answers: 2 promoters, 1 passives, 1 detractors" in text
        order = ("NPS 25.0", "Distribution of NPS scores", "Breakdowns")
        assert [text.index(part) for part in order] == sorted(text.index(p) for p in order)
    assert team.anonymous.client.get("/admin/").status_code == 302
