"""``/admin/calls``: a manager opens a call and sees who is in; a viewer sees the counts only."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, Call
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


@pytest.mark.parametrize("language, change, reason", [
    ("en", {"places": "0"}, "places must be from 1 to 100000"),
    ("fr", {"places": "0"}, "le nombre de places doit aller de 1 à 100000"),
    ("en", {"places": "two"}, "places must be a whole number"),
    ("fr", {"places": "two"}, "le nombre de places doit être un nombre entier"),
    ("en", {"closes_at": "2020-01-01T00:00"}, "the closing date must be in the future"),
    ("fr", {"closes_at": "2020-01-01T00:00"}, "la date de clôture doit être dans le futur"),
    ("en", {"closes_at": "soon"}, "Closes (UTC) must be a date and time"),
    ("fr", {"closes_at": "soon"}, "Clôture (UTC) doit être une date et une heure"),
    ("en", {"title_en": "", "title_fr": ""}, "title needs a text in French or English"),
    ("fr", {"title_en": "", "title_fr": ""}, "le titre doit être écrit en français ou en anglais"),
    ("en", {"band": "", "days": "90"}, "choose an audience: a filter, the panel or past"),
    ("fr", {"band": "", "days": "90"}, "choisissez un public : un filtre, le panel ou les"),
])
def test_a_call_refused_is_explained_in_the_staff_members_language(
        team: Team, language: str, change: dict[str, str], reason: str) -> None:
    assert team.manager.post("/admin/language", language=language).status_code == 303
    answer = team.manager.post("/admin/calls", **{**FORM, **change})
    assert answer.status_code == 400
    assert reason in html.unescape(answer.get_data(as_text=True))
    with team.served.db.reading() as connection:
        assert connection.scalars(select(Call)).all() == [], "nothing stored"


def test_a_manager_closes_a_call(team: Team) -> None:
    page = team.manager.post("/admin/calls", **FORM).headers["Location"]
    call_id = page.rsplit("/", 1)[-1]
    assert team.viewer.post(f"/admin/calls/{call_id}/close").status_code == 403
    assert team.manager.post(f"/admin/calls/{call_id}/close").status_code == 303
    assert "Close the call" not in team.manager.client.get(page).get_data(as_text=True)
