"""``/admin/improvements``: staff write a draft, link feedback three ways, decide suggestions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry, Complaint
from tests.complaints.test_intake import file_billing_complaint
from tests.conftest import Person
from tests.console.conftest import Team
from tests.test_responses import nps

DRAFT = {"you_said": "Parcels arrived late", "we_did": "We changed carrier", "language": "en",
         "done_on": ""}


def write(team: Team, **form: str) -> int:
    """Write a draft as the manager, through the form; return its id."""
    saved = team.manager.post("/admin/improvements", **{**DRAFT, **form})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    found = re.search(r"/admin/improvements/(\d+)$", saved.headers["Location"])
    assert found
    return int(found.group(1))


def page(team: Team, path: str, who: str = "manager") -> str:
    """Return a console page's text as one member sees it."""
    response = getattr(team, who).client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_a_manager_writes_a_draft_and_finds_it_in_the_list(team: Team) -> None:
    assert "Write an improvement" in page(team, "/admin/improvements/new")
    improvement_id = write(team, channels="telegram", contexts="")
    listed = page(team, "/admin/improvements", "viewer")
    assert f"#{improvement_id}" in listed and "Parcels arrived late" in listed
    shown = page(team, f"/admin/improvements/{improvement_id}")
    assert "We changed carrier" in shown and "telegram" in shown
    assert f'action="/admin/improvements/{improvement_id}/publish"' in shown


def test_a_refused_draft_shows_why_with_what_was_typed(team: Team) -> None:
    refused = team.manager.post("/admin/improvements", **{**DRAFT, "we_did": "",
                                                          "you_said": "<b>late</b>"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Write what was done, in 1 to 2000 characters." in text
    assert "&lt;b&gt;late&lt;/b&gt;" in text and "<b>late</b>" not in text


def test_the_page_speaks_french(team: Team) -> None:
    team.manager.post("/admin/language", language="fr")
    refused = team.manager.post("/admin/improvements", **{**DRAFT, "language": "de"})
    assert "La langue doit être en ou fr." in refused.get_data(as_text=True)


def test_a_viewer_reads_but_sees_no_form_and_may_not_write(team: Team) -> None:
    improvement_id = write(team)
    shown = page(team, f"/admin/improvements/{improvement_id}", "viewer")
    assert "Link by hand" not in shown and "/publish" not in shown
    assert team.viewer.post("/admin/improvements", **DRAFT).status_code == 403
    assert team.viewer.post(f"/admin/improvements/{improvement_id}/links",
                            complaints="R-1").status_code == 403


def test_a_draft_is_edited(team: Team) -> None:
    improvement_id = write(team)
    assert "Parcels arrived late" in page(team, f"/admin/improvements/{improvement_id}/edit")
    saved = team.manager.post(f"/admin/improvements/{improvement_id}/edit",
                              **{**DRAFT, "we_did": "A new carrier since May"})
    assert saved.status_code == 303
    assert "A new carrier since May" in page(team, f"/admin/improvements/{improvement_id}")


def test_feedback_is_linked_by_reference_and_excerpts_are_escaped(
        team: Team, served: Ecoute) -> None:
    file_billing_complaint(Person(served.engine, "ana", locale="en"),
                           "<script>alert(1)</script> late parcel")
    conversation = nps(served, "bob", "2", "late <i>again</i>")
    with served.db.reading() as connection:
        reference = connection.execute(select(Complaint.reference)).scalar_one()
    improvement_id = write(team)
    linked = team.manager.post(f"/admin/improvements/{improvement_id}/links",
                               complaints=reference.lower(), typed_conversations=conversation)
    assert linked.status_code == 303
    shown = page(team, f"/admin/improvements/{improvement_id}")
    assert "2 linked." in shown and "Linked feedback: 2" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; late parcel" in shown
    assert "<script>alert" not in shown and "late &lt;i&gt;again&lt;/i&gt;" in shown
    unknown = team.manager.post(f"/admin/improvements/{improvement_id}/links",
                                complaints="R-2000-0404")
    assert "No such conversation or complaint: R-2000-0404." in page(
        team, unknown.headers["Location"])


def test_the_response_browser_links_ticked_responses_and_whole_filters(
        team: Team, served: Ecoute) -> None:
    first = nps(served, "bob", "2", "late")
    nps(served, "cy", "3", "slow")
    nps(served, "di", "10", "great")
    improvement_id = write(team)
    browser = page(team, f"/admin/responses?improvement={improvement_id}&band=detractor")
    assert 'form="link-checked"' in browser and "Link every response these filters match" in browser
    assert f'name="improvement" value="{improvement_id}"' in browser
    assert 'form="link-checked"' not in page(
        team, f"/admin/responses?improvement={improvement_id}", "viewer")
    team.manager.post(f"/admin/improvements/{improvement_id}/links", conversations=first)
    assert "Linked feedback: 1" in page(team, f"/admin/improvements/{improvement_id}")
    team.manager.post(f"/admin/improvements/{improvement_id}/links/filter", band="detractor")
    assert "Linked feedback: 2" in page(team, f"/admin/improvements/{improvement_id}")
    refused = team.manager.post(f"/admin/improvements/{improvement_id}/links/filter")
    assert "Choose the feedback to link, or at least one filter." in page(
        team, refused.headers["Location"])


def test_the_complaint_board_links_ticked_complaints(team: Team, served: Ecoute) -> None:
    for name, said in (("ana", "late parcel"), ("bob", "parcel lost"), ("cy", "wrong bill")):
        file_billing_complaint(Person(served.engine, name, locale="en"), said)
    with served.db.reading() as connection:
        first, second, _third = connection.execute(
            select(Complaint.reference).order_by(Complaint.id)).scalars()
    improvement_id = write(team)
    assert f"/admin/complaints?improvement={improvement_id}" in page(
        team, f"/admin/improvements/{improvement_id}")
    board = page(team, f"/admin/complaints?improvement={improvement_id}&status=all")
    assert board.count('form="link-checked"') == 3 and "Link the ticked complaints" in board
    assert f'name="improvement" value="{improvement_id}"' in board  # the filters keep it
    assert 'form="link-checked"' not in page(
        team, f"/admin/complaints?improvement={improvement_id}", "viewer")
    ticked = team.manager.client.post(
        f"/admin/improvements/{improvement_id}/links",
        data={"complaints": [first, second], "csrf_token": team.manager.csrf("/admin/")})
    assert ticked.status_code == 303
    shown = page(team, f"/admin/improvements/{improvement_id}")
    assert "2 linked." in shown and "Linked feedback: 2" in shown
    assert first in shown and second in shown and _third not in shown


def test_suggestions_are_accepted_and_rejected_and_audited(team: Team, served: Ecoute) -> None:
    late = nps(served, "bob", "2", "Mon colis est arrivé en retard")
    Person(served.engine, "bob", locale="en").says("yes")  # then a complaint is offered to him
    other = nps(served, "cy", "2", "The parcel was delivered late")
    improvement_id = write(team)
    proposed = page(team, f"/admin/improvements/{improvement_id}/suggestions", "viewer")
    assert proposed.count("Mon colis est arrivé en retard") == 1 and "Accept" not in proposed
    path = f"/admin/improvements/{improvement_id}/suggestions"
    team.manager.post(path, target="conversation", reference=late, decision="reject")
    team.manager.post(path, target="conversation", reference=other, decision="accept")
    after = page(team, path)
    assert late not in after and other not in after
    assert "Linked feedback: 1" in page(team, f"/admin/improvements/{improvement_id}")
    bad = team.manager.post(path, target="planet", reference=late, decision="accept")
    assert "Choose accept or reject" in page(team, bad.headers["Location"])
    with served.db.reading() as connection:
        actions = set(connection.execute(select(AuditEntry.action)).scalars())
    assert {"improvement_created", "suggestion_rejected", "suggestion_accepted"} <= actions


def test_a_link_is_removed(team: Team, served: Ecoute) -> None:
    conversation = nps(served, "bob", "2", "late")
    improvement_id = write(team)
    team.manager.post(f"/admin/improvements/{improvement_id}/links", conversations=conversation)
    shown = page(team, f"/admin/improvements/{improvement_id}")
    link = re.search(rf"/admin/improvements/{improvement_id}/links/(\d+)/delete", shown)
    assert link
    team.manager.post(link.group(0))
    assert "No feedback linked yet." in page(team, f"/admin/improvements/{improvement_id}")


@pytest.mark.parametrize("path", ["/admin/improvements/404", "/admin/improvements/404/edit",
                                  "/admin/improvements/404/suggestions"])
def test_an_unknown_improvement_is_a_404_page(team: Team, path: str) -> None:
    assert team.manager.client.get(path).status_code == 404
