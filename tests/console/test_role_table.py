"""The role table: every route of the app, tried by everyone, answers as the table says.

Each registered route and method is tried anonymously, as a viewer, a manager and
an admin (signed in through the form, posting with their CSRF token), and with
a read and a write API token. The outcome of each try is compared with
:data:`TABLE`. A route that is not in the table fails the test, so a new route
cannot ship without deciding who may use it.

Outcomes: ``ok`` (2xx), ``redirect`` (3xx elsewhere than the sign-in page),
``sign_in`` (3xx to the sign-in page), or the error status (``401``, ``403``…).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from bot import api_tokens, staff, webhooks
from ecoute.config import Settings, SlackSettings, TelegramSettings, WebhookSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from testkit.emulators.slack import SlackEmulator
from tests.conftest import Clock, Person
from tests.console.conftest import Staff, add_staff
from web import create_app

ACTORS = ("anonymous", "viewer", "manager", "admin", "read_token", "write_token")
Row = tuple[str, str, str, str, str, str]

PUBLIC: Row = ("ok",) * 6
EVERY_ROLE_PAGE: Row = ("sign_in", "ok", "ok", "ok", "sign_in", "sign_in")
EVERY_ROLE_ACTION: Row = ("sign_in", "redirect", "redirect", "redirect", "sign_in", "sign_in")
ADMIN_PAGE: Row = ("sign_in", "403", "403", "ok", "sign_in", "sign_in")
ADMIN_ACTION: Row = ("sign_in", "403", "403", "redirect", "sign_in", "sign_in")
WRITER_ACTION: Row = ("sign_in", "403", "redirect", "redirect", "sign_in", "sign_in")
API_READ: Row = ("401", "401", "401", "401", "ok", "ok")
MANAGER_ACTION: Row = ("sign_in", "403", "redirect", "redirect", "sign_in", "sign_in")
API_WRITE: Row = ("401", "401", "401", "401", "403", "ok")
WRITER_PAGE: Row = ("sign_in", "403", "ok", "ok", "sign_in", "sign_in")
UNKNOWN_IMPROVEMENT_PAGE: Row = ("sign_in", "404", "404", "404", "sign_in", "sign_in")
UNKNOWN_IMPROVEMENT_WRITE: Row = ("sign_in", "403", "404", "404", "sign_in", "sign_in")

# (endpoint, method) -> the outcome for each actor, in the order of ACTORS.
TABLE: dict[tuple[str, str], Row] = {
    # Public: anyone, as documented for each.
    ("static", "GET"): PUBLIC,
    ("health.healthz", "GET"): PUBLIC,
    ("pages.demo", "GET"): PUBLIC,
    ("pages.survey_page", "GET"): PUBLIC,
    ("pages.widget_script", "GET"): PUBLIC,
    ("widget_api.openapi_document", "GET"): PUBLIC,
    ("widget_api.start_conversation", "POST"): PUBLIC,  # no CSRF token: a visitor id instead
    ("widget_api.inbox", "POST"): PUBLIC,
    ("widget_api.resume_conversation", "GET"): ("404",) * 6,  # another visitor's: not found
    ("widget_api.post_message", "POST"): ("404",) * 6,
    ("telegram_hook.webhook", "POST"): ("403",) * 6,  # without Telegram's secret header
    ("slack_events.events", "POST"): ("401",) * 6,  # without Slack's signature
    # Signing in, out, and the first admin's one-time link.
    ("console_auth.sign_in", "GET"): ("ok", "redirect", "redirect", "redirect", "ok", "ok"),
    ("console_auth.sign_in", "POST"): ("ok", "redirect", "redirect", "redirect", "ok", "ok"),
    ("console_auth.sign_out", "POST"): ("sign_in",) * 6,
    ("console_auth.language", "POST"): EVERY_ROLE_ACTION,
    ("console_auth.setup", "GET"): ("404",) * 6,  # once an account exists, never again
    ("console_auth.setup", "POST"): ("404",) * 6,
    # The console.
    ("console_home.home", "GET"): EVERY_ROLE_PAGE,  # the dashboard
    ("console_dashboard.live", "GET"): EVERY_ROLE_PAGE,  # its live fragment
    ("console_conversations.conversation", "GET"): EVERY_ROLE_PAGE,
    ("console_accounts.accounts", "GET"): ADMIN_PAGE,
    ("console_accounts.create", "POST"): ADMIN_ACTION,
    ("console_accounts.change_role", "POST"): ADMIN_ACTION,
    ("console_accounts.disable", "POST"): ADMIN_ACTION,
    ("console_tokens.tokens", "GET"): ADMIN_PAGE,
    ("console_tokens.create", "POST"): ("sign_in", "403", "403", "ok", "sign_in", "sign_in"),
    ("console_tokens.revoke", "POST"): ADMIN_ACTION,
    ("console_audit.audit", "GET"): ADMIN_PAGE,
    ("console_responses.browse", "GET"): EVERY_ROLE_PAGE,
    ("console_complaint_analytics.analytics", "GET"): EVERY_ROLE_PAGE,
    ("console_responses.export_csv", "GET"): EVERY_ROLE_PAGE,  # a viewer's has no person
    ("console_responses.export_jsonl", "GET"): EVERY_ROLE_PAGE,
    ("console_webhooks.listing", "GET"): ADMIN_PAGE,
    ("console_webhooks.create", "POST"): ("sign_in", "403", "403", "ok", "sign_in", "sign_in"),
    ("console_webhooks.delete", "POST"): ADMIN_ACTION,
    ("console_calls.listing", "GET"): EVERY_ROLE_PAGE,
    ("console_calls.create", "POST"): WRITER_ACTION,
    ("console_calls.detail", "GET"): ("sign_in", "404", "404", "404", "sign_in", "sign_in"),
    ("console_calls.close", "POST"): WRITER_ACTION,  # an unknown call: back to its page
    # The REST API: Bearer tokens only, never a session.
    ("api.stats", "GET"): API_READ,
    ("api.complaint_statistics", "GET"): API_READ,
    ("api.openapi", "GET"): API_READ,
    ("api.list_responses", "GET"): API_READ,
    ("api.get_response", "GET"): ("401", "401", "401", "401", "404", "404"),  # unknown id
    ("api.create_invitation", "POST"): API_WRITE,  # a stranger: 200, skipped (unknown_person)
    ("api.list_webhooks", "GET"): API_READ,
    ("api.create_webhook", "POST"): API_WRITE,
    ("api.delete_webhook", "DELETE"): API_WRITE,  # the write token deletes the spare webhook
    ("api.list_calls", "GET"): API_READ,
    ("api.create_call", "POST"): API_WRITE,
    ("api.get_call", "GET"): ("401", "401", "401", "401", "404", "404"),  # unknown id
    ("api.close_call", "POST"): ("401", "401", "401", "401", "403", "404"),
    # "You said, we did": everyone reads, managers and admins write (an unknown improvement).
    ("console_improvements.listing", "GET"): EVERY_ROLE_PAGE,
    ("console_improvements.new", "GET"): WRITER_PAGE,
    ("console_improvements.create", "POST"): ("sign_in", "403", "redirect", "redirect", "sign_in",
                                              "sign_in"),
    ("console_improvements.detail", "GET"): UNKNOWN_IMPROVEMENT_PAGE,
    ("console_improvements.edit", "GET"): UNKNOWN_IMPROVEMENT_WRITE,
    ("console_improvements.save", "POST"): UNKNOWN_IMPROVEMENT_WRITE,
    ("console_improvements.link", "POST"): UNKNOWN_IMPROVEMENT_WRITE,
    ("console_improvements.link_filtered", "POST"): UNKNOWN_IMPROVEMENT_WRITE,
    ("console_improvements.unlink", "POST"): UNKNOWN_IMPROVEMENT_WRITE,
    ("console_improvements.suggestions", "GET"): UNKNOWN_IMPROVEMENT_PAGE,
    ("console_improvements.decide", "POST"): UNKNOWN_IMPROVEMENT_WRITE,
    ("api.list_improvements", "GET"): API_READ,
    ("api.create_improvement", "POST"): ("401", "401", "401", "401", "403", "400"),  # no body
    ("api.get_improvement", "GET"): ("401", "401", "401", "401", "404", "404"),
    ("api.link_feedback", "POST"): ("401", "401", "401", "401", "403", "400"),  # no body
    ("api.list_suggestions", "GET"): ("401", "401", "401", "401", "404", "404"),
    ("console_complaints.board", "GET"): EVERY_ROLE_PAGE,
    ("console_complaints.matrix", "GET"): EVERY_ROLE_PAGE,
    ("console_complaints_detail.detail", "GET"): ("sign_in", "404", "404", "404", "sign_in",
                                                  "sign_in"),  # no such complaint
    ("console_complaints_detail.photo", "GET"): ("sign_in", "404", "404", "404", "sign_in",
                                                 "sign_in"),
    ("console_complaints_detail.change", "POST"): ("sign_in", "403", "404", "404", "sign_in",
                                                   "sign_in"),  # a viewer may not act
    ("api.list_complaints", "GET"): API_READ,
    ("api.get_complaint", "GET"): ("401", "401", "401", "401", "404", "404"),  # no such one
    ("api.add_event", "POST"): ("401", "401", "401", "401", "403", "404"),
    # Announcing an improvement ("you said, we did"), tried on an unknown improvement.
    ("console_announcements.listing", "GET"): EVERY_ROLE_PAGE,
    ("console_announcements.publish", "POST"): ("sign_in", "403", "404", "404", "sign_in",
                                                "sign_in"),
    ("console_announcements.change", "POST"): ("sign_in", "403", "404", "404", "sign_in",
                                               "sign_in"),
    ("console_announcements.announcement", "GET"): ("sign_in", "404", "404", "404", "sign_in",
                                                    "sign_in"),
    ("console_announcements.live", "GET"): ("sign_in", "404", "404", "404", "sign_in",
                                            "sign_in"),
    ("api.publish_improvement", "POST"): ("401", "401", "401", "401", "403", "404"),
    ("api.pause_announcement", "POST"): ("401", "401", "401", "401", "403", "404"),
    ("api.resume_announcement", "POST"): ("401", "401", "401", "401", "403", "404"),
    ("api.cancel_announcement", "POST"): ("401", "401", "401", "401", "403", "404"),
    ("public.you_said_we_did", "GET"): PUBLIC,
    ("public.feed", "GET"): PUBLIC,
    ("console_ideas.listing", "GET"): EVERY_ROLE_PAGE,  # a viewer sees no author
    ("console_ideas.tag", "POST"): MANAGER_ACTION,  # an unknown idea: back to the list
    ("console_ideas.merge", "POST"): MANAGER_ACTION,
    ("console_ideas.decline", "POST"): MANAGER_ACTION,
    ("console_ideas.to_improvement", "POST"): MANAGER_ACTION,
}
HOOK_URL = "http://127.0.0.1:9/role-table"
LAST = {("console_auth.sign_out", "POST")}  # tried after everything else: it ends the session


class World:
    """The app with every channel's route mounted, its staff, tokens and one conversation."""

    def __init__(self, app: Flask, served: Ecoute, conversation: str) -> None:
        self.app, self.served, self.conversation = app, served, conversation
        self.members = {role: add_staff(app, served, f"{role}@example.com", role)
                        for role in ("viewer", "manager", "admin")}
        now = served.engine.clock()
        self.spare = staff.create_account(served.db, "spare@example.com", "a spare password!",
                                          "viewer", actor=staff.CLI, now=now)
        self.tokens = {scope: api_tokens.issue_token(served.db, scope, scope, created_by=None,
                                                     actor=staff.CLI, now=now)[0]
                       for scope in ("read", "write")}
        self.spare_token = api_tokens.issue_token(served.db, "spare", "read", created_by=None,
                                                  actor=staff.CLI, now=now)[1]
        self.spare_webhook = webhooks.create(served.db, HOOK_URL, webhooks.EVENTS,
                                             actor=staff.CLI, allow_private=True, now=now)[1]
        self._visits = itertools.count(1)

    def actor(self, name: str) -> tuple[Staff, dict[str, str]]:
        """Return a fresh browser for ``name`` (signed in if staff) and the headers to send."""
        if name in self.members:
            member = Staff(self.app, f"{name}@example.com", name)
            assert member.sign_in().status_code == 303
            return member, {}
        browser = Staff(self.app, "nobody@example.com", "anonymous")
        if name.endswith("_token"):
            return browser, {"Authorization": f"Bearer {self.tokens[name.split('_')[0]]}"}
        return browser, {}

    def arguments(self) -> dict[str, Any]:
        """Return a value for each URL argument any route takes."""
        return {"filename": "console.css", "survey": "nps", "token": "no-such-setup-link",
                "public_id": self.conversation, "conversation": "c-unknown-conversation",
                "account_id": self.spare.id, "token_id": self.spare_token.id,
                "webhook_id": self.spare_webhook.id, "call_id": 999_999, "improvement_id": 404,
                "link_id": 404, "reference": "R-2026-9999", "move": "pause", "idea_id": 404}

    def body(self, endpoint: str) -> dict[str, Any]:
        """Return what a well-formed request to ``endpoint`` sends."""
        visitor = f"visitor-role-table-{next(self._visits):04d}"
        return {
            "widget_api.start_conversation": {"json": {
                "visitor": visitor, "client_message_id": "m1", "survey": "nps",
                "language": "en"}},
            "widget_api.inbox": {"json": {"visitor": visitor}},
            "widget_api.post_message": {"json": {
                "visitor": visitor, "client_message_id": "m2", "text": "hello"}},
            "widget_api.resume_conversation": {"headers": {"X-Ecoute-Visitor": visitor}},
            "telegram_hook.webhook": {"json": {"update_id": 1}},
            "slack_events.events": {"json": {"type": "url_verification", "challenge": "x"}},
            "console_auth.language": {"data": {"language": "en"}},
            "console_accounts.create": {"data": {
                "email": f"new{visitor[-4:]}@example.com", "role": "viewer",
                "password": "a long enough password"}},
            "console_accounts.change_role": {"data": {"role": "manager"}},
            "console_tokens.create": {"data": {"name": "from the table", "scope": "read"}},
            "api.create_invitation": {"json": {"survey": "nps", "channel": "web",
                                               "external_id": visitor}},
            "console_webhooks.create": {"data": {"url": HOOK_URL,
                                                 "events": "response.completed"}},
            "api.create_webhook": {"json": {"url": HOOK_URL, "events": ["response.completed"]}},
            "console_calls.create": {"data": {
                "title_en": "A test", "description_en": "An hour", "kind": "interview",
                "location": "Lyon", "places": "3", "happens_at": "2030-01-02T10:00",
                "closes_at": "2030-01-01T10:00", "panel": "on"}},
            "api.create_call": {"json": {
                "title": {"en": "A test"}, "description": {"en": "An hour"}, "kind": "interview",
                "location": "Lyon", "places": 3, "happens_at": "2030-01-02T10:00:00Z",
                "closes_at": "2030-01-01T10:00:00Z", "audience": {"panel": True}}},
            "console_improvements.create": {"data": {"you_said": "Late", "we_did": "Fixed",
                                                     "language": "en"}},
            "console_complaints_detail.change": {"data": {"note": "from the table"}},
            "api.add_event": {"json": {"note": "from the table"}},
        }.get(endpoint, {})


@pytest.fixture
def world(settings: Settings, db: Database, clock: Clock) -> Iterator[World]:
    """Return the app with Telegram and Slack on, staff of every role, tokens, a conversation."""
    with SlackEmulator() as slack_api:
        changed = replace(
            settings, secret_key="role-table-secret",
            telegram=TelegramSettings(token="123:abc", webhook_secret="telegram-secret"),
            slack=SlackSettings(bot_token="xoxb-test", signing_secret="slack-secret",
                                api_base_url=slack_api.api_url),
            webhooks=WebhookSettings(allow_private=True))
        served = build(changed, database=db, clock=clock)
        ana = Person(served.engine, "ana", locale="en")
        ana.says("start nps")
        yield World(create_app(served), served, ana.last.conversation)  # type: ignore[union-attr]


def outcome(response: TestResponse) -> str:
    """Classify a response: ok, redirect, sign_in, or its error status."""
    if 200 <= response.status_code < 300:
        return "ok"
    if 300 <= response.status_code < 400:
        target = response.headers.get("Location", "")
        return "sign_in" if target.startswith("/admin/sign-in") else "redirect"
    return str(response.status_code)


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, rule) for every route and method of the app."""
    found = [(rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]  # type: ignore[operator]
    return sorted(found, key=lambda r: ((r[0], r[1]) in LAST, r))


def attempt(world: World, actor: str, endpoint: str, method: str) -> str:
    """Try one route as one actor, with the CSRF token of their own pages; return the outcome."""
    browser, headers = world.actor(actor)
    request = world.body(endpoint)
    url = _url(world, endpoint)
    if method == "POST" and endpoint.startswith("console_"):
        token = browser.csrf("/admin/" if browser.signed_in() else "/admin/sign-in")
        request["data"] = {**request.get("data", {}), "csrf_token": token}
    request["headers"] = {**request.get("headers", {}), **headers}
    return outcome(browser.client.open(url, method=method, **request))


def _url(world: World, endpoint: str) -> str:
    """Build the URL of ``endpoint`` with the world's arguments."""
    from flask import url_for

    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    arguments = {name: world.arguments()[name] for name in rule.arguments}
    with world.app.test_request_context():
        return url_for(endpoint, **arguments)


def test_every_route_is_in_the_role_table(world: World) -> None:
    registered = {(endpoint, method) for endpoint, method, _ in routes(world.app)}
    assert registered - set(TABLE) == set(), "decide who may use these routes"
    assert set(TABLE) - registered == set(), "the table names routes that no longer exist"


def test_every_route_answers_every_actor_as_the_table_says(world: World) -> None:
    differences = {}
    for endpoint, method, rule in routes(world.app):
        seen = tuple(attempt(world, actor, endpoint, method) for actor in ACTORS)
        expected = TABLE.get((endpoint, method))
        if seen != expected:
            differences[f"{method} {rule}"] = dict(zip(ACTORS, seen, strict=True))
    assert differences == {}
