"""The dashboard, ``ecoute stats`` and ``GET /api/v1/stats`` give the same numbers for the same
filters: named answers on several channels, contexts and services, and a group of five
forgotten people (linked to nobody, counted by the rule of five).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import dashboard
from tests.conftest import Clock, Person
from tests.console.api_client import ApiCaller
from tests.console.conftest import Team
from tests.console.test_api import token
from tests.test_cli import ecoute as run_cli

FILTERS: list[dict[str, str]] = [
    {},
    {"from": "2026-10-03"},
    {"to": "2026-10-02"},
    {"from": "2026-10-02", "to": "2026-10-03"},
    {"channel": "web"},
    {"survey": "csat"},
    {"context": "shop12"},
    {"service": "it"},
    {"channel": "slack", "service": "hr", "from": "2026-10-01"},
]


def people_answer(team: Team, clock: Clock) -> None:
    """Fill October with answers on three channels, in two shops and for two services."""
    engine = team.served.engine
    clock.now = datetime(2026, 10, 1, 9, tzinfo=UTC)
    for day, (name, channel, score, context) in enumerate((
            ("ana", "web", "10", "shop12"), ("bruno", "web", "4", None),
            ("chloe", "telegram", "8", "shop12"), ("dan", "telegram", "9", "shop7"))):
        clock.advance(days=day)
        person = Person(engine, name, channel=channel, locale="en")
        person.says("start nps", context=context)
        person.says(score)
    for name, rating in (("emma", "5"), ("farid", "2")):
        person = Person(engine, name, channel="web", locale="fr")
        person.says("start csat")
        person.says(rating)
    for name, service, rating in (("gus", "it", "4"), ("hana", "hr", "1"), ("ivo", "it", "5")):
        person = Person(engine, name, channel="slack", locale="en")
        person.says("start internal")
        person.taps(service)
        person.says(rating)
    for index in range(5):  # five forgotten people: a group of five, shown once October is over
        person = Person(engine, f"gone{index}", channel="telegram", locale="en")
        person.says("start nps")
        person.says("0")
        person.says("forget")
        person.says("yes")
    clock.now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    with team.served.db.transaction() as session:
        dashboard.roll(session, clock())  # October is rolled up, the rest is the tail


def page_figures(team: Team, query: dict[str, str]) -> dict[str, Any]:
    """Read the headline figures off the dashboard page, as a person would."""
    html = team.viewer.client.get("/admin/", query_string=query).get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    def number(raw: str) -> float | None:
        return None if raw == "—" else float(raw.rstrip(" %"))

    nps = re.search(r"NPS (\S+) (\d+) answers: (\d+) promoters, (\d+) passives, (\d+) detr", text)
    csat = re.search(r"CSAT (\S+(?: %)?) (\d+) answers, mean (\S+) out of 5", text)
    ces = re.search(r"CES (\S+) (\d+) answers, mean on", text)
    assert nps and csat and ces, text[:500]
    return {
        "nps": {"score": number(nps[1]), "promoters": int(nps[3]), "passives": int(nps[4]),
                "detractors": int(nps[5]), "responses": int(nps[2])},
        "csat": {"score": number(csat[1]), "mean": number(csat[3]), "responses": int(csat[2])},
        "ces": {"mean": number(ces[1]), "responses": int(ces[2])},
    }


def cli_args(query: dict[str, str]) -> list[str]:
    return [arg for name, value in query.items() for arg in (f"--{name}", value)]


@pytest.fixture
def filled(team: Team, clock: Clock) -> Team:
    people_answer(team, clock)
    return team


def test_the_dashboard_the_command_line_and_the_api_agree_for_every_filter(
        filled: Team) -> None:
    api = ApiCaller(filled.app.test_client(), token(filled.served, "read"))
    seen = set()
    for query in FILTERS:
        answered = api.get("/stats", **query)
        assert answered.status_code == 200, answered.get_json()
        figures = answered.get_json()
        printed = run_cli("stats", "--format", "json", *cli_args(query),
                          url=filled.served.db.url)
        assert printed.returncode == 0, printed.stderr
        assert json.loads(printed.stdout) == figures, query
        assert page_figures(filled, query) == figures, query
        seen.add(json.dumps(figures, sort_keys=True))
    assert len(seen) == len(FILTERS), "each filter narrows to different answers"


def test_the_figures_are_the_ones_the_answers_make(filled: Team) -> None:
    api = ApiCaller(filled.app.test_client(), token(filled.served, "read"))
    everything = api.get("/stats").get_json()
    # Ana 10, Bruno 4, Chloe 8, Dan 9, and the five forgotten 0s (October is over).
    assert everything["nps"] == {"score": -44.4, "promoters": 2, "passives": 1,
                                 "detractors": 6, "responses": 9}
    assert api.get("/stats", context="shop12").get_json()["nps"]["responses"] == 2
    assert api.get("/stats", service="it").get_json()["csat"] == {
        "score": 100.0, "mean": 4.5, "responses": 2}


def test_stats_with_no_filter_prints_what_it_always_printed(filled: Team) -> None:
    table = run_cli("stats", "--format", "table", url=filled.served.db.url)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["metric", "score", "responses", "detail"]
    assert "NPS     -44.4  9          2 promoters, 1 passives, 6 detractors" in table.stdout


@pytest.mark.parametrize("query, message", [
    ({"from": "lundi"}, "from must be a day written YYYY-MM-DD"),
    ({"from": "2026-10-05", "to": "2026-10-01"}, "from must be a day before or equal to to"),
    ({"band": "promoter"}, "stats take from, to, channel, survey, context and service only"),
])
def test_bad_filters_are_refused_everywhere(team: Team, query: dict[str, str],
                                            message: str) -> None:
    api = ApiCaller(team.app.test_client(), token(team.served, "read"))
    refused = api.get("/stats", **query)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "bad_request", "message": message}
    assert team.viewer.client.get("/admin/", query_string=query).status_code == 400
    if "band" not in query:
        printed = run_cli("stats", *cli_args(query), url=team.served.db.url)
        assert printed.returncode == 1 and printed.stdout == ""
        assert len(printed.stderr.splitlines()) == 1 and "must be a day" in printed.stderr
