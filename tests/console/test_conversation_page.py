"""``/admin/conversations/<id>``: answers and transcript, escaped, audited, no ids for viewers."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry
from tests.conftest import Person
from tests.console.conftest import Team

SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def zoe_complains(team: Team) -> str:
    """Let Zoé answer the NPS survey with a comment full of markup; return the conversation."""
    zoe = Person(team.served.engine, "zoe-4711", locale="en")
    zoe.says("start nps")
    zoe.says("3")
    zoe.says(SCRIPT)
    return zoe.last.conversation  # type: ignore[union-attr,return-value]


def test_a_manager_reads_the_answers_and_transcript_with_the_person(team: Team) -> None:
    conversation = zoe_complains(team)
    page = team.manager.client.get(f"/admin/conversations/{conversation}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "How likely are you to recommend us to a friend or colleague?" in html
    assert "We&#39;re sorry to hear that. What disappointed you the most?" in html
    assert "zoe-4711" in html
    assert "start nps" in html, "the transcript shows what the person said"


def test_free_text_is_shown_escaped(team: Team) -> None:
    conversation = zoe_complains(team)
    html = team.admin.client.get(f"/admin/conversations/{conversation}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;&lt;img src=x" in html


def test_a_viewer_reads_it_without_knowing_who_the_person_is(team: Team) -> None:
    conversation = zoe_complains(team)
    html = team.viewer.client.get(f"/admin/conversations/{conversation}").get_data(as_text=True)
    assert "What disappointed you the most?" in html
    assert "zoe-4711" not in html


def test_every_view_of_a_transcript_is_in_the_audit_log(team: Team) -> None:
    conversation = zoe_complains(team)
    team.viewer.client.get(f"/admin/conversations/{conversation}")
    team.manager.client.get(f"/admin/conversations/{conversation}")
    with team.served.db.transaction() as session:
        views = session.execute(select(AuditEntry.actor, AuditEntry.target).where(
            AuditEntry.action == "transcript_viewed")).all()
    assert views == [("staff:3", conversation), ("staff:2", conversation)]
    audit = team.admin.client.get("/admin/audit").get_data(as_text=True)
    assert "viewer@example.com" in audit and f'/admin/conversations/{conversation}"' in audit


def test_an_unknown_conversation_is_a_404_page(team: Team) -> None:
    page = team.viewer.client.get("/admin/conversations/nope")
    assert page.status_code == 404 and "Not found" in page.get_data(as_text=True)
