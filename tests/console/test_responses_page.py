"""``/admin/responses``: the browser's filters and pages, its links both ways, escaped text."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.conftest import Person
from tests.console.conftest import Team

SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def answer(team: Team, name: str, score: str, comment: str | None = None,
           context: str | None = None) -> str:
    """Let someone answer the NPS survey; return the conversation."""
    person = Person(team.served.engine, name, locale="en")
    person.send(command="start", argument="nps", context=context)
    person.says(score)
    if comment:
        person.says(comment)
    return person.last.conversation  # type: ignore[union-attr,return-value]


def links(html: str, text: str) -> list[str]:
    """Return the targets of the links whose text is ``text``."""
    return [unescape(href) for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>',
                                                          html) if label.strip() == text]


def test_a_manager_filters_the_list_and_sees_who_answered(team: Team) -> None:
    slow = answer(team, "ana-5150", "3", "Trop lent")
    answer(team, "bruno-77", "10", "Parfait")
    page = team.manager.client.get("/admin/responses?band=detractor&comment=yes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trop lent" in html and "Parfait" not in html
    assert "ana-5150" in html, "the manager sees the person"
    assert f'/admin/conversations/{slow}?band=detractor&amp;comment=yes"' in html
    assert 'name="band"' in html and '<option value="detractor" selected>' in html


def test_a_viewer_sees_the_answers_but_nobody(team: Team) -> None:
    answer(team, "ana-5150", "3", "Trop lent")
    html = team.viewer.client.get("/admin/responses").get_data(as_text=True)
    assert "Trop lent" in html and "ana-5150" not in html


def test_free_text_in_the_list_shows_as_text(team: Team) -> None:
    answer(team, "zoe", "2", SCRIPT, context="<b>shop</b>")
    html = team.admin.client.get("/admin/responses").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>shop" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;shop&lt;/b&gt;" in html


def test_the_detail_page_leads_back_to_the_same_filtered_page(team: Team) -> None:
    for n in range(3):
        answer(team, f"p{n}", "2", f"comment {n}")
        team.served.engine.clock.advance(minutes=1)  # type: ignore[attr-defined]
    first = team.manager.client.get("/admin/responses?band=detractor").get_data(as_text=True)
    assert "comment 2" in first
    [detail] = [link for link in links(first, "Open") if "comment" not in link][:1] or \
        links(first, "Open")[:1]
    back = links(team.manager.client.get(detail).get_data(as_text=True),
                 "← Back to the responses")
    assert back == ["/admin/responses?band=detractor"]


def test_newer_and_older_links_walk_the_pages(team: Team, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web.console import responses as view

    monkeypatch.setattr(view, "PAGE", 2)
    for n in range(5):
        answer(team, f"p{n}", "9", f"number {n}")
        team.served.engine.clock.advance(minutes=1)  # type: ignore[attr-defined]
    seen, path = [], "/admin/responses?channel=test"
    while True:
        html = team.viewer.client.get(path).get_data(as_text=True)
        seen.append(re.findall(r"number (\d)", html))
        older = links(html, "Older →")
        if not older:
            break
        assert parse_qs(urlsplit(older[0]).query)["channel"] == ["test"]
        path = older[0]
    assert seen == [["4", "3"], ["2", "1"], ["0"]]
    newer = links(html, "← Newer")
    assert re.findall(r"number (\d)", team.viewer.client.get(newer[0]).get_data(as_text=True)) \
        == ["2", "1"]


def test_a_malformed_filter_or_cursor_is_a_400_page(team: Team) -> None:
    for query in ("band=worst", "from=yesterday", "older=nope", "from=0999-01-01"):
        page = team.viewer.client.get(f"/admin/responses?{query}")
        assert page.status_code == 400, query
        assert "<html" in page.get_data(as_text=True)


def test_a_french_speaking_manager_reads_it_in_french(team: Team) -> None:
    team.manager.post("/admin/language", language="fr")
    html = team.manager.client.get("/admin/responses").get_data(as_text=True)
    assert "Réponses" in html and "Aucune réponse" in html
