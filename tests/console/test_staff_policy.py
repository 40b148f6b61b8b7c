"""The core's access policy: the grants of each role and scope, rehashing, token use, sessions."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select, update

from bot import api_tokens, staff
from bot.staff import Permission
from ecoute.wiring import Ecoute
from storage.models import ApiToken, StaffUser
from storage.vocabulary import AuditAction
from tests.conftest import Clock
from tests.console.conftest import PASSWORD, Team, add_staff


def test_each_role_and_scope_grants_what_the_readme_says() -> None:
    table = {role: {p.value for p in Permission if staff.may(role, p)}
             for role in ("viewer", "manager", "admin")}
    assert table == {
        "viewer": {"read"},
        "manager": {"read", "see_identifiers", "write"},
        "admin": {"read", "see_identifiers", "write", "manage_access"},
    }
    scopes = {scope: {p.value for p in Permission if staff.token_may(scope, p)}
              for scope in ("read", "write")}
    assert scopes == {"read": {"read", "see_identifiers"},
                      "write": {"read", "see_identifiers", "write"}}
    assert not staff.may("owner", Permission.READ) and not staff.token_may("all", Permission.READ)


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(app: Flask,
                                                                 served: Ecoute) -> None:
    ana = add_staff(app, served, "ana@example.com", "admin")
    older = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    with served.db.transaction() as session:
        session.execute(update(StaffUser).values(password_hash=older))
    assert ana.sign_in().status_code == 303
    with served.db.transaction() as session:
        renewed = session.scalar(select(StaffUser.password_hash))
    assert renewed != older and not staff.HASHER.check_needs_rehash(renewed)
    assert staff.password_matches(renewed, PASSWORD)


def test_a_tokens_last_use_is_noted_at_most_once_a_minute(served: Ecoute, clock: Clock) -> None:
    token, _ = api_tokens.issue_token(served.db, "crm", "read", created_by=None, actor=staff.CLI,
                                      now=clock())

    def last_used():  # type: ignore[no-untyped-def]
        with served.db.transaction() as session:
            return session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    api_tokens.authenticate_token(served.db, token, clock())
    first = clock()
    clock.advance(seconds=30)
    api_tokens.authenticate_token(served.db, token, clock())
    assert last_used() == first
    clock.advance(seconds=31)
    api_tokens.authenticate_token(served.db, token, clock())
    assert last_used() == clock()


def test_a_session_replayed_from_another_browser_is_dropped(team: Team) -> None:
    assert team.viewer.client.get("/admin/").status_code == 200
    elsewhere = team.viewer.client.get("/admin/", headers={"User-Agent": "curl/8.0"})
    assert elsewhere.status_code == 302


def test_a_forbidden_page_is_a_page_in_the_members_language(team: Team) -> None:
    page = team.viewer.client.get("/admin/audit", headers={"Accept-Language": "fr"})
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "Votre rôle ne le permet pas" in page.get_data(as_text=True)


def test_the_audit_log_pages_by_key(team: Team) -> None:
    for _ in range(120):
        staff.record(team.served.db, team.served.engine.clock(), staff.CLI,
                     AuditAction.EXPORTED, "responses")
    first = team.admin.client.get("/admin/audit").get_data(as_text=True)
    assert first.count("<tr>") == 101 and "?before=" in first
    older = first.split('href="?before=')[1].split('"')[0]
    second = team.admin.client.get(f"/admin/audit?before={older}").get_data(as_text=True)
    assert "signed_in" in second and "?before=" not in second
