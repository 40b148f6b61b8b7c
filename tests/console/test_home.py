"""``/admin/``: the console's home is the dashboard, real figures only (see tests/dashboard/)."""

from __future__ import annotations

import re

from tests.conftest import Person
from tests.console.conftest import Team


def test_home_shows_the_dashboards_headline_figures(team: Team) -> None:
    for name, score in (("ana", "10"), ("bruno", "9"), ("chloe", "3"), ("dan", "7")):
        person = Person(team.served.engine, name, locale="en")
        person.says("start nps")
        person.says(score)
    html = team.viewer.client.get("/admin/").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "NPS 25.0 4 answers: 2 promoters, 1 passives, 1 detractors" in text
    assert "CSAT — 0 answers, mean — out of 5" in text


def test_figures_older_than_the_default_year_are_left_out(team: Team) -> None:
    person = Person(team.served.engine, "ana", locale="en")
    person.says("start nps")
    person.says("10")
    team.served.engine.clock.advance(days=366)  # type: ignore[attr-defined]
    text = re.sub(r"<[^>]+>", " ", team.viewer.client.get("/admin/").get_data(as_text=True))
    assert "0 answers: 0 promoters" in re.sub(r"\s+", " ", text)
