"""``/admin/ideas``: staff read ideas; managers and admins tag, merge, decline, improve."""

from __future__ import annotations

from sqlalchemy import select

from bot import ideas
from bot.ideas import NewIdea
from bot.messages import Identity
from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Idea, IdeaSupport, Improvement
from tests.console.conftest import Team

SCRIPT = '<script>alert("owned")</script>'


def send(served: Ecoute, text: str, user: str | None = "UAUTHOR42", service: str = "it") -> int:
    """Store an idea from a Slack employee (anonymous without a user); return its id."""
    author = Identity("slack", user) if user else None
    received = ideas.submit(served.engine, NewIdea("slack", text, service, author))
    assert received.idea_id is not None
    return received.idea_id


def page(member: object, path: str = "/admin/ideas") -> str:
    """Return a console page as ``member`` sees it."""
    response = member.client.get(path)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def audited(served: Ecoute) -> list[tuple[str, str | None]]:
    """Return the audit log's (action, target) pairs about ideas."""
    with served.db.transaction() as session:
        return [(a, t) for a, t in session.execute(select(AuditEntry.action, AuditEntry.target))
                if a.startswith("idea_")]


def test_viewers_read_ideas_without_authors_and_free_text_is_escaped(team: Team) -> None:
    send(team.served, f"Faster refunds {SCRIPT}", "UAUTHOR42", "finance")
    send(team.served, "Open the hotline on Saturdays", None)
    ideas.support(team.served.engine, Identity("slack", "U2"), 1)
    seen = page(team.viewer)
    assert "Faster refunds &lt;script&gt;" in seen and SCRIPT not in seen
    assert "Finance" in seen and "anonymous" in seen and "signed" in seen
    assert "UAUTHOR42" not in seen and "Decide on idea" not in seen  # no author, no action
    assert "UAUTHOR42" in page(team.manager) and "Decide on idea #1" in page(team.manager)
    assert team.viewer.post("/admin/ideas/1/decline", reason="no").status_code == 403


def test_a_manager_tags_merges_and_declines_with_a_reason(team: Team) -> None:
    first = send(team.served, "Track deliveries by SMS")
    twin = send(team.served, "SMS tracking", "U3")
    ideas.support(team.served.engine, Identity("slack", "U2"), twin)
    tagged = team.manager.post(f"/admin/ideas/{first}/tags", tags="Delivery, sms,delivery")
    assert tagged.status_code == 303
    assert team.manager.post(f"/admin/ideas/{twin}/merge", into=str(first)).status_code == 303
    refused = team.manager.post(f"/admin/ideas/{first}/decline", reason="  ")
    assert "Say why the idea is declined." in page(team.manager) and refused.status_code == 303
    with team.served.db.transaction() as session:
        kept = session.get(Idea, first)
        merged = session.get(Idea, twin)
        backers = session.scalars(select(IdeaSupport.respondent_id)
                                  .where(IdeaSupport.idea_id == first)).all()
        assert kept is not None and merged is not None
        assert (kept.tags, kept.status) == (["delivery", "sms"], "new")
        assert (merged.status, merged.merged_into_id) == ("merged", first)
    assert len(backers) == 2  # U3 (the duplicate's author) and U2 (its supporter)
    assert team.manager.post(f"/admin/ideas/{first}/decline",
                             reason="Not this year").status_code == 303
    assert "Not this year" in page(team.viewer, "/admin/ideas?status=declined")
    assert audited(team.served) == [("idea_tagged", f"idea:{first}"),
                                    ("idea_merged", f"idea:{twin}"),
                                    ("idea_declined", f"idea:{first}")]


def test_an_admin_turns_an_idea_into_a_draft_improvement_linked_to_it(team: Team) -> None:
    idea = send(team.served, "Invoices in English too", None, "finance")
    done = team.admin.post(f"/admin/ideas/{idea}/improvement")
    assert done.status_code == 303
    assert "Draft improvement #1 created from the idea." in page(team.admin)
    with team.served.db.transaction() as session:
        improvement = session.scalars(select(Improvement)).one()
        linked = session.get(Idea, idea)
        assert linked is not None
        assert (improvement.status, improvement.you_said, improvement.concerns) == (
            "draft", "Invoices in English too", {"services": ["finance"]})
        assert (linked.status, linked.improvement_id) == ("done", improvement.id)
    again = team.admin.post(f"/admin/ideas/{idea}/improvement")
    assert again.status_code == 303 and "This idea was already decided." in page(team.admin)
    assert audited(team.served) == [("idea_to_improvement", f"idea:{idea}")]


def test_the_page_speaks_french(team: Team) -> None:
    send(team.served, "Un devis en ligne", None)
    assert team.manager.post("/admin/language", language="fr").status_code in (302, 303)
    seen = page(team.manager)
    assert "Idées des collaborateurs" in seen and "anonyme" in seen and "Informatique" in seen
