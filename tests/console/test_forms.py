"""CSRF: every console form carries a token, and every state-changing request without one is 400."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import Flask

from bot import staff
from ecoute.wiring import Ecoute
from tests.console.conftest import Staff, Team, add_staff

CONSOLE_PAGES = ("/admin/", "/admin/accounts", "/admin/tokens", "/admin/audit",
                 "/admin/responses", "/admin/webhooks")


class Forms(HTMLParser):
    """Collect each form of a page: its method, action, and the names of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note forms and the fields inside them."""
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (values.get("method") or "get").upper(),
                               "action": values.get("action") or "", "fields": set(),
                               "role": values.get("role")})
        elif tag in ("input", "select", "button", "textarea") and self.forms:
            self.forms[-1]["fields"].add(values.get("name"))  # type: ignore[union-attr]


def forms_on(member: Staff, path: str) -> list[dict[str, object]]:
    """Return the forms of a page as the member sees it."""
    parser = Forms()
    parser.feed(member.client.get(path).get_data(as_text=True))
    return parser.forms


def test_every_form_of_every_console_page_carries_a_csrf_token(team: Team) -> None:
    seen = 0
    for path in CONSOLE_PAGES:
        for form in forms_on(team.admin, path):
            if form["role"] == "search":  # the dashboard's filters: a link, changes nothing
                assert form["method"] == "GET" and "csrf_token" not in form["fields"]  # type: ignore[operator]
                continue
            assert form["method"] == "POST", f"a form on {path} would change things by GET"
            assert "csrf_token" in form["fields"], f"{form['action']} on {path}"  # type: ignore[operator]
            seen += 1
    assert seen >= 8


def test_every_console_form_without_its_token_is_refused(team: Team) -> None:
    actions = {str(form["action"]) or path for path in CONSOLE_PAGES
               for form in forms_on(team.admin, path) if form["method"] == "POST"}
    assert {"/admin/sign-out", "/admin/language", "/admin/accounts", "/admin/tokens",
            "/admin/webhooks"} <= actions
    for action in sorted(actions):
        refused = team.admin.client.post(action, data={"language": "fr", "role": "viewer",
                                                       "name": "x", "scope": "read"})
        assert refused.status_code == 400, action
        assert "This form has expired" in refused.get_data(as_text=True)
    assert team.admin.client.get("/admin/").status_code == 200, "still signed in"


def test_every_state_changing_console_route_needs_the_token(team: Team) -> None:
    posts = [rule for rule in team.app.url_map.iter_rules()
             if rule.endpoint.startswith("console_") and "POST" in rule.methods]  # type: ignore[operator]
    assert len(posts) >= 9
    for rule in posts:
        path = re.sub(r"<any\((\w+)[^)]*\):\w+>", r"\1", rule.rule)  # the first choice
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?\w+>", "1", path)  # <int(signed=True):x>
        assert team.admin.client.post(path, data={}).status_code == 400, rule.rule


def test_the_sign_in_and_setup_forms_need_the_token_too(app: Flask, served: Ecoute) -> None:
    link = staff.open_setup_link(served.db, served.engine.clock())
    visitor = Staff(app, "first@example.com", "admin")
    assert "csrf_token" in visitor.client.get(f"/admin/setup/{link}").get_data(as_text=True)
    refused = visitor.client.post(f"/admin/setup/{link}", data={
        "email": "first@example.com", "password": "a long password", "confirm": "a long password"})
    assert refused.status_code == 400
    assert visitor.client.post("/admin/sign-in", data={
        "email": "first@example.com", "password": "x"}).status_code == 400


def test_a_csrf_token_from_before_sign_in_is_worthless_after(app: Flask, served: Ecoute) -> None:
    ana = add_staff(app, served, "ana@example.com", "admin")
    before = ana.csrf()
    assert ana.sign_in().status_code == 303
    stale = ana.client.post("/admin/language", data={"language": "fr", "csrf_token": before})
    assert stale.status_code == 400
    assert ana.post("/admin/language", language="fr").status_code == 303
