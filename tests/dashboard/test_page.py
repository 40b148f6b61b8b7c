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


SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def test_filters_live_in_the_url_and_links_keep_them(team: Team) -> None:
    answer(team, "ana", "10", channel="web")
    answer(team, "bruno", "2", channel="telegram")
    page = team.viewer.client.get("/admin/?channel=web&from=2026-11-01&to=2026-11-30&grain=month")
    html = page.get_data(as_text=True)
    text = text_of(html)
    assert "NPS 100.0 1 answers: 1 promoters" in text
    assert "From 2026-11-01 to 2026-11-30" in text
    assert '<option value="web" selected>web</option>' in html
    assert '<option value="month" selected>' in html
    live = re.search(r'data-live="([^"]+)"', html)
    assert live and "channel=web" in live.group(1) and "grain=month" in live.group(1)


def test_bad_filters_are_a_page_saying_so(team: Team) -> None:
    for query in ("from=yesterday", "grain=day", "from=2026-11-05&to=2026-11-01"):
        refused = team.viewer.client.get(f"/admin/?{query}")
        assert refused.status_code == 400, query
        assert refused.content_type.startswith("text/html")


def test_a_detractor_comment_links_to_its_conversation_and_is_escaped(team: Team) -> None:
    answer(team, "ana", "3", SCRIPT)
    html = team.viewer.client.get("/admin/").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    link = re.search(r'href="(/admin/conversations/[0-9a-f]+)"', html)
    assert link and team.viewer.client.get(link.group(1)).status_code == 200


def test_the_live_fragment_is_not_modified_until_an_answer_arrives(team: Team) -> None:
    first = team.viewer.client.get("/admin/dashboard/live")
    assert first.status_code == 200 and "0 answers" in first.get_data(as_text=True)
    tag = first.headers["ETag"]
    unchanged = team.viewer.client.get("/admin/dashboard/live", headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    answer(team, "ana", "9")
    changed = team.viewer.client.get("/admin/dashboard/live", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "NPS 100.0 1 answers" in text_of(changed.get_data(as_text=True))
    assert team.anonymous.client.get("/admin/dashboard/live").status_code == 302


def test_charts_are_svg_with_a_text_alternative_and_nothing_external(team: Team) -> None:
    answer(team, "ana", "9")
    html = team.viewer.client.get("/admin/?grain=month").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", html, re.DOTALL)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "<script" not in svg
        assert not re.search(r'(?:href|src)="(?!#)', svg), "an SVG references something"
    assert html.count("<details>") == 4 and "<summary>" in html
