"""``/api/v1/webhooks``: an outside system lists, creates and deletes webhooks with its token.

Every answer is checked against ``web/api/openapi.yaml`` by :class:`ApiCaller`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from channels.webhooks import WebhookSettings
from ecoute.wiring import Ecoute
from storage.models import AuditEntry
from tests.console.api_client import ApiCaller
from tests.console.test_api import token
from web import create_app

HOOK = {"url": "http://127.0.0.1:9/crm/hook", "events": ["response.detractor"],
        "description": "CRM"}


@pytest.fixture
def open_app(served: Ecoute) -> Flask:
    """Return the app with webhooks to private addresses allowed (the receiver is local)."""
    served.settings = replace(served.settings, webhooks=WebhookSettings(allow_private=True))
    return create_app(served)


def caller(app: Flask, served: Ecoute, scope: str) -> ApiCaller:
    """Return an outside system calling with a token of ``scope``."""
    return ApiCaller(app.test_client(), token(served, scope))


def test_a_write_token_creates_a_webhook_and_gets_its_secret_once(open_app: Flask,
                                                                  served: Ecoute) -> None:
    api = caller(open_app, served, "write")
    created = api.post("/webhooks", HOOK)
    assert created.status_code == 201
    made = created.get_json()
    assert made["secret"].startswith("whsec_")
    assert (made["url"], made["events"], made["description"]) == (
        HOOK["url"], ["response.detractor"], "CRM")
    assert made["created_by"].startswith("token:")
    assert created.headers["Location"] == f"/api/v1/webhooks/{made['id']}"
    assert created.headers["Cache-Control"] == "no-store"
    listed = api.get("/webhooks").get_json()
    assert listed == {"data": [{k: v for k, v in made.items() if k != "secret"}],
                      "next_cursor": None}
    assert made["secret"] not in str(listed)


def test_a_read_token_lists_but_may_not_create_or_delete(open_app: Flask,
                                                         served: Ecoute) -> None:
    made = caller(open_app, served, "write").post("/webhooks", HOOK).get_json()
    reader = caller(open_app, served, "read")
    assert reader.get("/webhooks").status_code == 200
    assert reader.post("/webhooks", HOOK).status_code == 403
    assert reader.delete(f"/webhooks/{made['id']}").status_code == 403
    assert ApiCaller(open_app.test_client(), None).get("/webhooks").status_code == 401


def test_delete_stops_a_webhook_at_once_and_a_second_delete_is_404(open_app: Flask,
                                                                   served: Ecoute) -> None:
    api = caller(open_app, served, "write")
    made = api.post("/webhooks", HOOK).get_json()
    gone = api.delete(f"/webhooks/{made['id']}")
    assert (gone.status_code, gone.get_data()) == (204, b"")
    assert api.get("/webhooks").get_json()["data"] == []
    again = api.delete(f"/webhooks/{made['id']}")
    assert again.status_code == 404
    assert again.get_json()["error"] == "not_found"


def test_the_list_is_paged_by_cursor(open_app: Flask, served: Ecoute) -> None:
    api = caller(open_app, served, "write")
    ids = [api.post("/webhooks", HOOK).get_json()["id"] for _ in range(3)]
    first = api.get("/webhooks", limit="2").get_json()
    assert [w["id"] for w in first["data"]] == ids[:2]
    rest = api.get("/webhooks", limit="2", cursor=first["next_cursor"]).get_json()
    assert ([w["id"] for w in rest["data"]], rest["next_cursor"]) == (ids[2:], None)
    assert api.get("/webhooks", cursor="bm90LWEta2V5").status_code == 400


@pytest.mark.parametrize("body, error", [
    ({**HOOK, "url": "ftp://127.0.0.1/x"}, "bad_url"),
    ({**HOOK, "url": "https://user:secret@127.0.0.1/x"}, "credentials"),
    ({**HOOK, "events": ["response.deleted"]}, "bad_events"),
    ({**HOOK, "events": []}, "bad_events"),
    ({**HOOK, "description": "x" * 201}, "bad_description"),
    ({"url": "http://127.0.0.1:9/"}, "bad_request"),
    ({**HOOK, "events": "response.completed"}, "bad_request"),
    ({**HOOK, "url": 42}, "bad_request"),
    ([HOOK], "bad_request"),
    ({**HOOK, "secret": "whsec_mine"}, "bad_request"),
])
def test_a_bad_webhook_is_a_400_that_stores_nothing(open_app: Flask, served: Ecoute,
                                                    body: Any, error: str) -> None:
    api = caller(open_app, served, "write")
    refused = api.post("/webhooks", body)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == error
    assert api.get("/webhooks").get_json()["data"] == []


def test_a_body_that_is_no_json_is_a_400(open_app: Flask, served: Ecoute) -> None:
    refused = caller(open_app, served, "write").post("/webhooks", data="url=x",
                                                     content_type="text/plain")
    assert refused.get_json()["error"] == "bad_request"


def test_a_private_address_is_refused_unless_allowed(app: Flask, served: Ecoute) -> None:
    refused = caller(app, served, "write").post("/webhooks", HOOK)
    assert refused.status_code == 400
    assert refused.get_json() == {
        "error": "private", "message": "The URL points to a private, local or reserved address."}


def test_creating_and_deleting_are_audited_without_the_secret(open_app: Flask,
                                                              served: Ecoute) -> None:
    api = caller(open_app, served, "write")
    made = api.post("/webhooks", {**HOOK, "url": HOOK["url"] + "?key=k-9931"}).get_json()
    api.delete(f"/webhooks/{made['id']}")
    with served.db.transaction() as session:
        entries = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target,
                                         AuditEntry.detail).order_by(AuditEntry.id)).all()
    hooks = [e for e in entries if e.action.startswith("webhook_")]
    assert [(e.action, e.target) for e in hooks] == [
        ("webhook_created", f"webhook:{made['id']}"), ("webhook_deleted", f"webhook:{made['id']}")]
    assert hooks[0].detail == {"host": "127.0.0.1", "events": ["response.detractor"]}
    assert all(e.actor == made["created_by"] for e in hooks)
    assert made["secret"] not in str(entries) and "k-9931" not in str(entries)
