"""``/admin/calls``: a manager opens a call and sees who is in; a viewer sees the counts only."""

from __future__ import annotations

import html

from sqlalchemy import select

from storage.models import AuditEntry
from tests.console.conftest import Team
from tests.test_calls import customer

FORM = {"title_en": "Taste our <b>new</b> bread", "title_fr": "Goûtez notre pain",
        "description_en": "Thirty minutes.", "kind": "product_test", "location": "Lyon",
        "happens_at": "2026-12-20T10:00", "places": "1", "closes_at": "2026-12-15T18:00",
        "band": "promoter", "days": "90"}


def test_a_manager_opens_a_call_and_sees_who_is_in_and_who_waits(team: Team) -> None:
    ana, bob = customer(team.served, "ana"), customer(team.served, "bob")
    opened = team.manager.post("/admin/calls", **FORM)
    assert opened.status_code == 303
    page = opened.headers["Location"]
    call_id = page.rsplit("/", 1)[-1]
    ana.taps("in", ref=f"call:{call_id}")
    ana.says("ana@example.org")
    bob.taps("in", ref=f"call:{call_id}")
    bob.taps("wait")
    shown = team.manager.client.get(page).get_data(as_text=True)
    assert html.escape("Taste our <b>new</b> bread") in shown, "staff text is escaped"
    assert "ana@example.org" in shown and "<code>bob</code>" in shown
    assert shown.index("<code>ana</code>") < shown.index("<code>bob</code>"), "first come first"
    with team.served.db.reading() as connection:
        assert "participants_viewed" in connection.scalars(select(AuditEntry.action)).all()
    listed = team.viewer.client.get("/admin/calls").get_data(as_text=True)
    assert html.escape("Taste our <b>new</b> bread") in listed
    seen = team.viewer.client.get(page).get_data(as_text=True)
    assert "ana@example.org" not in seen and "<code>ana</code>" not in seen
    assert "Your role sees the counts only." in seen


def test_a_call_form_with_a_mistake_is_shown_again_with_the_reason(team: Team) -> None:
    answer = team.manager.post("/admin/calls", **{**FORM, "places": "0"})
    assert answer.status_code == 400
    shown = answer.get_data(as_text=True)
    assert "places must be from 1 to 100000" in shown
    assert 'value="Lyon"' in shown, "what was typed is kept"


def test_a_manager_closes_a_call(team: Team) -> None:
    page = team.manager.post("/admin/calls", **FORM).headers["Location"]
    call_id = page.rsplit("/", 1)[-1]
    assert team.viewer.post(f"/admin/calls/{call_id}/close").status_code == 403
    assert team.manager.post(f"/admin/calls/{call_id}/close").status_code == 303
    assert "Close the call" not in team.manager.client.get(page).get_data(as_text=True)
