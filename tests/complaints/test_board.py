"""The console's complaint board, matrix and detail page, tried by staff through their forms."""
# ruff: noqa: F811  # the console's fixtures are imported, then named as arguments

from __future__ import annotations

import re

from bot import complaint_actions
from bot.complaint_actions import StaffChange
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import Urgency
from tests.complaints.test_actions import file_one
from tests.conftest import Clock
from tests.console.conftest import (  # noqa: F401  # the console's fixtures
    Team,
    app,
    quick_hashes,
    served,
    team,
)
from tests.console.test_forms import forms_on

REFERENCE = re.compile(r"R-\d{4}-\d{4}")


def references(page: str) -> list[str]:
    """Return the references a board page lists, in order."""
    found = REFERENCE.findall(page.split("<tbody>")[1]) if "<tbody>" in page else []
    return list(dict.fromkeys(found))


def text(team_member: object, path: str, status: int = 200) -> str:
    """GET a page as a member and return its text, checking the status."""
    response = team_member.client.get(path)  # type: ignore[attr-defined]
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)  # type: ignore[no-any-return]


def test_the_board_lists_open_complaints_newest_first_and_filters_by_the_url(
        team: Team, clock: Clock) -> None:
    first = file_one(team.served, category="billing", channel="telegram")
    clock.advance(minutes=5)
    second = file_one(team.served, category="delivery", channel="web")
    clock.advance(minutes=5)
    third = file_one(team.served, category="delivery", channel="web")
    with team.served.db.transaction() as session:
        complaint_actions.apply(session, team.served.engine.settings, third,
                                StaffChange(status=S.IN_PROGRESS), actor="staff:1",
                                now=clock.now)
        complaint_actions.apply(session, team.served.engine.settings, third,
                                StaffChange(status=S.RESOLVED), actor="staff:1", now=clock.now)
    assert references(text(team.viewer, "/admin/complaints")) == [second, first]
    assert references(text(team.viewer, "/admin/complaints?status=all")) == [third, second, first]
    assert references(text(team.viewer, "/admin/complaints?category=billing")) == [first]
    assert references(text(team.viewer, "/admin/complaints?channel=web&status=all")) == [
        third, second]
    assert references(text(team.viewer, "/admin/complaints?priority=high")) == [first]
    assert references(text(team.viewer, "/admin/complaints?assignee=none")) == [second, first]
    assert references(text(team.viewer, "/admin/complaints?overdue=1")) == []
    clock.advance(days=7)
    overdue = text(team.viewer, "/admin/complaints?overdue=1")
    assert references(overdue) == [second, first] and "overdue" in overdue
    text(team.viewer, "/admin/complaints?status=lost", 400)
    text(team.viewer, "/admin/complaints?priority=urgent", 400)
    text(team.viewer, "/admin/complaints?assignee=bob", 400)


def test_the_board_pages_by_key_both_ways(team: Team, clock: Clock,
                                          monkeypatch: object) -> None:
    from web.console import complaints

    monkeypatch.setattr(complaints, "PAGE", 2)  # type: ignore[attr-defined]
    filed = []
    for _ in range(5):
        filed.append(file_one(team.served))
        clock.advance(minutes=1)
    page = text(team.viewer, "/admin/complaints")
    assert references(page) == filed[:2:-1][:2] == [filed[4], filed[3]]
    older = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    page = text(team.viewer, older)
    assert references(page) == [filed[2], filed[1]]
    newer = re.search(r'rel="prev" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert references(text(team.viewer, newer)) == [filed[4], filed[3]]
    text(team.viewer, "/admin/complaints?older=not-a-cursor", 400)


def test_the_matrix_counts_each_cell_and_links_to_the_board_so_filtered(team: Team) -> None:
    file_one(team.served, urgency=Urgency.BLOCKING, category="billing")
    file_one(team.served, urgency=Urgency.BLOCKING, category="billing")
    only = file_one(team.served, urgency=Urgency.MINOR, category="other")
    page = text(team.viewer, "/admin/complaints/matrix")
    assert "3 complaints match these filters." in page
    cell = re.search(r'href="([^"]*urgency=minor[^"]*importance=low[^"]*)"[^>]*>1<', page)
    assert cell, "the minor × low cell counts one, with its link"
    assert references(text(team.viewer, cell.group(1).replace("&amp;", "&"))) == [only]
    assert ">2<" in page


def test_a_manager_acknowledges_with_a_visible_note_assigns_and_sees_the_history(
        team: Team) -> None:
    reference = file_one(team.served, description="<script>alert(1)</script> late")
    page = text(team.manager, f"/admin/complaints/{reference}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; late" in page and "<script>alert" not in page
    assert "business hours left" in page
    done = team.manager.post(f"/admin/complaints/{reference}/events", status="acknowledged",
                             note="We are on it", visible="1")
    assert done.status_code == 303
    page = text(team.manager, f"/admin/complaints/{reference}")
    manager_id = re.search(r'<option value="(\d+)">manager@example.com', page).group(1)
    assert team.manager.post(f"/admin/complaints/{reference}/events",
                             assignee=manager_id).status_code == 303
    page = text(team.manager, f"/admin/complaints/{reference}")
    history = page.split('<ol class="history">')[1]
    assert "received → acknowledged" in history and "We are on it" in history
    assert "to the complainant, not sent yet" in history
    assert "assigned to manager@example.com" in history
    assert 'id="assignee">manager@example.com' in page
    assert team.manager.post(f"/admin/complaints/{reference}/events",
                             assignee="none").status_code == 303
    assert 'id="assignee">nobody' in text(team.manager, f"/admin/complaints/{reference}")


def test_refused_changes_show_the_page_again_with_the_reason(team: Team) -> None:
    reference = file_one(team.served)
    path = f"/admin/complaints/{reference}/events"
    refused = team.manager.post(path, status="rejected")
    assert refused.status_code == 400 and "A rejection needs a reason" in refused.get_data(
        as_text=True)
    assert team.manager.post(path, urgency="extreme").status_code == 400
    assert team.manager.post(path, assignee="99999").status_code == 400
    assert team.manager.post(path, status="rejected",
                             reason="out_of_scope").status_code == 303
    closed = team.manager.post(path, status="closed")
    assert closed.status_code == 409 and "rejected → closed" in closed.get_data(as_text=True)
    assert team.manager.post("/admin/complaints/R-2026-9999/events",
                             note="x").status_code == 404
    text(team.manager, "/admin/complaints/R-2026-9999", 404)
    text(team.manager, "/admin/complaints/nonsense", 404)


def test_a_viewer_reads_but_has_no_forms_and_may_not_act(team: Team) -> None:
    reference = file_one(team.served)
    page = text(team.viewer, f"/admin/complaints/{reference}")
    assert "Late parcel" in page and "status-form" not in page
    assert team.viewer.post(f"/admin/complaints/{reference}/events",
                            note="x").status_code == 403


def test_every_form_of_the_detail_page_carries_and_needs_its_csrf_token(team: Team) -> None:
    reference = file_one(team.served)
    forms = [f for f in forms_on(team.admin, f"/admin/complaints/{reference}")
             if f["action"].startswith("/admin/complaints")]  # type: ignore[union-attr]
    assert len(forms) == 3
    assert all(f["method"] == "POST" and "csrf_token" in f["fields"] for f in forms)  # type: ignore[operator]
    bare = team.admin.client.post(f"/admin/complaints/{reference}/events", data={"note": "x"})
    assert bare.status_code == 400 and "This form has expired" in bare.get_data(as_text=True)
    filters = [f for f in forms_on(team.admin, "/admin/complaints") if f["role"] == "search"]
    assert filters and filters[0]["method"] == "GET"
