"""``/admin/webhooks``: an admin creates a webhook (its secret shown once), sees it, deletes it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from channels.webhooks import WebhookSettings
from storage.models import AuditEntry
from tests.console.conftest import Team

SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
URL = "http://127.0.0.1:9/crm/hook"


@pytest.fixture
def allowed(team: Team) -> Team:
    """Return the team, on an app whose webhooks may point to this machine."""
    team.served.settings = replace(team.served.settings,
                                   webhooks=WebhookSettings(allow_private=True))
    return team


def create(team: Team, **form: str) -> str:
    """Post the new-webhook form as the admin; return the page."""
    fields = {"url": URL, "events": "response.completed", "description": "CRM", **form}
    return team.admin.post("/admin/webhooks", **fields).get_data(as_text=True)


def test_an_admin_creates_a_webhook_and_sees_its_secret_only_once(allowed: Team) -> None:
    created = allowed.admin.post("/admin/webhooks", url=URL, events="response.completed",
                                 description="CRM")
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", page)
    assert "Webhook #1 created" in page
    listing = allowed.admin.client.get("/admin/webhooks").get_data(as_text=True)
    assert URL in listing and "CRM" in listing and "response.completed" in listing
    assert secret not in listing and "whsec_" not in listing


def test_the_admin_deletes_a_webhook(allowed: Team) -> None:
    create(allowed)
    deleted = allowed.admin.post("/admin/webhooks/1/delete")
    assert (deleted.status_code, deleted.headers["Location"]) == (303, "/admin/webhooks")
    page = allowed.admin.client.get("/admin/webhooks").get_data(as_text=True)
    assert "Webhook deleted." in page and URL not in page
    again = allowed.admin.post("/admin/webhooks/1/delete")
    assert "There is no such webhook" in allowed.admin.client.get(
        again.headers["Location"]).get_data(as_text=True)
    with allowed.served.db.transaction() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("webhook_created") == 1 and actions.count("webhook_deleted") == 1


def test_a_refused_url_says_why_and_keeps_what_was_typed(team: Team) -> None:
    refused = team.admin.post("/admin/webhooks", url="http://10.0.0.1/x",
                              events="response.completed", description="kept")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The URL points to a private, local or reserved address." in page
    assert 'value="http://10.0.0.1/x"' in page and 'value="kept"' in page
    assert "No webhook yet." in page


def test_no_event_chosen_is_refused(allowed: Team) -> None:
    page = allowed.admin.post("/admin/webhooks", url=URL).get_data(as_text=True)
    assert "Choose at least one event" in page


def test_the_page_speaks_french(allowed: Team) -> None:
    allowed.admin.post("/admin/language", language="fr")
    page = create(allowed)
    assert "Copiez son secret de signature maintenant" in page
    assert "Webhooks sortants" in page and "Créer le webhook" in page


def test_what_staff_typed_is_shown_escaped(allowed: Team) -> None:
    page = create(allowed, url=URL + "?q=<script>", description=SCRIPT)
    listing = allowed.admin.client.get("/admin/webhooks").get_data(as_text=True)
    for html in (page, listing):
        for raw in ("<script>alert", "<img src=x", "?q=<script>"):
            assert raw not in html
        assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html


def test_only_admins_see_the_page_and_its_link(allowed: Team) -> None:
    assert allowed.manager.client.get("/admin/webhooks").status_code == 403
    assert allowed.viewer.client.get("/admin/webhooks").status_code == 403
    assert 'href="/admin/webhooks"' in allowed.admin.client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/webhooks"' not in allowed.manager.client.get("/admin/").get_data(
        as_text=True)
